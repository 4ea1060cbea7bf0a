"""Loading and compiling ``lexicon.toml``: the cues the analyser reads, as compiled regexes.

The TOML file is read once, on first use, and compiled into one regex per cue group (an
alternation), so analysing a message costs a handful of regex scans and no parsing. The imports
of ``tomllib`` and ``importlib.resources`` are deferred to that first use as well, which keeps
``import bounceback.analysis`` cheap for functions that never analyse anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

# Every lexicon pattern is wrapped in these, so a cue matches whole words only ("pay" must not
# match "payments"). A lookbehind/lookahead rather than \b, because some cues start or end with
# a non-word character ("c++", ".net", "n't").
_BEFORE = r"(?<!\w)"
_AFTER = r"(?!\w)"


@dataclass(frozen=True, slots=True)
class AreaRules:
    """What an area reads on its own: its strong, topic and setting cues are read through the
    combined regexes of every area (``Lexicon.strong_all`` and friends), so only the spans it
    ignores and the topics a named skill binds are compiled per area."""

    area: str
    ignore: re.Pattern[str] | None
    skill_bound: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The compiled lexicon. Field meanings are documented in ``lexicon.toml``."""

    abbreviations: frozenset[str]
    bullets: str
    short_line: int
    # [boilerplate]: a header line, the sign-off line that ends the body, a boilerplate sentence.
    header: re.Pattern[str]
    sign_off: frozenset[str]
    boilerplate: re.Pattern[str] | None
    formula: re.Pattern[str] | None
    contrast: re.Pattern[str]
    praise_override: re.Pattern[str]
    reassurance: re.Pattern[str] | None
    negation_before: re.Pattern[str]
    ignore: re.Pattern[str]
    label_max_words: int
    # [areas.outside_control] `strong`: reasons outside the candidate's control, blanked from the
    # other areas once found.
    oc_strong: re.Pattern[str] | None
    # Phrases where an outside-control cue is about the candidate ("experience leading through a
    # restructure"): blanked before `strong` is sought again, only when it found something.
    oc_ignore: re.Pattern[str] | None
    # Outside control by another person being chosen, and the areas it gives way to in its
    # sentence (see `chosen` in [areas.outside_control]).
    oc_chosen: re.Pattern[str] | None
    oc_yields_to: frozenset[str]
    # A comparison with the person chosen: outside control, and read as a gap for what it names.
    oc_comparison: re.Pattern[str] | None
    oc_quantity: re.Pattern[str] | None
    # A count of applications ("we received over 900 applications"): outside control unless the
    # message itself says the volume is why it gives no feedback or contacts only a shortlist
    # (`volume_explained`); then the count is part of that explanation, not a reason.
    oc_volume: re.Pattern[str] | None
    oc_volume_explained: re.Pattern[str] | None
    # [areas.resume] `shows_skill`: materials said not to show a skill name a skill gap.
    resume_shows_skill: re.Pattern[str] | None
    # The same cues, every area in one regex (a named group per area): one scan per sentence
    # instead of one per area. ``area_groups`` maps a group name back to its area's rules.
    strong_all: re.Pattern[str]
    topic_all: re.Pattern[str]
    setting_all: re.Pattern[str]
    area_groups: dict[str, AreaRules]
    polarity_groups: dict[str, str]
    # All polarity cues in one regex; ``polarity_groups`` maps each named group to its kind: g
    # (strong gap), n (negated praise), r (requirement), d (a description of the role), m
    # (mismatch), p (praise or a requirement met) and w (weak gap), tried in that order at each
    # word start (see ``_dispatched``).
    polarity_all: re.Pattern[str]
    skills: re.Pattern[str]
    # Ambiguous skill words ("Go", "Swift", "R"), matched in any case; whether a match names the
    # skill is decided from its spelling and the words around it (``ambiguous_*``).
    skills_case_sensitive: re.Pattern[str]
    skill_canonical: dict[str, str]
    # [skill_context]: spans naming the role or employer (group kind "r") or the setting of a gap
    # ("s"), in one regex; ``skill_context_kinds`` maps each named group to its kind.
    skill_context: re.Pattern[str] | None
    skill_context_kinds: dict[str, str]
    # Skills named in a gap frame but unknown to the vocabulary ("knowledge of Basel III", "an
    # SMSTS certificate"): groups ``x`` (after a frame, a second name joined in ``x2``), ``y`` (a
    # code after a frame, a second in ``y2``), ``z`` (before a qualification noun, group ``noun``)
    # and ``b`` (a code in brackets after a capitalised name: "a Chartered Engineer (CEng)").
    # See [skill_frames].
    skill_frame: SkillFrames | None
    skill_frame_after: frozenset[str]
    skill_frame_keep: frozenset[str]
    skill_frame_stop: frozenset[str]
    skill_frame_leading: frozenset[str]
    # [skill_lower_frames]: a skill named in lower case in a gap frame ("knowledge of lithography",
    # "couldn't derive backprop", "UVM was a clear gap", "failed the typing test"): group ``w``
    # holds the words after a frame, group ``v`` the words before one. ``skill_lower_stop`` ends a
    # name, ``skill_lower_generic`` never is one, ``skill_lower_trailing`` is dropped from its end.
    skill_lower_frame: re.Pattern[str] | None
    skill_lower_after: re.Pattern[str] | None
    skill_lower_keep: frozenset[str]
    skill_lower_stop: frozenset[str]
    skill_lower_generic: frozenset[str]
    skill_lower_trailing: frozenset[str]
    # [skill_qualifiers]: words written next to a known skill that belong to its name ("TIG
    # welding", "HACCP Level 3", "C1 licence"). ``skill_prefix`` matches at the end of the text
    # before a skill (group ``q``), ``skill_suffix`` right after it.
    skill_prefix: re.Pattern[str] | None
    skill_suffix: re.Pattern[str] | None
    ambiguous_after: frozenset[str]
    ambiguous_before: frozenset[str]
    ambiguous_after_lower: frozenset[str]
    ambiguous_framed: frozenset[str]
    # [respell]: non-standard spellings read as their standard form (``text.respell``).
    respell: re.Pattern[str] | None
    respell_words: dict[str, str]
    shout_letters: int
    shout_share: float
    reapply_cues: re.Pattern[str]
    reapply_retention: re.Pattern[str]
    reapply_duration: re.Pattern[str]
    reapply_numbers: dict[str, int]
    reapply_unit_days: dict[str, int]


def _splittable(pattern: str) -> bool:
    """Whether ``pattern`` starts with a plain letter that can be factored out: no quantifier on
    it and no top-level "|" (which would make the letter belong to one branch only)."""
    if len(pattern) < 2 or not (pattern[0].isascii() and pattern[0].isalpha()):
        return False
    if pattern[1] in "?*+{":
        return False
    depth = 0
    for _, c in _structure(pattern):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0:
            return False
    return True


def _class_end(pattern: str, start: int) -> int:
    """The offset just after the character class that opens at ``pattern[start]`` ("["). Inside
    a class "\\" escapes the next character ("[\\]|(]" is one class), and a "]" first in it
    (after an optional "^") is a literal one."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "]":
            return i + 1
        i += 1
    return len(pattern)


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """The offsets of the "(", ")" and "|" that shape ``pattern``, from ``start``: escaped
    characters and character classes are skipped."""
    i = start
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            continue
        if c in "()|":
            yield i, c
        i += 1


def _group_end(pattern: str, start: int) -> int:
    """The offset just after the group that opens at ``pattern[start]`` ("(")."""
    depth = 0
    for i, c in _structure(pattern, start):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(pattern)


def _branches(body: str) -> list[str]:
    """Top-level "|" branches of a group body."""
    out: list[str] = []
    depth, last = 0, 0
    for i, c in _structure(body):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0:
            out.append(body[last:i])
            last = i + 1
    out.append(body[last:])
    return out


def _first_letters(pattern: str) -> frozenset[str] | None:
    """The letters a match of ``pattern`` can start with, when that is plain to see: a literal
    letter, or a group of branches that each start with one ("(?:message|point)s? lost"),
    after any lookbehind. ``None`` when unsure."""
    while pattern.startswith(("(?<!", "(?<=")):
        pattern = pattern[_group_end(pattern, 0) :]
    if not pattern:
        return None
    if pattern.startswith("\\d"):
        return frozenset("0123456789")
    if pattern[0].isdigit() and (len(pattern) == 1 or pattern[1] not in "?*{"):
        return frozenset(pattern[0])
    if pattern[0].isascii() and pattern[0].isalpha():
        if len(pattern) > 1 and pattern[1] in "*{":
            return None
        if len(pattern) > 1 and pattern[1] == "?":
            # an optional first letter: that letter or whatever follows it
            rest = _first_letters(pattern[2:])
            return None if rest is None else rest | {pattern[0].lower()}
        return frozenset(pattern[0].lower())
    if pattern.startswith("(?:"):
        end = _group_end(pattern, 0)
        if end < len(pattern) and pattern[end] in "*{":
            return None
        letters: set[str] = set()
        for branch in _branches(pattern[3 : end - 1]):
            first = _first_letters(branch)
            if first is None:
                return None
            letters |= first
        if end < len(pattern) and pattern[end] == "?":
            # an optional opening group ("(?:the )?results"): its letters or those after it
            rest = _first_letters(pattern[end + 1 :])
            if rest is None:
                return None
            letters |= rest
        return frozenset(letters)
    return None


def _alternation(patterns: list[str]) -> str:
    # Python's regex engine tries every alternative at every position. Two things keep a scan
    # over hundreds of cues fast: the word-boundary checks sit outside the group (once per
    # position, not once per alternative), and alternatives are bucketed by their first letter,
    # so a position is compared with one bucket only. Neither changes what matches: longer
    # patterns still come first within a bucket ("react native" before "react"), and a failed
    # right edge backtracks into the next alternative.
    ordered = sorted((q for p in patterns for q in _expand(p)), key=len, reverse=True)
    buckets: dict[str, list[str]] = {}
    rest: list[str] = []
    for p in ordered:
        if _splittable(p):
            buckets.setdefault(p[0].lower(), []).append(p[1:])
        else:
            rest.append(p)
    parts = [f"{letter}(?:{'|'.join(tails)})" for letter, tails in buckets.items()]
    # The rest cannot be bucketed by one letter; those whose first letters are known get a
    # one-character lookahead, so other positions skip them at the cost of a class test.
    for p in rest:
        first = _first_letters(p)
        guard = f"(?=[{''.join(sorted(first))}])" if first else ""
        parts.append(f"{guard}(?:{p})")
    return _BEFORE + "(?:" + "|".join(parts) + ")" + _AFTER


def _expand(pattern: str, depth: int = 0) -> list[str]:
    """``pattern`` as alternatives that each start with a plain letter where that is easy: a
    leading group of branches is multiplied out ("(?:is|was) late" -> "is late", "was late"), so
    each alternative can join its first letter's bucket. Same matches, more alternatives; a
    pattern that does not multiply out cleanly (or would grow too much) stays as it is."""
    branches = _branches(pattern)
    if len(branches) > 1:
        return [q for b in branches for q in _expand(b, depth + 1)]
    if _splittable(pattern) or depth > _EXPAND_DEPTH or not pattern.startswith("(?:"):
        return [pattern]
    end = _group_end(pattern, 0)
    quantifier = pattern[end : end + 1]
    if quantifier in ("*", "+", "{") or pattern[end : end + 2] == "??":
        return [pattern]
    suffix = pattern[end + 1 :] if quantifier == "?" else pattern[end:]
    out = [q for b in _branches(pattern[3 : end - 1]) for q in _expand(b + suffix, depth + 1)]
    if quantifier == "?":
        out.extend(_expand(suffix, depth + 1))
    if len(out) > _EXPAND_MAX or any(not q for q in out):
        return [pattern]
    return out


_EXPAND_DEPTH = 4
_EXPAND_MAX = 16


def _dispatched(groups: dict[str, list[str]], prefix: str = "") -> tuple[str, dict[str, str]]:
    """Many cue groups in one regex for lower-cased text, one named group per (cue group, first
    letter): a word start is compared with the alternatives of its own first letter only, across
    every group, and the word-start check runs once. Returns the regex and a map from each named
    group back to its cue group. Within a letter, groups keep their order; alternatives that do
    not start with a plain letter come after every letter bucket, guarded by a lookahead on
    their first letters where those are known.

    Each named group is empty and closes the alternatives it names (``m.lastgroup`` is the one
    that matched): a capturing group around the alternatives would be entered, and its marks
    saved and restored, at every word start of its letter, which makes a scan two to three times
    slower than the same alternatives without one."""
    buckets: dict[str, list[tuple[str, list[str]]]] = {}
    rest: list[tuple[str, str]] = []
    for name, patterns in groups.items():
        expanded = [q for p in patterns for q in _expand(p)]
        for p in sorted(expanded, key=len, reverse=True):
            if _splittable(p):
                letter = p[0].lower()
                entries = buckets.setdefault(letter, [])
                if not entries or entries[-1][0] != name:
                    entries.append((name, []))
                entries[-1][1].append(p[1:])
            else:
                rest.append((name, p))
    names: dict[str, str] = {}
    parts: list[str] = []
    for letter, entries in buckets.items():
        inner = []
        for name, tails in entries:
            key = f"{prefix}{name}_{len(names)}"
            names[key] = name
            inner.append(f"(?:{'|'.join(tails)}){_AFTER}(?P<{key}>)")
        parts.append(f"{re.escape(letter)}(?:{'|'.join(inner)})")
    for name, p in rest:
        key = f"{prefix}{name}_{len(names)}"
        names[key] = name
        first = _first_letters(p)
        guard = f"(?=[{''.join(sorted(first))}])" if first else ""
        parts.append(f"{guard}(?:{p}){_AFTER}(?P<{key}>)")
    return _BEFORE + "(?:" + "|".join(parts) + ")", names


def _compile_low(patterns: list[str]) -> re.Pattern[str] | None:
    """A cue group for lower-cased text: letter-dispatched and case-sensitive (see
    ``_dispatched``), which scans several times faster than an ignore-case alternation."""
    if not patterns:
        return None
    return re.compile(_dispatched({"c": patterns})[0])


def _kinds(groups: dict[str, list[str]]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Several cue groups in one letter-dispatched regex for lower-cased text, with the map from
    each named group back to its cue group (see ``_dispatched``)."""
    groups = {k: v for k, v in groups.items() if v}
    if not groups:
        return None, {}
    body, names = _dispatched(groups, prefix="k")
    return re.compile(body), names


def _required(patterns: list[str]) -> re.Pattern[str]:
    compiled = _compile_low(patterns)
    if compiled is None:
        raise ValueError("lexicon group must not be empty")
    return compiled


def skill_key(text: str) -> str:
    """How a matched skill is looked up: lower case, spaces and hyphens dropped."""
    return re.sub(r"[\s\-]+", "", text.lower())


# Separators inside a skill alias: spaces and hyphens are interchangeable and may be left out
# ("system-design", "system design", "ecommerce"). One separator form for every alias keeps
# aliases that share words on one trie path ("event driven", "event-driven architecture").
_SEP = r"[\s\-]*"
_END = ""  # trie key marking the end of an alias


def _skill_units(alias: str) -> list[str]:
    words = re.split(r"[\s\-]+", alias)
    sep = _SEP
    units: list[str] = []
    for i, word in enumerate(words):
        if i:
            units.append(sep)
        units.extend(re.escape(c) for c in word)
    return units


def _trie_regex(aliases: list[str]) -> str:
    """One regex for many literal aliases, shaped as a trie: a few hundred skills cost one
    character comparison per position instead of one per alias. Longer aliases are tried before
    the shorter ones they extend ("react native" before "react")."""
    trie: dict[str, Any] = {}
    for alias in aliases:
        node = trie
        for unit in _skill_units(alias):
            node = node.setdefault(unit, {})
        node[_END] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [unit + emit(child) for unit, child in node.items() if unit != _END]
        if _END in node:
            branches.append("")  # ending here is the last choice: longer matches win
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _skills(table: dict[str, list[str]], lower: bool) -> tuple[re.Pattern[str], dict[str, str]]:
    """One trie regex for a skill table. With ``lower`` its aliases are lower-cased and the regex
    reads lower-cased text only: compiled case-sensitively, it scans about twice as fast as an
    ignore-case one."""
    canonical: dict[str, str] = {}
    aliases: list[str] = []
    for name, listed in table.items():
        for alias in listed:  # the canonical name matches only if listed (see "Go")
            canonical[skill_key(alias)] = name
            aliases.append(alias.lower() if lower else alias)
    # Skills may end in "+" or "#" ("C++", "C#"), so the right edge also refuses those.
    body = _trie_regex(sorted(set(aliases)))
    return re.compile(rf"(?<![\w.#+])(?:{body})(?![\w#+&])"), canonical


# A word of a skill name as written, a capital or a digit first: "Basel", "III", "61508", "UGC-NET".
# A possessive inside a name is kept when another capitalised word follows ("Raiser's Edge").
# A name written with dotted initials keeps its last dot ("GLOBALG.A.P. certification").
_NAME_WORD = (
    r"(?:[A-Z][\w&+#-]*|\d[\w&+#-]*)(?:[./][\w&+#-]+)*"
    r"(?:(?<=\.[A-Z])\.(?=[ \t]+[a-z]))?(?:\x27s(?=[ \t]+[A-Z]))?"
)
# A code-like word: two capitals or a digit, and a letter ("WSET", "18th"; not "Basel", "3+").
_CODE_WORD = (
    r"(?=[\w&+#-]*(?:[A-Z][\w&+#-]*[A-Z]|\d))(?=[\w&+#-]*[A-Za-z])[A-Z0-9][\w&+#-]*"
    r"(?:\.[A-Z0-9][\w&+#-]*)*(?:(?<=\.[A-Z])\.(?=[ \t]+[a-z]))?"
)


# Nouns after a code that make it a figure, not a skill: "no ARR number".
_METRIC = r"(?i:numbers?|figures?|metrics?|targets?|growth|uplift)\b"


@dataclass(frozen=True, slots=True)
class SkillFrames:
    """The regexes of [skill_frames]. The frames before a name are sought in lower-cased text
    with the letter-dispatched cue regexes (``before``, ``before_code``), and the name is then
    matched where the frame ends, in the text as written (``name``, ``code_name``): a
    case-insensitive scan for the frames at every word start cost more than the rest of the
    skill search together. The forms that need no frame (a standard with its number, a code
    before a noun, a name before a qualification noun, a name abbreviated in brackets) are one
    regex over the text as written (``rest``)."""

    before: re.Pattern[str] | None
    name: re.Pattern[str]
    before_code: re.Pattern[str] | None
    code_name: re.Pattern[str]
    rest: re.Pattern[str]


def _skill_frame(table: dict[str, Any] | None) -> SkillFrames | None:
    """The regexes of [skill_frames]: a name after a frame, a code after a frame, or a name before
    a qualification noun. Names are case-sensitive; the frames are not."""
    if not table:
        return None
    name = rf"{_NAME_WORD}(?:(?:\s+(?:of|at)\s+|[ \t]+){_NAME_WORD}){{0,4}}"
    heads = "|".join(table["heads"])
    tail = rf"(?:(?:[ \t]+[a-z][\w-]*){{0,2}}[ \t]+(?:{heads}))?"
    after = "|".join(table["after"])
    code_after = "|".join(table.get("code_after", [])) or "(?!)"
    names = "|".join(table.get("names", [])) or "(?!)"
    # A second name joined to the first: "experience with MODFLOW and FEFLOW".
    second = rf"(?:(?:,|,?[ \t]+(?:and|or))[ \t]+(?:(?i:with|in|of|on)[ \t]+)?(?P<x2>{name}))?"
    return SkillFrames(
        before=_compile_low(table["before"]),
        name=re.compile(
            rf"\s+(?:(?i:the|a|an)\s+)?"
            rf"(?:(?i:latest|current|new|newest|recent|relevant|updated|revised|local)\s+)?"
            rf"(?P<x>{name}{tail})(?![\w&+#-]){second}"
        ),
        before_code=_compile_low(table["before_code"]),
        code_name=re.compile(
            rf"\s+(?:(?i:a|an|the|your|any|their|his|her|our)\s+)?"
            rf"(?:(?i:valid|current|full|active)\s+)?"
            # a code before "number" or "figure" names a metric ("no ARR number"), not a skill
            rf"(?P<y>{_CODE_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}})(?![\w&+#-])(?![ \t]+{_METRIC})"
            # a second code joined to the first: "already holds his GWO BST and CompEx"
            rf"(?:(?:,|,?[ \t]+(?:and|or))[ \t]+(?P<y2>{_CODE_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}})"
            rf"(?![\w&+#-])(?![ \t]+{_METRIC}))?"
        ),
        # One word-start check for every form, so other positions cost a single test.
        rest=re.compile(
            rf"(?<![\w-])(?:(?P<s>{names})(?![\w&+#-])"
            rf"|(?=[A-Z0-9])(?P<c>{_CODE_WORD})(?:[ \t]+[a-z][\w-]*)?[ \t]+"
            rf"(?i:{code_after})(?![\w-])"
            rf"|(?P<z>{name})(?:[ \t]+|-)(?P<noun>(?i:{after}))(?![\w-])"
            # a qualification named, then abbreviated: "a Chartered Engineer (CEng)" names CEng
            rf"|(?:[A-Z][a-z]+[ \t]+){{1,4}}\((?P<b>{_CODE_WORD})\))"
        ),
    )


def _skill_lower_frame(table: dict[str, Any] | None) -> re.Pattern[str] | None:
    """The regex of the frames before a name in [skill_lower_frames]: up to six words after a
    frame (group ``w``), read in lower-cased text; the engine trims them to a name."""
    if not table:
        return None
    word = r"[\w][\w+#&/-]*"
    before = _alternation(table["before"])
    # Read in lower-cased text (same offsets): compiled case-sensitively, it scans faster.
    return re.compile(rf"(?<![\w-]){before}\s+(?P<w>{word}(?:[ \t]+{word}){{0,5}})")


def _skill_lower_after(table: dict[str, Any] | None) -> re.Pattern[str] | None:
    """The frames of [skill_lower_frames] that follow a name ("... was a clear gap"); the engine
    reads up to three words before each (``LOWER_TAIL``). Sought apart from the frames before a
    name, so a sentence is not tried for a three-word name at every word."""
    if not table or not table.get("after"):
        return None
    return re.compile(rf"[ \t]+{_alternation(table['after'])}(?![\w-])")


# Up to three words that end where a frame after a name begins (searched with ``endpos``).
LOWER_TAIL = re.compile(r"(?<![\w,.-])[\w][\w+#&/-]*(?:[ \t]+[\w][\w+#&/-]*){0,2}$")


def _skill_qualifiers(
    table: dict[str, Any] | None,
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The regexes of [skill_qualifiers]: a code or listed word just before a known skill (one
    word, then a space or hyphen, at the end of the text searched), and a qualifier just after."""
    if not table:
        return None, None
    words = "|".join(table["before"])
    code = rf"(?P<q>{_CODE_WORD}|(?i:{words}))" if words else rf"(?P<q>{_CODE_WORD})"
    prefix = re.compile(rf"(?:^|(?<=[\s(/])){code}[ -]$")
    after = "|".join(table["after"])
    suffix = re.compile(rf"[ \t]+(?i:{after})(?![\w&+#-])") if after else None
    return prefix, suffix


def _respell(words: dict[str, str]) -> re.Pattern[str] | None:
    """Whole-word matches of the [respell] table in lower-cased text. Symbols ("+", "&") and
    shorthand with a slash ("w/") must stand apart from a word ("C++", "P&L", "w/o")."""
    if not words:
        return None
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w\x27+#&/])(?:{body})(?![\w\x27+#&/])")


def _area(name: str, table: dict[str, Any]) -> AreaRules:
    return AreaRules(
        area=name,
        ignore=_compile_low(table.get("ignore", [])),
        skill_bound=_compile_low(table.get("skill_bound", [])),
    )


def build(data: dict[str, Any]) -> Lexicon:
    """Compile a parsed lexicon (exposed for tests that try a modified lexicon)."""
    polarity = data["polarity"]
    praise_words = _alternation(polarity["praise"])
    negation = "|".join(polarity["negation"])
    others = {name: table for name, table in data["areas"].items() if name != "outside_control"}
    areas = {name: _area(name, table) for name, table in others.items()}
    group_names = {f"a{i}": name for i, name in enumerate(others)}
    skills, canonical = _skills(data["skills"], lower=True)
    # Matched in lower-cased text like the others; whether a match names the skill is decided
    # from the text as written (``ambiguous_*``).
    skills_cs, canonical_cs = _skills(data["skills_case_sensitive"], lower=True)
    frames = data["ambiguous_skill_frames"]
    lower: dict[str, Any] = data.get("skill_lower_frames", {})
    qualifiers = _skill_qualifiers(data.get("skill_qualifiers"))
    reapply = data["reapply"]
    numbers: dict[str, int] = dict(reapply["numbers"])
    number_words = "|".join(re.escape(w) for w in sorted(numbers, key=len, reverse=True))
    duration = re.compile(
        rf"(?<!\w)(?:(?P<half>half an?)\s+(?P<hunit>year|month)"
        rf"|(?P<num>\d{{1,4}}|{number_words})[\s\-]+(?:\(\d{{1,4}}\)[\s\-]+)?"
        rf"(?P<unit>day|week|fortnight|month|year)s?)(?!\w)",
        re.IGNORECASE,
    )
    # The combined cue regexes read lower-cased text, so they are compiled case-sensitively:
    # cheaper per position, and it lets the engine skip whole letter buckets.
    area_keys: dict[str, str] = {}
    combined: list[re.Pattern[str]] = []
    for kind in ("strong", "topic", "setting"):
        cues = {g: others[n].get(kind, []) for g, n in group_names.items()}
        body, keys = _dispatched(cues, prefix=kind[0])
        combined.append(re.compile(body))
        area_keys.update(keys)
    strong_all, topic_all, setting_all = combined
    polarity_pattern, polarity_keys = _dispatched(
        {
            "g": polarity["strong_gap"],
            "n": [
                rf"(?:{neg})\s+(?:[\w\-]+\s+){{0,3}}?(?:{praise_words})"
                for neg in polarity["negation"]
            ],
            "r": polarity["requirement"],
            "d": polarity.get("description", []),
            "m": polarity["mismatch"],
            "p": [*polarity["praise"], *polarity["requirement_met"]],
            "w": polarity["weak_gap"],
        }
    )
    respell_words = {k.lower(): v for k, v in data.get("respell", {}).get("words", {}).items()}
    boilerplate: dict[str, Any] = data.get("boilerplate", {})
    context = _kinds(
        {
            "r": data.get("skill_context", {}).get("ignore", []),
            "s": data.get("skill_context", {}).get("setting", []),
        }
    )
    return Lexicon(
        abbreviations=frozenset(a.lower() for a in data["sentences"]["abbreviations"]),
        bullets="".join(data["sentences"]["bullets"]),
        short_line=int(data["sentences"]["short_line"]),
        header=re.compile(
            rf"[ \t]*(?:{'|'.join(re.escape(h) for h in boilerplate.get('header', []))})[ \t]*:",
            re.IGNORECASE,
        ),
        sign_off=frozenset(s.lower() for s in boilerplate.get("sign_off", [])),
        boilerplate=_compile_low(boilerplate.get("sentences", [])),
        formula=(
            re.compile("|".join(f"(?:{f})" for f in boilerplate["formula"]), re.IGNORECASE)
            if boilerplate.get("formula")
            else None
        ),
        contrast=_required(data["clauses"]["contrast"]),
        praise_override=_required(polarity["praise_override"]),
        reassurance=_compile_low(polarity.get("reassurance", [])),
        negation_before=re.compile(rf"(?<!\w)(?:{negation})(?:\s+[\w\-]+){{0,3}}\s*$", re.I),
        ignore=_required(polarity["ignore"]),
        label_max_words=int(data["label"]["label_max_words"]),
        oc_strong=_compile_low(data["areas"]["outside_control"].get("strong", [])),
        oc_ignore=_compile_low(data["areas"]["outside_control"].get("ignore", [])),
        oc_chosen=_compile_low(data["areas"]["outside_control"].get("chosen", [])),
        oc_yields_to=frozenset(data["areas"]["outside_control"].get("yields_to", [])),
        oc_comparison=_compile_low(data["areas"]["outside_control"].get("comparison", [])),
        oc_quantity=_compile_low(data["areas"]["outside_control"].get("quantity", [])),
        oc_volume=_compile_low(data["areas"]["outside_control"].get("volume", [])),
        oc_volume_explained=_compile_low(
            data["areas"]["outside_control"].get("volume_explained", [])
        ),
        resume_shows_skill=_compile_low(data["areas"]["resume"].get("shows_skill", [])),
        strong_all=strong_all,
        topic_all=topic_all,
        setting_all=setting_all,
        area_groups={k: areas[group_names[g]] for k, g in area_keys.items()},
        polarity_all=re.compile(polarity_pattern),
        polarity_groups=polarity_keys,
        skills=skills,
        skills_case_sensitive=skills_cs,
        skill_canonical={**canonical, **{f"cs:{k}": v for k, v in canonical_cs.items()}},
        skill_context=context[0],
        skill_context_kinds=context[1],
        skill_frame=_skill_frame(data.get("skill_frames")),
        skill_prefix=qualifiers[0],
        skill_suffix=qualifiers[1],
        skill_frame_after=frozenset(
            w.lower() for w in data.get("skill_frames", {}).get("after", [])
        ),
        skill_frame_keep=frozenset(
            w.lower() for w in data.get("skill_frames", {}).get("keep_after", [])
        ),
        skill_frame_stop=frozenset(w.lower() for w in data.get("skill_frames", {}).get("stop", [])),
        skill_frame_leading=frozenset(
            w.lower() for w in data.get("skill_frames", {}).get("drop_leading", [])
        ),
        skill_lower_frame=_skill_lower_frame(lower),
        skill_lower_after=_skill_lower_after(lower),
        skill_lower_keep=frozenset(w.lower() for w in lower.get("keep_after", [])),
        skill_lower_stop=frozenset(w.lower() for w in lower.get("stop", [])),
        skill_lower_generic=frozenset(w.lower() for w in lower.get("generic", [])),
        skill_lower_trailing=frozenset(w.lower() for w in lower.get("trailing", [])),
        ambiguous_after=frozenset(w.lower() for w in frames["after"]),
        ambiguous_before=frozenset(w.lower() for w in frames["before"]),
        ambiguous_after_lower=frozenset(w.lower() for w in frames["after_lower"]),
        ambiguous_framed=frozenset(w.lower() for w in frames.get("framed", [])),
        respell=_respell(respell_words),
        respell_words=respell_words,
        shout_letters=int(data.get("respell", {}).get("shout_letters", 0)),
        shout_share=float(data.get("respell", {}).get("shout_share", 1.0)),
        reapply_cues=_required(reapply["cues"]),
        reapply_retention=_required(reapply["retention"]),
        reapply_duration=duration,
        reapply_numbers={k.lower(): int(v) for k, v in numbers.items()},
        reapply_unit_days={k: int(v) for k, v in reapply["unit_days"].items()},
    )


def read_data() -> dict[str, Any]:
    """The parsed ``lexicon.toml`` shipped with the package."""
    import tomllib
    from importlib import resources

    text = resources.files(__package__).joinpath("lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def lexicon() -> Lexicon:
    """The compiled lexicon, made on first use and kept for the life of the process: from the
    ahead-of-time cache when one was made from today's lexicon and interpreter (each pattern
    then compiled on its first use, ``bounceback.analysis.compiled``), else built here."""
    from bounceback.analysis import compiled

    cached = compiled.load()
    return cached if cached is not None else build(read_data())
