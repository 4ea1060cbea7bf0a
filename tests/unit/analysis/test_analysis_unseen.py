"""Mechanisms added after holdout_i and the sets before it: sentences about the employer, reasons
that point back or forward within a message, and phrases that only look like an area."""

from __future__ import annotations

import re

import pytest

from bounceback.analysis import analyse
from bounceback.analysis.lexicon import _dispatched, lexicon
from bounceback.model import Area


def areas_of(text: str) -> set[str]:
    return {f.area.value for f in analyse(text)}


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


def test_a_dispatched_group_names_the_cue_group_that_matched() -> None:
    # Given two cue groups sharing first letters, compiled into one regex
    body, names = _dispatched({"a": ["late arrival", "lack\\w*"], "b": ["lacklustre", "lame"]})
    pattern = re.compile(body)
    # When a text is scanned / Then each match maps back to its own group, longest cue first
    found = [(m.group(0), names[m.lastgroup or ""]) for m in pattern.finditer("lame late arrival")]
    assert found == [("lame", "b"), ("late arrival", "a")]
    # (within a letter the groups keep their order: "lack\\w*" of group a takes "lacklustre")
    assert [names[m.lastgroup or ""] for m in pattern.finditer("lacklustre")] == ["a"]


def test_the_skill_trie_reads_lower_cased_text() -> None:
    # Given the compiled lexicon / When lower-cased text is scanned / Then known skills match
    assert lexicon().skills.search("experience with kubernetes") is not None


def test_an_outside_control_sentence_that_never_names_the_candidate_gives_no_other_area() -> None:
    # Given a praise-only email whose reason is the employer's budget and timing
    text = (
        "Unfortunately the project itself was put on hold yesterday, the bank has moved the "
        "budget to next year and they are not hiring for this team until at least February. "
        "Your Java knowledge is really strong."
    )
    # When analysed / Then the budget and the months are the employer's, not the candidate's
    assert areas_of(text) == {"outside_control"}


@pytest.mark.parametrize(
    "text",
    [
        "I know that's hard to hear after the time and energy you put into the process.",
        "If you would like to talk through the interview in more detail, just drop me an email.",
        "Please do not see this decision as a judgement of your qualifications.",
        "Your design experience was exactly what they were after, and you were their first choice.",
        "You came across as confident and the team would have loved to work with you.",
        "Apologies that this is by email rather than a call - I'm travelling this week.",
    ],
)
def test_courtesy_names_no_area(text: str) -> None:
    # Given a courtesy that holds an area word and a gap-like word / When analysed / Then none
    assert areas_of(text) == set()


def test_a_skill_named_as_the_setting_of_a_mismatch_is_not_one_the_candidate_holds() -> None:
    # Given a required language and the test where the candidate's level showed
    text = (
        "For this position an advanced English level is required, and in the English test "
        "your result was intermediate (B1)."
    )
    # When analysed / Then the language is the gap
    assert skills_of(text) == ("English",)


@pytest.mark.parametrize(
    "text",
    [
        "The position requires working knowledge of ANSYS and GD&T, and the panel felt your "
        "exposure to both is limited at present.",
        "You would need support to get up to speed with developments since you were last in "
        "practice, in particular UK GDPR and the Procurement Act.",
    ],
)
def test_experience_words_that_point_at_the_named_skills_are_the_skills(text: str) -> None:
    # Given a skill gap whose experience words point back or forward at the skills
    # When analysed / Then it is a skill gap, not a career-length one
    assert areas_of(text) == {"technical_skills"}


def test_a_score_without_its_test_takes_the_test_named_just_before() -> None:
    # Given a test named in one sentence and its failed score in the next
    text = (
        "All applicants complete our online numerical reasoning assessment. Unfortunately your "
        "score fell below the benchmark required to progress."
    )
    # When analysed / Then the failed test is the skill gap
    assert areas_of(text) == {"technical_skills"}


def test_an_outside_control_word_in_the_candidates_record_is_no_outside_reason() -> None:
    # Given a gap in experience of leading through a restructure
    text = "They want someone with more experience leading through a major restructure."
    # When analysed / Then it is experience only
    assert areas_of(text) == {"experience"}


@pytest.mark.parametrize(
    "text",
    [
        "Your management style came across as very top-down, and our teams work in a highly "
        "collaborative, self-directed way.",
        "You mentioned you like having a clear job description, and here everyone wears a lot "
        "of hats, so we don't think it's the right match.",
        "The team felt your style was quite formal for a small, informal office like ours.",
        "The partners felt you'd find our slower, more traditional pace frustrating.",
    ],
)
def test_the_candidates_way_against_the_employers_is_culture_fit(text: str) -> None:
    # Given the candidate's style set against how the place works / When analysed
    # Then it is culture fit
    assert areas_of(text) == {"culture_fit"}


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("Your publication record is not yet at the level expected.", {"experience"}),
        ("The lesson was not pitched at the level of first-year students.", set()),
        (
            "When asked about impact, the answers stayed at a high level without any results.",
            {"storytelling"},
        ),
    ],
)
def test_level_names_experience_only_as_a_level_of_the_career(text: str, areas: set[str]) -> None:
    assert areas_of(text) == areas


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("We've had a hiring freeze across the group since Monday.", "outside_control"),
        ("A former member of the team is coming back, so we won't recruit.", "outside_control"),
        ("The client lost the contract this role was attached to.", "outside_control"),
        ("Sorry mate, the role's been pulled. Budget.", "outside_control"),
        ("You joined the video call ten minutes after the start time.", "preparation"),
        ("Your comments about previous colleagues came across as negative.", "culture_fit"),
        ("The code was hard to follow and didn't include any unit tests.", "technical_skills"),
        ("Weak ML fundamentals: couldn't explain regularisation.", "technical_skills"),
        ("Their range tops out at 75k, and you asked for 85k.", "logistics"),
    ],
)
def test_general_forms_found_on_unseen_messages(text: str, area: str) -> None:
    assert area in areas_of(text)


def test_what_a_candidate_could_not_explain_is_knowledge_unless_told_to_an_audience() -> None:
    # Given knowledge the candidate could not explain, and an explanation to an audience
    knowledge = "Weak on ML fundamentals: couldn't explain regularisation when asked."
    audience = "You struggled to explain technical concepts to a non-technical audience."
    # When analysed / Then the first is no communication gap, the second is one
    assert "communication" not in areas_of(knowledge)
    assert areas_of(audience) == {"communication"}


def test_the_respell_table_holds_spellings_only_and_shouting_is_read() -> None:
    # Given the compiled lexicon (the shouting thresholds once sat inside the spelling table)
    lex = lexicon()
    # Then every spelling maps to text, and the thresholds are set
    assert all(isinstance(v, str) for v in lex.respell_words.values())
    assert lex.shout_letters > 0
    # And a shouted message is read in lower case, its words not taken for skill names
    assert areas_of(
        "THEY SAID NO AGAIN. APPARENTLY MY CV HAS TOO MANY TYPOS AND ITS 4 PAGES LONG."
    ) == {"resume"}
    assert areas_of("SHOUT_SHARE") == set()
