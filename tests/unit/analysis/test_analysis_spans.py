"""Behaviour of ``analyse`` on skill names written with a qualifier (LABELS.md: the name as
written, with its level, licence or variant; the longest name wins) and on reassurance lists."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Your MIG welding on the test piece had too much spatter for us.", "MIG welding"),
        ("The kitchen lead role needs HACCP Level 3, which you don't have yet.", "HACCP Level 3"),
        ("You'd need a C1 licence for the box vans, and you only hold category B.", "C1 licence"),
        ("You would need an A321 type rating for this fleet.", "A321 type rating"),
        ("Your unit testing was thin: most paths had no tests at all.", "unit testing"),
        ("The gap was ICH-GCP, which the sponsor insists on.", "ICH-GCP"),
        ("We need someone who has already passed CFA Level III.", "CFA Level III"),
    ],
)
def test_a_skill_is_named_with_its_qualifier(text: str, skill: str) -> None:
    # Given a gap in a skill written with a level, a licence, a type rating or a variant
    # When the message is analysed
    skills = skills_of(text)
    # Then the skill word is the whole name as written, not the bare known skill
    assert [s.lower() for s in skills] == [skill.lower()]


def test_the_longest_name_wins_when_a_skill_is_named_twice() -> None:
    # Given a gap named once with its qualifier and once bare
    text = "The take-home showed gaps in technical SEO, and SEO is half of this role."
    # When the message is analysed
    skills = skills_of(text)
    # Then only the qualified name is reported
    assert [s.lower() for s in skills] == ["technical seo"]


def test_a_generic_noun_after_a_skill_is_not_part_of_its_name() -> None:
    # Given a known skill followed by a generic noun ("contracts", "certificate")
    text = "You don't have experience on NEC contracts, which this post needs."
    # When the message is analysed
    skills = skills_of(text)
    # Then the name stops before the noun
    assert [s.lower() for s in skills] == ["nec"]


def test_a_code_that_is_a_skill_itself_is_not_taken_as_a_qualifier() -> None:
    # Given two known skills side by side
    text = "We need someone strong in AWS Lambda and SQL, and you're not there yet."
    # When the message is analysed
    skills = [s.lower() for s in skills_of(text)]
    # Then neither swallows the other
    assert "sql" in skills
    assert not any(s.startswith("aws sql") for s in skills)


def test_reassurance_over_a_list_of_practical_topics_is_not_a_gap() -> None:
    # Given reassurance naming several practical topics, the last one "salary expectations"
    text = (
        "We had no concerns about your notice period, location or salary expectations, and we "
        "enjoyed meeting you. We have decided not to appoint this time."
    )
    # When the message is analysed
    # Then no area is found
    assert analyse(text) == ()


def test_a_salary_expectations_label_is_still_a_logistics_gap() -> None:
    # Given an ATS reason label
    # When it is analysed
    # Then it is a logistics gap
    assert [f.area for f in analyse("Salary expectations")] == [Area.LOGISTICS]


@pytest.mark.parametrize(
    "text",
    [
        "The team worried you would clash with the way they run design critiques.",
        "Your answers didn't really reflect our values of openness and care.",
        "They felt you seemed more interested in the share options than in the customers we serve.",
        "We felt you'd be more comfortable in a bigger, more established business than our team.",
        "You didn't really explain why you wanted us rather than any of the other charities.",
    ],
)
def test_values_motive_and_setting_read_as_culture_fit(text: str) -> None:
    # Given a message about values, motive for this employer or the setting that suits the candidate
    # When it is analysed
    # Then it is a culture_fit gap
    assert [f.area for f in analyse(text)] == [Area.CULTURE_FIT]


@pytest.mark.parametrize(
    "text",
    [
        "Your pitch wasn't tailored to our business at all, it could have been for any retailer.",
        "The task asked for a plan for your first 30 days, but you presented your CV instead.",
        "You didn't know our business model, which came up in the first question.",
        "The panel asked whether you had any questions for them and you didn't.",
        "You logged on 10 min late and the panel had to cut the exercise short.",
    ],
)
def test_not_fitting_the_employer_or_the_brief_reads_as_preparation(text: str) -> None:
    # Given a pitch not fitted to the employer, a brief not followed, no questions, lateness
    # When it is analysed
    # Then it is a preparation gap
    assert [f.area for f in analyse(text)] == [Area.PREPARATION]


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("You haven't yet line-managed anyone, and this post has a team of eight.", ["experience"]),
        ("Six months in a kitchen isn't enough for a sous chef position.", ["experience"]),
        (
            "You'd be the most senior person on the team, so they want someone earlier on.",
            ["experience"],
        ),
        (
            "Your CV's table layout meant most of your work experience came through blank in our "
            "system.",
            ["resume"],
        ),
        ("We'd want more client-facing experience before you take on a portfolio.", ["experience"]),
    ],
)
def test_career_scope_is_experience_and_its_mentions_elsewhere_are_not(
    text: str, areas: list[str]
) -> None:
    # Given scope or time not yet held, or experience mentioned about the CV or a book of business
    # When it is analysed
    found = [f.area.value for f in analyse(text)]
    # Then only the real career gap is experience
    assert found == areas
