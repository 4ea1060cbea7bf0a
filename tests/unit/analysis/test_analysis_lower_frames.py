"""Skill names written in lower case, outside the vocabulary, read from their gap frame
([skill_lower_frames]), and a job title or a firm named by its field that is no skill gap."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        (
            "Your knowledge of chromatography and titration was below what we need.",
            ("chromatography", "titration"),
        ),
        ("You couldn't demonstrate hoof trimming on the day.", ("hoof trimming",)),
        ("Good circuits overall, but RTL synthesis was a clear gap.", ("RTL synthesis",)),
        ("The assessors noted gaps in dosage calculations.", ("dosage calculations",)),
        ("We felt there were gaps in reserving methods.", ("reserving",)),
    ],
)
def test_a_lower_case_name_in_a_gap_frame_is_a_skill(text: str, skills: tuple[str, ...]) -> None:
    # Given feedback naming an unlisted skill in plain words inside a gap frame
    # When it is analysed
    found = skills_of(text)
    # Then the named thing is the skill word, without generic trailing nouns
    assert found == skills


@pytest.mark.parametrize(
    "text",
    [
        "We need someone who can drive to sites every day, and you don't drive.",
        "Your understanding of the company was limited.",
        "There were gaps in your employment history that the CV did not explain.",
        "You had no experience of managing people at this level.",
        "The commute from Swindon was a concern for the hiring manager.",
    ],
)
def test_generic_words_in_a_gap_frame_are_no_skill(text: str) -> None:
    # Given a gap frame around a verb, a generic noun, a gerund phrase or a place
    # When it is analysed
    # Then no technical skill gap is read from it
    assert Area.TECHNICAL_SKILLS not in [f.area for f in analyse(text)]


def test_a_known_skill_wins_over_its_frame() -> None:
    # Given a frame whose words hold a known skill
    # When it is analysed
    # Then the known skill is reported, not the longer phrase around it
    assert skills_of("We felt there was a skills gap around Salesforce administration.") == (
        "Salesforce",
    )


@pytest.mark.parametrize(
    "text",
    [
        "ML Engineer: you gave no numbers on latency or accuracy at all.",
        "The insurance broker said you didn't listen to what the client needed.",
    ],
)
def test_a_job_title_or_firm_named_by_its_field_is_no_skill_gap(text: str) -> None:
    # Given feedback whose only skill word names the job or the firm
    # When it is analysed
    # Then the field is not reported as a skill gap
    assert Area.TECHNICAL_SKILLS not in [f.area for f in analyse(text)]
