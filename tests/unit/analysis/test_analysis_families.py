"""Cue families learnt from the first held-out set, each checked on phrasings of its own."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse


def areas_of(text: str) -> set[str]:
    return {f.area.value for f in analyse(text)}


def skills_of(text: str) -> set[str]:
    return {s for f in analyse(text) for s in f.skills}


@pytest.mark.parametrize(
    "text",
    [
        "The client put the project on ice, so recruitment has been stood down.",
        "The directors decided to scrap the role in this round of savings.",
        "A current member of staff applied and was appointed.",
    ],
)
def test_filled_paused_or_removed_roles_are_outside_control(text: str) -> None:
    # Given a message whose reason is a filled, paused or removed role / When analysed
    # Then it is outside_control and nothing else
    assert areas_of(text) == {"outside_control"}


def test_volume_that_explains_missing_feedback_is_no_reason() -> None:
    # Given the "too many applications to give feedback" template / When analysed / Then no areas
    text = "Given the number of applications we get, we can't offer individual feedback."
    assert areas_of(text) == set()


def test_another_candidate_with_more_experience_is_not_a_skill_gap() -> None:
    # Given another candidate chosen for far more experience in a domain
    text = "We chose a candidate who had far more experience in healthcare recruitment."
    # When analysed / Then it is outside_control + experience, and the domain is not a skill gap
    assert areas_of(text) == {"outside_control", "experience"}
    assert skills_of(text) == set()


def test_a_field_the_chosen_candidate_knew_better_is_a_skill_gap() -> None:
    # Given a comparison that names the field the other candidate had (BRIEF: a comparison naming
    # a skill adds technical_skills)
    text = "We made an offer to a candidate with more directly relevant experience in fintech."
    # When analysed / Then it is outside_control with the field as the skill word
    assert areas_of(text) == {"outside_control", "technical_skills"}
    assert skills_of(text) == {"fintech"}


@pytest.mark.parametrize(
    "text",
    [
        "Sadly we went with someone else.",
        "We have decided to move forward with another candidate.",
        "On this occasion we have offered the role to another candidate.",
        "You were lovely, but we've appointed another applicant.",
    ],
)
def test_a_bare_other_candidate_is_no_reason(text: str) -> None:
    # Given a message that says only that someone else was chosen (BRIEF's decision rule)
    # When analysed / Then it names no area
    assert areas_of(text) == set()


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        (
            "We decided to move forward with a candidate whose experience more closely matches.",
            {"outside_control", "experience"},
        ),
        ("Another applicant was simply a closer match for the brief.", {"outside_control"}),
        (
            "It came down to two finalists and the panel chose the other candidate.",
            {"outside_control"},
        ),
        (
            "Sadly on the day others gave stronger, more specific examples.",
            {"outside_control", "storytelling"},
        ),
        (
            "We have offered the post to a candidate with several more years of teaching "
            "experience.",
            {"outside_control", "experience"},
        ),
    ],
)
def test_a_comparison_is_outside_control_plus_what_it_names(text: str, areas: set[str]) -> None:
    # Given a comparison with the person chosen / When analysed
    # Then it is outside_control, and what it names is read as the candidate's gap
    assert areas_of(text) == areas


def test_a_requirement_for_more_experience_is_not_another_candidate() -> None:
    # Given a requirement phrased with "someone with more experience in"
    text = "We were looking for someone with more experience in Kubernetes."
    # When analysed / Then it is a skill gap, not outside_control
    assert areas_of(text) == {"technical_skills"}
    assert skills_of(text) == {"Kubernetes"}


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("The post needs QTS and you don't hold it yet.", "QTS"),
        (
            "We need a PRINCE2 practitioner and you don't currently hold the certificate.",
            "PRINCE2 practitioner",
        ),
        ("Security roles need an SIA licence, which you don't have.", "SIA licence"),
    ],
)
def test_a_missing_certificate_is_a_skill_gap_named_by_its_certificate(
    text: str, skill: str
) -> None:
    assert areas_of(text) == {"technical_skills"}
    assert skills_of(text) == {skill}


def test_an_unnamed_certification_label_is_a_skill_gap_without_skills() -> None:
    assert areas_of("Missing required licence") == {"technical_skills"}
    assert skills_of("Missing required licence") == set()


@pytest.mark.parametrize(
    "text",
    [
        "We weren't sure why you wanted to join us rather than any other consultancy.",
        "We look for people who are driven by our mission, and we didn't get that from you.",
        "not sure you'd mesh with the team",
        "You'd be happier in a larger company with more process; we're very scrappy.",
    ],
)
def test_motivation_for_this_employer_and_fit_are_culture_fit(text: str) -> None:
    assert areas_of(text) == {"culture_fit"}


def test_the_panels_own_doubt_is_not_a_confidence_gap() -> None:
    # Given "we weren't confident" about a practical matter / Then it is that matter only
    text = "We weren't confident the commute would work for the early shifts."
    assert areas_of(text) == {"logistics"}


def test_someone_confident_in_a_tool_is_a_skill_requirement() -> None:
    text = "We need someone confident building in Figma, and that was the weakest part."
    assert areas_of(text) == {"technical_skills"}


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("You backed down as soon as the client pushed back.", "confidence"),
        ("You undersold yourself in the final round.", "confidence"),
        ("You didn't really come alive until the end.", "confidence"),
        ("Your cover letter felt generic.", "resume"),
        ("Use the STAR method; your stories never got to the result.", "storytelling"),
        ("The task was only partly completed and didn't follow the brief.", "preparation"),
        ("You clearly hadn't practised the case format beforehand.", "preparation"),
        ("We can't offer a four-day week for this post.", "logistics"),
    ],
)
def test_phrasing_families_map_to_their_area(text: str, area: str) -> None:
    assert areas_of(text) == {area}


def test_reassurance_about_a_topic_is_not_a_gap_in_it() -> None:
    # Given "no concerns about" a logistics topic, then another candidate chosen
    text = "No concerns about your salary expectations; another candidate was a closer match."
    # When analysed / Then only outside_control
    assert areas_of(text) == {"outside_control"}


def test_sympathy_about_the_outcome_is_not_a_storytelling_gap() -> None:
    # Given praise and "not the outcome you wanted" / Then no areas
    text = "Great examples and great presence. Not the outcome you wanted, I know."
    assert areas_of(text) == set()


def test_an_office_beside_a_required_language_is_not_a_location_gap() -> None:
    text = "The job is in our Paris office and fluent French is essential."
    assert areas_of(text) == {"technical_skills"}
    assert skills_of(text) == {"French"}
