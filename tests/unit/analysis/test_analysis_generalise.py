"""Behaviour of ``analyse`` on recruiter language beyond the exact phrases of the lexicon:
paraphrase families per area, requirement and mismatch framing for skills, skills named as
context, and ambiguous skill words."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> list[Area]:
    return [f.area for f in analyse(text)]


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("We felt you would need more ramp-up time than we can give.", Area.EXPERIENCE),
        ("The hiring manager was looking for a more strategic profile.", Area.EXPERIENCE),
        ("We don't think you're quite ready for this role yet.", Area.EXPERIENCE),
        ("You're a few years away from a director-level role.", Area.EXPERIENCE),
        ("We went with someone who had already done this job.", Area.OUTSIDE_CONTROL),
        ("In the end it came down to budget.", Area.OUTSIDE_CONTROL),
        ("Sadly we're pausing hiring across the business.", Area.OUTSIDE_CONTROL),
        ("Your presentation ran over time and the key message got lost.", Area.COMMUNICATION),
        ("A few of your answers came across as rehearsed.", Area.COMMUNICATION),
        ("You sometimes answered a different question from the one we asked.", Area.COMMUNICATION),
        ("You came across as quite guarded.", Area.CONFIDENCE),
        ("The role needs someone local to our Austin office.", Area.LOGISTICS),
        ("Your salary expectations are well above the band for this role.", Area.LOGISTICS),
        ("You joined the call ten minutes late.", Area.PREPARATION),
        ("You were unsure what our charity actually does.", Area.PREPARATION),
        ("Your cover letter was addressed to a different company.", Area.RESUME),
        ("We didn't feel you'd thrive in our fast-moving team.", Area.CULTURE_FIT),
    ],
)
def test_paraphrase_families_are_recognised(text: str, area: Area) -> None:
    # Given a paraphrase no lexicon entry spells out / When analysed / Then its area is found
    assert areas_of(text) == [area]


def test_a_requirement_met_is_not_a_gap() -> None:
    # Given a skill named as a requirement that the sentence says the candidate meets
    text = "We need a designer who is comfortable in Figma, and your portfolio showed that."
    # When analysed / Then no skill gap is reported
    assert Area.TECHNICAL_SKILLS not in areas_of(text)


def test_a_requirement_is_not_a_gap_when_the_gap_is_pinned_on_another_skill() -> None:
    text = (
        "We need a designer who is very comfortable in Figma and has run user research; "
        "your experience with user research seemed limited."
    )
    assert skills_of(text) == ("user research",)


def test_a_bare_requirement_in_a_rejection_is_a_gap() -> None:
    assert skills_of("Please note that Spanish is required for this role.") == ("Spanish",)


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("We were after deeper Kotlin skills; most of your work has been in Java.", ("Kotlin",)),
        ("We're looking for hands-on Terraform; you've mostly worked on Azure.", ("Terraform",)),
        (
            "Spanish and Portuguese are both needed, and you only speak Spanish.",
            ("Portuguese",),
        ),
    ],
)
def test_what_the_candidate_has_instead_is_not_a_gap(text: str, skills: tuple[str, ...]) -> None:
    # Given a gap followed by a statement of what the candidate has (a mismatch)
    # When analysed / Then only the missing skills are gaps
    assert skills_of(text) == skills


def test_a_neutral_statement_after_a_semicolon_does_not_inherit_the_gap() -> None:
    text = "We needed deeper Kotlin experience; the team also uses Java."
    assert skills_of(text) == ("Kotlin",)


def test_a_skill_named_as_the_setting_is_not_a_gap_when_another_area_explains_it() -> None:
    # Given a skill that names the interview round and a communication gap
    text = "In the system design round you jumped in without structuring your answer."
    # When analysed / Then the gap is communication, not system design
    assert areas_of(text) == [Area.COMMUNICATION]


def test_a_skill_named_as_the_setting_is_the_gap_when_nothing_else_is() -> None:
    text = "Your scores were below our threshold for the numerical reasoning section."
    assert skills_of(text) == ("numerical reasoning",)


def test_a_cv_that_undersells_is_a_resume_point_not_an_experience_gap() -> None:
    assert areas_of("Your CV undersold your experience.") == [Area.RESUME]


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("Go is our main backend language and you haven't used it.", ("Go",)),
        ("Swift was a must-have and your background is mostly in web.", ("Swift",)),
        ("R is essential here, and you had only used it briefly.", ("R",)),
        ("R and Python are both core to the role; we saw little of either.", ("R", "Python")),
        ("We felt your rust experience was limited.", ("Rust",)),
        ("You need to be fluent in polish.", ("Polish",)),
    ],
)
def test_ambiguous_skill_words_in_a_skill_frame(text: str, skills: tuple[str, ...]) -> None:
    assert skills_of(text) == skills


@pytest.mark.parametrize(
    "text",
    [
        "Go ahead and reapply once you have a bit more leadership experience.",
        "Polish your answers and try again next year; we need more leadership experience.",
        "Go-to-market experience was the deciding factor for us.",
    ],
)
def test_ambiguous_words_used_as_ordinary_words_are_not_skills(text: str) -> None:
    assert skills_of(text) == ()


def test_optional_extras_are_not_gaps() -> None:
    text = "Rust would be a plus; the main concern was your limited experience with embedded C."
    assert skills_of(text) == ("C",)
