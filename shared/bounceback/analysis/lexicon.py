"""Loading and compiling ``lexicon.toml``: the cues the analyser reads, as compiled regexes.

The TOML file is read once, on first use, and compiled into one regex per cue group (an
alternation), so analysing a message costs a handful of regex scans and no parsing. The imports
of ``tomllib`` and ``importlib.resources`` are deferred to that first use as well, which keeps
``import bounceback.analysis`` cheap for functions that never analyse anything.
"""

from __future__ import annotations

import re
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
    """The cues of one improvement area."""

    area: str
    strong: re.Pattern[str] | None
    topic: re.Pattern[str] | None
    ignore: re.Pattern[str] | None
    skill_bound: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The compiled lexicon. Field meanings are documented in ``lexicon.toml``."""

    abbreviations: frozenset[str]
    bullets: str
    short_line: int
    contrast: re.Pattern[str]
    praise_override: re.Pattern[str]
    strong_gap: re.Pattern[str]
    weak_gap: re.Pattern[str]
    praise: re.Pattern[str]
    negated_praise: re.Pattern[str]
    negation_before: re.Pattern[str]
    ignore: re.Pattern[str]
    label_max_words: int
    outside_control: AreaRules
    areas: tuple[AreaRules, ...]
    skills: re.Pattern[str]
    skills_case_sensitive: re.Pattern[str]
    skill_canonical: dict[str, str]
    skill_context: re.Pattern[str] | None
    reapply_cues: re.Pattern[str]
    reapply_retention: re.Pattern[str]
    reapply_duration: re.Pattern[str]
    reapply_numbers: dict[str, int]
    reapply_unit_days: dict[str, int]


def _alternation(patterns: list[str]) -> str:
    # Longest first: the regex engine takes the first alternative that matches at a position,
    # and "react native" must win over "react".
    ordered = sorted(patterns, key=len, reverse=True)
    return "|".join(f"{_BEFORE}(?:{p}){_AFTER}" for p in ordered)


def _compile(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile(_alternation(patterns), flags)


def _required(patterns: list[str]) -> re.Pattern[str]:
    compiled = _compile(patterns)
    if compiled is None:
        raise ValueError("lexicon group must not be empty")
    return compiled


def skill_key(text: str) -> str:
    """How a matched skill is looked up: lower case, spaces and hyphens dropped."""
    return re.sub(r"[\s\-]+", "", text.lower())


def _skill_pattern(alias: str) -> str:
    # Literal aliases; spaces and hyphens are interchangeable ("system-design", "system design").
    parts = [re.escape(word) for word in re.split(r"[\s\-]+", alias)]
    return r"[\s\-]*".join(parts) if "-" in alias else r"[\s\-]+".join(parts)


def _skills(table: dict[str, list[str]], flags: int) -> tuple[re.Pattern[str], dict[str, str]]:
    canonical: dict[str, str] = {}
    patterns: list[str] = []
    for name, aliases in table.items():
        for alias in aliases:  # the canonical name matches only if listed (see "Go")
            canonical[skill_key(alias)] = name
            patterns.append(_skill_pattern(alias))
    ordered = sorted(set(patterns), key=len, reverse=True)
    # Skills may end in "+" or "#" ("C++", "C#"), so the right edge also refuses those.
    body = "|".join(ordered)
    return re.compile(rf"(?<![\w.#+])(?:{body})(?![\w#+&])", flags), canonical


def _area(name: str, table: dict[str, Any]) -> AreaRules:
    return AreaRules(
        area=name,
        strong=_compile(table.get("strong", [])),
        topic=_compile(table.get("topic", [])),
        ignore=_compile(table.get("ignore", [])),
        skill_bound=_compile(table.get("skill_bound", [])),
    )


def build(data: dict[str, Any]) -> Lexicon:
    """Compile a parsed lexicon (exposed for tests that try a modified lexicon)."""
    polarity = data["polarity"]
    praise_words = _alternation(polarity["praise"])
    negation = "|".join(polarity["negation"])
    areas = {name: _area(name, table) for name, table in data["areas"].items()}
    skills, canonical = _skills(data["skills"], re.IGNORECASE)
    skills_cs, canonical_cs = _skills(data["skills_case_sensitive"], 0)
    reapply = data["reapply"]
    numbers: dict[str, int] = dict(reapply["numbers"])
    number_words = "|".join(re.escape(w) for w in sorted(numbers, key=len, reverse=True))
    duration = re.compile(
        rf"(?<!\w)(?:(?P<half>half an?)\s+(?P<hunit>year|month)"
        rf"|(?P<num>\d{{1,4}}|{number_words})[\s\-]+(?:\(\d{{1,4}}\)[\s\-]+)?"
        rf"(?P<unit>day|week|fortnight|month|year)s?)(?!\w)",
        re.IGNORECASE,
    )
    return Lexicon(
        abbreviations=frozenset(a.lower() for a in data["sentences"]["abbreviations"]),
        bullets="".join(data["sentences"]["bullets"]),
        short_line=int(data["sentences"]["short_line"]),
        contrast=_required(data["clauses"]["contrast"]),
        praise_override=_required(polarity["praise_override"]),
        strong_gap=_required(polarity["strong_gap"]),
        weak_gap=_required(polarity["weak_gap"]),
        praise=re.compile(praise_words, re.IGNORECASE),
        # A praise word with a negation up to three words before it: "not very clear",
        # "wasn't as strong as", "less confident".
        negated_praise=re.compile(
            rf"(?<!\w)(?:{negation})\s+(?:[\w\-]+\s+){{0,3}}?(?:{praise_words})", re.IGNORECASE
        ),
        negation_before=re.compile(rf"(?<!\w)(?:{negation})(?:\s+[\w\-]+){{0,3}}\s*$", re.I),
        ignore=_required(polarity["ignore"]),
        label_max_words=int(data["label"]["label_max_words"]),
        outside_control=areas.pop("outside_control"),
        areas=tuple(areas.values()),
        skills=skills,
        skills_case_sensitive=skills_cs,
        skill_canonical={**canonical, **{f"cs:{k}": v for k, v in canonical_cs.items()}},
        skill_context=_compile(data.get("skill_context", {}).get("ignore", [])),
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
    """The compiled lexicon, built on first use and kept for the life of the process."""
    return build(read_data())
