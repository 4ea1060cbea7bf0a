"""Mechanisms added after holdout_k: relative clauses about the skills just named, the candidate's
side of the work, skill names in more frames, more outside-control forms, and phrases about the
message or the process that only look like an area."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> set[str]:
    return {f.area.value for f in analyse(text)}


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


def test_a_relative_clause_about_the_skills_just_named_binds_its_background_to_them() -> None:
    # Given skills named and a "which" clause saying they were not the candidate's background
    text = "The new team works in Rust and Elixir, which weren't part of your background."
    # When analysed / Then the gap is those skills, not a career-length one
    assert areas_of(text) == {"technical_skills"}
    assert skills_of(text) == ("Rust", "Elixir")


def test_the_candidates_side_of_the_work_is_what_they_have_instead() -> None:
    # Given a requirement and the candidate's background described as another side of the work
    text = (
        "The role needs hands-on Tableau work, and your background has been more on the "
        "reporting side."
    )
    # When analysed / Then the skill is the gap and the background is no second, experience gap
    assert areas_of(text) == {"technical_skills"}
    assert skills_of(text) == ("Tableau",)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("We'd have wanted more depth in FRTB.", "FRTB"),
        ("We need someone who has built pricing models in WTW Radar.", "WTW Radar"),
    ],
)
def test_a_name_after_depth_or_after_the_work_is_a_skill(text: str, skill: str) -> None:
    assert skill in skills_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "We have a limited number of offers this cycle and aren't able to extend one to you.",
        "They've paused the req while finance reviews headcount.",
        "Finance froze all contractor budgets this morning.",
        "We're now only hiring one analyst rather than two.",
        "It was very close, and the decision went their way.",
        "I'm sorry to say the panel has chosen the other finalist.",
        "We have retained another profile which corresponds more to the needs of the client.",
    ],
)
def test_more_outside_control_forms(text: str) -> None:
    assert areas_of(text) == {"outside_control"}


def test_a_candidate_who_went_quiet_is_no_employer_gone_silent() -> None:
    # Given the candidate's silence during an exercise / Then it is no outside-control reason
    assert "outside_control" not in areas_of(
        "He went quiet for long periods in the pairing exercise."
    )
    # and the employer gone silent is outside control alone
    assert areas_of("The client has gone quiet on this one.") == {"outside_control"}


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("You joined the video call eight minutes late.", "preparation"),
        ("It felt under-practised on market-sizing cases.", "preparation"),
        ("Your presentation ran nearly five minutes over the time allowed.", "communication"),
        (
            "The checks found a discrepancy between your application form and the dates your "
            "employer confirmed.",
            "resume",
        ),
        ("Your preference for a fixed scope may not suit how we work.", "culture_fit"),
        (
            "After many years in a large corporate bank, we weren't sure our pace would suit you.",
            "culture_fit",
        ),
    ],
)
def test_forms_read_as_their_area_alone(text: str, area: str) -> None:
    assert areas_of(text) == {area}


@pytest.mark.parametrize(
    "text",
    [
        "So it's a no from the client, sorry, but they loved your energy.",
        "Kindly note that your CV will be kept in our database for future openings.",
        "The panel were impressed with your experience in payroll and would have been happy to "
        "proceed on that basis.",
        "Sophie was keen for me to pass on how much they liked you.",
        "I'm sorry to be writing by email rather than in person.",
        "I was hoping for a better outcome for you.",
        "Here is the LinkedIn message from the recruiter.",
        "Priorities shift weekly and everyone does things that aren't in their job description.",
        "This decision was made at leadership level and isn't related to you.",
        "You're welcome to apply again next year; we'd recommend the free practice tests on our "
        "careers site beforehand.",
    ],
)
def test_phrases_about_the_message_or_the_process_are_no_gap(text: str) -> None:
    assert areas_of(text) == set()


def test_portfolio_managers_are_no_portfolio() -> None:
    text = "The role involves presenting to portfolio managers; your answers were hard to follow."
    assert areas_of(text) == {"communication"}
