"""Behaviour of ``analyse``: rejection texts, ATS labels and feedback → improvement areas."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> list[Area]:
    return [f.area for f in analyse(text)]


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    "text",
    [
        "Your communication was excellent.",
        "You're clearly a strong communicator.",
        "We had no concerns about your experience.",
        "You didn't seem nervous at all and your presentation was polished.",
        "Great culture fit, thoughtful questions, solid Python.",
    ],
)
def test_praise_is_not_a_gap(text: str) -> None:
    # Given praise only / When analysed / Then no area is reported
    assert analyse(text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "We have decided to move forward with other candidates.",
        "Unfortunately your application has not been successful on this occasion.",
        "Thanks for your time. We won't be progressing your application. Best of luck!",
        "This was not a reflection of your abilities; it was a very difficult decision.",
        "Other",
    ],
)
def test_message_without_a_reason_has_no_areas(text: str) -> None:
    assert analyse(text) == ()


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("Your communication could have been more concise.", Area.COMMUNICATION),
        ("There was not quite enough experience for this level.", Area.EXPERIENCE),
        ("We would have liked to see more confidence.", Area.CONFIDENCE),
        ("We were looking for someone with more leadership experience.", Area.EXPERIENCE),
        ("Your answers lacked concrete examples.", Area.STORYTELLING),
        ("It didn't seem like you had researched our company.", Area.PREPARATION),
        ("Your communication was not very clear.", Area.COMMUNICATION),
    ],
)
def test_negation_and_hedges_read_as_gaps(text: str, area: Area) -> None:
    assert areas_of(text) == [area]


def test_contrast_keeps_the_praise_out_and_the_gap_in() -> None:
    # Given praise before "but" and a skill gap after it
    text = "Your communication was excellent, but we needed more hands-on Kubernetes experience."
    # When analysed
    findings = analyse(text)
    # Then only the skill gap is reported, with the skill word as it reads best
    assert [f.area for f in findings] == [Area.TECHNICAL_SKILLS]
    assert findings[0].skills == ("Kubernetes",)
    assert findings[0].evidence == text


def test_several_areas_in_order_of_appearance_with_their_sentences() -> None:
    text = (
        "Thanks for your time. You seemed quite nervous at the start. "
        "You could have gone deeper into system design. Your CV also had typos."
    )
    findings = analyse(text)
    assert [f.area for f in findings] == [Area.CONFIDENCE, Area.TECHNICAL_SKILLS, Area.RESUME]
    assert findings[0].evidence == "You seemed quite nervous at the start."
    assert findings[1].evidence == "You could have gone deeper into system design."
    assert findings[1].skills == ("system design",)


def test_one_finding_per_area_with_skills_merged_and_first_evidence_kept() -> None:
    text = "We felt your SQL was basic. You also lacked experience with Python and SQL."
    findings = analyse(text)
    assert len(findings) == 1
    assert findings[0].skills == ("SQL", "Python")
    assert findings[0].evidence == "We felt your SQL was basic."


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("We need someone fluent in French.", ("French",)),
        ("You'd benefit from brushing up on data structures.", ("data structures",)),
        ("Limited exposure to k8s and golang.", ("Kubernetes", "Go")),
        ("We need someone with production Go experience.", ("Go",)),
        ("Your C++ and C# were rusty.", ("C++", "C#")),
        ("The team wanted deeper React Native knowledge.", ("React Native",)),
    ],
)
def test_skill_words_come_out_in_canonical_spelling(text: str, skills: tuple[str, ...]) -> None:
    assert skills_of(text) == skills


def test_everyday_words_are_not_skills() -> None:
    # "go", "excel" and "rest" in ordinary prose name no technology
    text = "We need someone who can go further and excel at the rest of the role."
    assert skills_of(text) == ()


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("Too Junior", [Area.EXPERIENCE]),
        ("Lacks relevant experience", [Area.EXPERIENCE]),
        ("Position filled", [Area.OUTSIDE_CONTROL]),
        ("Hired another candidate", []),
        ("Better qualified candidate selected", [Area.OUTSIDE_CONTROL]),
        ("Salary expectations", [Area.LOGISTICS]),
        ("Not a culture fit", [Area.CULTURE_FIT]),
        ("Other", []),
    ],
)
def test_ats_reason_labels(text: str, areas: list[Area]) -> None:
    assert areas_of(text) == areas


@pytest.mark.parametrize(
    "text",
    [
        "We received a very high number of applications.",
        "The position has been filled.",
        "The role has been put on hold.",
        "There is a hiring freeze across the company.",
        "We have decided to go with an internal candidate.",
    ],
)
def test_outside_control_reasons(text: str) -> None:
    assert areas_of(text) == [Area.OUTSIDE_CONTROL]


def test_sentences_split_around_abbreviations_bullets_and_line_breaks() -> None:
    text = (
        "Hi Sam,\nMr. Lee felt your answers, e.g. on the U.S. launch, were\n"
        "long-winded.\nAreas to work on:\n- Kubernetes\n- eye contact"
    )
    findings = analyse(text)
    assert [f.area for f in findings] == [
        Area.COMMUNICATION,
        Area.TECHNICAL_SKILLS,
        Area.CONFIDENCE,
    ]
    assert findings[0].evidence == (
        "Mr. Lee felt your answers, e.g. on the U.S. launch, were long-winded."
    )
    assert findings[1].evidence == "Kubernetes"
    assert findings[2].evidence == "eye contact"


def test_emoji_and_unicode_do_not_break_it() -> None:
    text = "🙏 Merci! Your CV had typos 😬 and İstanbul-based roles need Turkish 🇹🇷."
    findings = analyse(text)
    assert Area.RESUME in [f.area for f in findings]
    assert analyse("🚀🚀🚀") == ()
    assert analyse("") == ()
