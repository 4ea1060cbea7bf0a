"""The rules that turn a rejection or feedback text into improvement areas.

A rule-based reader, deliberately: it runs in well under a millisecond, needs no model, and every
decision can be traced to a line of ``lexicon.toml``. The order of work for each sentence:

1. straighten quotes and lower-case (same length, so offsets stay valid);
2. blank phrases that carry no signal ("good luck", "future opportunities that match...");
3. find outside-control reasons and blank them, so "a candidate whose experience more closely
   matches" cannot also read as an experience gap;
4. cut the sentence into clauses (at "but", "however"...) and segments (at commas, semicolons),
   and give each segment a polarity: gap, praise or neutral (see ``lexicon.toml``);
5. an area's strong cues count unless negated just before; its topics and the named skills count
   in gap segments only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bounceback.analysis.lexicon import Lexicon, lexicon, skill_key
from bounceback.analysis.text import (
    Sentence,
    evidence,
    lower_same_length,
    plain,
    split_sentences,
)

if TYPE_CHECKING:
    from bounceback.model import AreaFinding

GAP, NEUTRAL, PRAISE = 1, 0, -1
_SEGMENT_BREAK = re.compile(r"[,;:()\[\]]|\s-{1,2}\s|\s\u2022\s")
_OWN_STATEMENT = re.compile(r"\s*(?:and|so|as|because|since|then|also|plus|whereas)\b")
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
TECHNICAL = "technical_skills"
EXPERIENCE = "experience"
OUTSIDE_CONTROL = "outside_control"


def _blank(text: str, pattern: re.Pattern[str] | None) -> str:
    """``text`` with every match of ``pattern`` replaced by spaces (offsets kept)."""
    if pattern is None:
        return text
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


@dataclass(slots=True)
class _Hit:
    order: tuple[int, int]
    evidence: str
    skills: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Segments:
    """Segment boundaries of one sentence and the polarity each segment settles on."""

    starts: list[int]
    polarity: list[int]

    def at(self, pos: int) -> int:
        # The segment holding offset ``pos``: the last start at or before it.
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _segments(low: str, lex: Lexicon, default: int) -> _Segments:
    """Cut at segment breaks and clause (contrast) words, and settle each segment's polarity.

    A segment's own polarity: GAP if it holds a strong gap cue or negated praise, else PRAISE if
    it holds praise, else GAP if it holds a weak gap cue, else NEUTRAL. A neutral segment takes
    the polarity of the nearest non-neutral segment in its clause (earlier ones first), else
    ``default``.
    """
    cuts: dict[int, bool] = {0: True}  # offset -> starts a new clause
    for m in _SEGMENT_BREAK.finditer(low):
        cuts.setdefault(m.end(), False)
    for m in lex.contrast.finditer(low):
        cuts[m.start()] = True
    starts = sorted(cuts)
    clause: list[int] = []
    clause_id = -1
    for s in starts:
        if cuts[s]:
            clause_id += 1
        clause.append(clause_id)
    segments = _Segments(starts=starts, polarity=[])

    # One scan of the whole sentence; each cue counts for the segment it starts in.
    kinds: list[set[str]] = [set() for _ in starts]
    for m in lex.polarity_all.finditer(_blank(low, lex.praise_override)):
        kinds[segments.at(m.start())].add(m.lastgroup or "")
    own = [
        GAP if k & {"g", "n"} else PRAISE if "p" in k else GAP if "w" in k else NEUTRAL
        for k in kinds
    ]
    settled = list(own)
    for i, pol in enumerate(own):
        if pol != NEUTRAL:
            continue
        found = NEUTRAL
        for j in range(i - 1, -1, -1):  # nearest earlier segment of the clause first
            if clause[j] != clause[i]:
                break
            if own[j] != NEUTRAL:
                found = own[j]
                break
        if found == NEUTRAL:
            for j in range(i + 1, len(own)):
                # A later segment opening with "and you...", "so..." is a statement of its
                # own: "Your CV undersold your experience, and you didn't..." must not colour
                # the experience mention.
                if clause[j] != clause[i] or _OWN_STATEMENT.match(low, starts[j]):
                    break
                if own[j] != NEUTRAL:
                    found = own[j]
                    break
        settled[i] = found if found != NEUTRAL else default
    segments.polarity.extend(settled)
    return segments


def _negated(low: str, seg_start: int, pos: int, lex: Lexicon) -> bool:
    return bool(lex.negation_before.search(low, seg_start, pos))


class _Reader:
    """Collects the findings of one text."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.hits: dict[str, _Hit] = {}

    def add(self, area: str, order: tuple[int, int], sentence: Sentence, skills: list[str]) -> None:
        hit = self.hits.get(area)
        if hit is None:
            hit = self.hits[area] = _Hit(order, evidence(self.text, sentence, self.lex))
        for skill in skills:
            if skill not in hit.skills:
                hit.skills.append(skill)

    def skills_in(self, low: str, original: str) -> list[tuple[int, int, str]]:
        """Named skills as (start, end, canonical name), in order. ``low`` is the lower-cased
        sentence with blanked spans; ``original`` the same sentence as written, for the skills
        that only count when capitalised ("Go", "Swift")."""
        found: list[tuple[int, int, str]] = []
        for m in self.lex.skills.finditer(low):
            name = self.lex.skill_canonical.get(skill_key(m.group(0)))
            if name:
                found.append((m.start(), m.end(), name))
        for m in self.lex.skills_case_sensitive.finditer(original):
            if low[m.start() : m.end()].strip() != m.group(0).lower():
                continue  # blanked: part of an ignored or outside-control span
            name = self.lex.skill_canonical.get("cs:" + skill_key(m.group(0)))
            if name:
                found.append((m.start(), m.end(), name))
        return sorted(found)

    def read(self, index: int, sentence: Sentence, default: int) -> int:
        """Read one sentence; returns its overall polarity (used by list headings)."""
        lex = self.lex
        original = plain(self.text[sentence.start : sentence.end])
        low = _blank(lower_same_length(original), lex.ignore)

        # Outside-control reasons first; their spans are then hidden from the other areas.
        oc = lex.outside_control
        consumed = low
        if oc.strong is not None:
            matches = list(oc.strong.finditer(low))
            if matches:
                self.add(OUTSIDE_CONTROL, (index, matches[0].start()), sentence, [])
                consumed = _blank(low, oc.strong)
        segments = _segments(consumed, lex, default)
        # Topics and skills count in gap segments only: a sentence without one is read for
        # strong cues alone, which keeps praise and small talk cheap.
        has_gap = GAP in segments.polarity
        skills: list[tuple[int, int, str]] = []
        if has_gap:
            skills = self.skills_in(_blank(consumed, lex.skill_context), original)
            # Skill words are not area topics: "data structures" is not about answer structure.
            for start, end, _ in skills:
                consumed = consumed[:start] + " " * (end - start) + consumed[end:]

        gap_skills = [(p, s) for p, _, s in skills if segments.polarity[segments.at(p)] == GAP]
        skill_segments = {segments.at(p) for p, _, _ in skills}

        self._read_areas(
            index, sentence, low, consumed if has_gap else None, segments, skill_segments
        )
        if gap_skills:
            self.add(TECHNICAL, (index, gap_skills[0][0]), sentence, [s for _, s in gap_skills])

        polarities = set(segments.polarity)
        return GAP if GAP in polarities else (PRAISE if PRAISE in polarities else NEUTRAL)

    def _read_areas(
        self,
        index: int,
        sentence: Sentence,
        low: str,
        consumed: str | None,
        segments: _Segments,
        skill_segments: set[int],
    ) -> None:
        """Strong cues (in ``low``) and, when the sentence has a gap, topics (in ``consumed``,
        where outside-control spans and skill words are blanked) of every area but
        outside_control; the earliest qualifying cue of each area is kept."""
        lex = self.lex
        first: dict[str, int] = {}
        for m in lex.strong_all.finditer(low):
            rules = lex.area_groups[m.lastgroup or ""]
            if rules.area in first:
                continue
            seg = segments.at(m.start())
            # Strong cues are gaps by themselves, but not when praised ("great culture fit") or
            # negated just before ("never seemed nervous").
            if segments.polarity[seg] == PRAISE:
                continue
            if not _negated(low, segments.starts[seg], m.start(), lex):
                first[rules.area] = m.start()
        if consumed is not None:
            ignored: dict[str, str] = {}
            topic_first: dict[str, int] = {}
            for m in lex.topic_all.finditer(consumed):
                rules = lex.area_groups[m.lastgroup or ""]
                if rules.area in topic_first:
                    continue
                seg = segments.at(m.start())
                if segments.polarity[seg] != GAP:
                    continue
                # "experience with Kafka" is a skill gap, not a career-length one.
                bound = rules.skill_bound
                if seg in skill_segments and bound is not None and bound.fullmatch(m.group(0)):
                    continue
                if rules.ignore is not None:
                    # Phrases that mention the topic without being about it, for this area only
                    # ("sharing your experience"): the match must survive their blanking.
                    if rules.area not in ignored:
                        ignored[rules.area] = _blank(consumed, rules.ignore)
                    if ignored[rules.area][m.start() : m.end()] != m.group(0):
                        continue
                topic_first[rules.area] = m.start()
            for area, pos in topic_first.items():
                first[area] = min(pos, first.get(area, pos))
        for area, pos in first.items():
            self.add(area, (index, pos), sentence, [])


def _label_like(text: str, lex: Lexicon) -> bool:
    words = _WORD.findall(text)
    return 0 < len(words) <= lex.label_max_words


def analyse(text: str) -> tuple[AreaFinding, ...]:
    """The improvement areas a rejection message, ATS reason or feedback text points at.

    At most one finding per area, ordered by first appearance; each quotes the first sentence that
    shows it (whitespace normalised). ``technical_skills`` carries the skill words named as gaps.
    A text that gives no reason yields no findings.
    """
    from bounceback.model import Area, AreaFinding

    lex = lexicon()
    reader = _Reader(text, lex)
    sentences = split_sentences(text, lex)
    # A short ATS label ("Salary expectations") has no gap words: its topics are the reason.
    label = len(sentences) == 1 and _label_like(text, lex)
    heading_polarity = NEUTRAL
    for index, sentence in enumerate(sentences):
        default = GAP if label else (heading_polarity if sentence.bullet else NEUTRAL)
        polarity = reader.read(index, sentence, default)
        if sentence.heading:
            # "Areas to improve:" colours the list items under it; "What went well:" too.
            heading_polarity = polarity
        elif not sentence.bullet:
            heading_polarity = NEUTRAL
    ordered = sorted(reader.hits.items(), key=lambda item: item[1].order)
    return tuple(
        AreaFinding(
            area=Area(area),
            evidence=hit.evidence,
            skills=tuple(hit.skills) if area == TECHNICAL else (),
        )
        for area, hit in ordered
    )
