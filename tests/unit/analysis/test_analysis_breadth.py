"""Skill names beyond the vocabulary, too-senior and scope signals, and fit with the setting."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> set[Area]:
    return {f.area for f in analyse(text)}


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Your grasp of MiFID II reporting felt thin.", "MiFID II"),
        ("We need an engineer who holds a CompEx certificate, and you don't yet.", "CompEx"),
        (
            "The post needs active HCPC registration, which is still pending for you.",
            "HCPC registration",
        ),
        ("We felt you lacked knowledge of Basel III.", "Basel III"),
    ],
)
def test_a_skill_unknown_to_the_vocabulary_is_read_from_its_gap_frame(
    text: str, skill: str
) -> None:
    # Given a gap that names a skill, licence or standard as a name, in a typical frame
    # When analysed
    # Then the name is the skill word, as written
    assert skill in skills_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "We need someone with experience in London and knowledge of the Head Office systems.",
        "You lacked experience with Year 9 classes.",
    ],
)
def test_places_titles_and_year_groups_are_not_taken_for_skills(text: str) -> None:
    # Given a gap frame followed by a capitalised word that is no skill
    # When analysed / Then no such skill word is returned
    assert skills_of(text) == ()


def test_a_known_skill_inside_a_longer_name_gives_way_to_it() -> None:
    # Given "SAP MM", where "SAP" alone is a known skill
    # When analysed / Then the longer name is the skill word
    assert skills_of("Candidate is lacking in hands-on knowledge of SAP MM module.") == ("SAP MM",)


@pytest.mark.parametrize(
    "text",
    [
        "We think you'd be under-challenged here after running whole regions.",
        "The team worried you'd get bored within a few months.",
        "Not enough leadership exp.",
        "You haven't owned a P&L before, and this role carries one.",
        "You haven't yet run a kitchen of this size.",
    ],
)
def test_too_senior_in_disguise_and_missing_scope_are_experience(text: str) -> None:
    # Given an overqualified-in-disguise remark or a missing scope of responsibility
    # When analysed / Then it is an experience gap
    assert Area.EXPERIENCE in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "Your preference for working on your own doesn't really match how our crews operate.",
        "We didn't hear much about what draws you to hospice care specifically.",
        "We felt you were better suited to a large chain than our little bistro.",
    ],
)
def test_working_style_motivation_and_setting_are_culture_fit(text: str) -> None:
    # Given a remark about working style, motivation for this place or the setting
    # When analysed / Then it is culture_fit
    assert Area.CULTURE_FIT in areas_of(text)


def test_the_employers_own_experience_is_not_a_gap() -> None:
    # Given a template that mentions the employer's experience
    text = "Thanks for applying; we have extensive experience of hiring and will keep your details."
    # When analysed / Then there is no area
    assert analyse(text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Insufficient post-qualification experience - the role needs 3+ years PQE.",
        "You turned up late with no ID.",
    ],
)
def test_counts_and_documents_after_a_requirement_are_not_skills(text: str) -> None:
    # Given a requirement frame followed by a count or an identity document
    # When analysed / Then no skill word is read from it
    assert skills_of(text) == ()
