"""The lexicon loader reads the structure of its own cue patterns (groups, branches, character
classes) to bucket cues by first letter; it must read every valid pattern as the regex engine
does."""

from __future__ import annotations

import re

import pytest

from bounceback.analysis.lexicon import _branches, _dispatched, _splittable, build, read_data


def test_an_escaped_bracket_does_not_end_a_character_class() -> None:
    # Given a pattern whose character class holds an escaped "]" and a "|" and a "("
    pattern = r"x[\](|]y|zz"
    # When its top-level branches are read / Then the class is one unit and "|" after it splits
    assert _branches(pattern) == [r"x[\](|]y", "zz"]


def test_a_bracket_first_in_a_class_is_literal() -> None:
    assert _branches("a[]|]b|c") == ["a[]|]b", "c"]
    assert _branches("a[^]|]b|c") == ["a[^]|]b", "c"]


@pytest.mark.parametrize("cue", [r"ab[\]|(]c", r"ab[|\]]c", r"a[\\]b|cd"])
def test_a_cue_with_an_escaped_bracket_compiles_and_matches(cue: str) -> None:
    # Given a valid cue whose character class escapes "]"
    reference = re.compile(rf"(?<!\w)(?:{cue})(?!\w)")
    # When it is dispatched with other cues
    body, _ = _dispatched({"c": [cue, "late"]})
    combined = re.compile(body)
    # Then it matches exactly what the cue alone matches
    for text in ["ab]c", "ab|c", "ab(c", "abxc", "a\\b", "cd", "late"]:
        assert bool(combined.fullmatch(text)) == bool(
            reference.fullmatch(text) or text == "late"
        ), text


def test_a_pattern_with_a_top_level_branch_after_a_class_is_not_split_by_letter() -> None:
    assert _splittable(r"ab[\]|(]c")
    assert not _splittable(r"x[\](|]y|zz")


def test_the_lexicon_builds_with_an_escaped_bracket_cue() -> None:
    # Given the shipped lexicon with one more strong cue of that shape
    data = read_data()
    data["areas"]["communication"]["strong"].append(r"ab[\]|(]c")
    # When it is compiled / Then it builds, and the cue is found in lower-cased text
    lex = build(data)
    assert lex.strong_all.search("the ab]c sign") is not None
