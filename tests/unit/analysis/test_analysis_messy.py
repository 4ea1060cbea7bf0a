"""Behaviour of ``analyse`` on messy, real-world text: missing apostrophes and chat shorthand,
lower-case and shouted messages, sentences typed without capitals, agency phrasing, another
person chosen because of the candidate's own constraint, and the letter-dispatched cue regexes."""

from __future__ import annotations

import re

import pytest

from bounceback.analysis import analyse
from bounceback.analysis.lexicon import _dispatched, _expand, lexicon
from bounceback.analysis.text import respell, split_sentences
from bounceback.model import Area


def areas_of(text: str) -> list[Area]:
    return [f.area for f in analyse(text)]


def test_missing_apostrophes_and_shorthand_read_as_standard_spelling() -> None:
    # Given a sentence typed without apostrophes and with chat shorthand
    text = "they said i didnt make eye contact + mgr went w/ someone else"
    # When it is respelled
    read = respell(text, lexicon())
    # Then the cues see the standard forms
    assert read == "they said i didn't make eye contact and manager went with someone else"


def test_respelling_leaves_skill_names_and_everyday_words_alone() -> None:
    # Given skill names with symbols and words that look like a missing apostrophe
    text = "Its C++ and P&L work, well done; w/o Docker"
    # When it is respelled
    read = respell(text, lexicon())
    # Then only the shorthand changes
    assert read == "Its C++ and P&L work, well done; without Docker"


def test_evidence_quotes_the_text_as_written_not_as_respelled() -> None:
    # Given feedback typed without apostrophes
    text = "so the recruiter said i wasnt confident and didnt make eye contact"
    # When it is analysed
    findings = analyse(text)
    # Then confidence is found, and its evidence is the user's own words
    assert [f.area for f in findings] == [Area.CONFIDENCE]
    assert findings[0].evidence == text


def test_a_shouted_sentence_is_read_as_lower_case() -> None:
    # Given a message in capitals
    text = "THE PANEL SAID YOUR ANSWERS WERE TOO LONG AND HARD TO FOLLOW"
    # When it is analysed
    findings = analyse(text)
    # Then it is read like any other sentence and no capitalised word becomes a skill
    assert [f.area for f in findings] == [Area.COMMUNICATION]


def test_sentences_typed_in_lower_case_are_still_split() -> None:
    # Given a lower-case message with full stops and an exclamation mark
    text = "thx for coming in! boss loved you. the issue is the shifts, e.g. sundays."
    # When it is split
    sentences = [text[s.start : s.end] for s in split_sentences(text, lexicon())]
    # Then each sentence stands alone, and "e.g." does not end one
    assert sentences == [
        "thx for coming in!",
        "boss loved you.",
        "the issue is the shifts, e.g. sundays.",
    ]


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("client has gone quiet on the role and says its paused till jan", Area.OUTSIDE_CONTROL),
        ("notes from call:\n- client went w/ internal", Area.OUTSIDE_CONTROL),
        ("the budget for the role got reallocated to another team", Area.OUTSIDE_CONTROL),
        ("We're holding off on hiring until the spring.", Area.OUTSIDE_CONTROL),
        ("All our graduate places are now taken for this year.", Area.OUTSIDE_CONTROL),
        ("The post is only open to UK nationals.", Area.LOGISTICS),
        ("my 3 month notice was the sticking point", Area.LOGISTICS),
        ("your day rate is above what they've budgeted", Area.LOGISTICS),
        ("the role is five days on site and you're based in Leeds", Area.LOGISTICS),
        ("They weren't sure you were drawn to the charity sector.", Area.CULTURE_FIT),
        ("Gaps in employment history were not explained.", Area.RESUME),
        ("The panel felt you were a year or two off the level we need.", Area.EXPERIENCE),
        ("We wanted someone a bit more outgoing for front of house.", Area.CONFIDENCE),
        ("Your write-up was long and hard to skim.", Area.COMMUNICATION),
        ("You weren't clear on what we actually do.", Area.PREPARATION),
    ],
)
def test_agency_and_chat_phrasing_is_read(text: str, area: Area) -> None:
    # Given a reason phrased as agencies, call notes and chats phrase it
    # When it is analysed
    # Then its area is found
    assert area in areas_of(text)


def test_someone_chosen_for_the_candidates_own_constraint_is_that_constraint() -> None:
    # Given another person chosen because they could do what the candidate said they could not
    text = "We went with someone who could cover the Sunday shifts, which you said you couldn't."
    # When it is analysed
    # Then the reason is logistics, not outside control
    assert areas_of(text) == [Area.LOGISTICS]


def test_someone_chosen_without_a_constraint_is_still_outside_control() -> None:
    # Given another person chosen for their own background
    text = "We went with someone who had already run a team of this size."
    # When it is analysed
    # Then it is outside the candidate's control
    assert areas_of(text) == [Area.OUTSIDE_CONTROL]


@pytest.mark.parametrize(
    "text",
    [
        "The panel felt you couldn't explain how a hash map handles collisions.",
        "Statistics: could not explain a confidence interval.",
        "Scorecard\nCommunication: clear and friendly.\nOutcome: not progressed",
    ],
)
def test_knowledge_and_score_labels_are_not_communication_or_confidence(text: str) -> None:
    # Given knowledge gaps phrased with "explain", and a scorecard that praises communication
    # When analysed
    found = areas_of(text)
    # Then neither communication nor confidence is read from them
    assert Area.COMMUNICATION not in found
    assert Area.CONFIDENCE not in found


def test_leading_alternations_are_multiplied_out() -> None:
    # Given a cue that opens with a group of branches, and one that opens with an optional group
    # When expanded
    # Then each branch is an alternative of its own, the optional group with and without it
    assert _expand("(?:is|was) (?:very )?late") == ["is (?:very )?late", "was (?:very )?late"]
    assert _expand("(?:\\w+ )?late") == ["\\w+ late", "late"]


def test_dispatched_cue_groups_match_as_separate_alternations_do() -> None:
    # Given two cue groups, one with a cue that cannot be bucketed by letter
    groups = {"a": ["late", "(?:is|was) rushed"], "b": ["lat\\w+", "[0-9]+ minutes"]}
    body, names = _dispatched(groups)
    combined = re.compile(body)
    # When lower-cased text is scanned
    found = [
        (names[m.lastgroup or ""], m.group(0))
        for m in combined.finditer("was rushed, latest by 10 minutes, late; plate")
    ]
    # Then each cue is found whole, with its group, at word starts only
    assert found == [("a", "was rushed"), ("b", "latest"), ("b", "10 minutes"), ("a", "late")]
