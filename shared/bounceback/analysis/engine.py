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
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bounceback.analysis.lexicon import LOWER_TAIL, Lexicon, lexicon, skill_key
from bounceback.analysis.text import (
    Sentence,
    evidence,
    lower_same_length,
    plain,
    respell,
    split_sentences,
    unread_spans,
)

if TYPE_CHECKING:
    from bounceback.model import AreaFinding

GAP, NEUTRAL, PRAISE = 1, 0, -1
# Two kinds of gap segment that count for area topics but are read differently for skills:
# a requirement ("we need someone fluent in French") names a gap unless the sentence says it is
# met or pins the gap on another skill; a mismatch ("most of your work has been in Java") says
# what the candidate has instead, so its skills are not gaps.
REQUIREMENT, MISMATCH = 2, 3
GAPLIKE = frozenset({GAP, REQUIREMENT, MISMATCH})
# Where a named skill stands: the subject of the sentence (a gap where the segment is one), the
# setting it came up in ("in the SQL section": a gap only when nothing else is), or the role and
# the employer ("for a backend role at a healthtech": never a gap).
SUBJECT, SETTING, ROLE = 0, 1, 2
_SEGMENT_BREAK = re.compile(r"[,;:()\[\]]|\s-{1,2}\s|\s\u2022\s")
# A short aside in brackets does not cut its phrase: "very good German skills (minimum C1) are
# necessary" is one requirement, not praise and then a requirement.
_SHORT_ASIDE = re.compile(r"\((?:[^()\s]+ ?){1,3}\)")
# A gap segment whose subject is left implied: a pronoun ("and it did not address..."), or none
# at all after a contrast ("but quite general", "but did not link them..."). Openers and adverbs
# are skipped; a segment opening with a subject of its own ("but we", "but your answers") is not.
_IMPLIED_SUBJECT = re.compile(
    r"\W*(?:(?:and|but|however|though|although|yet|so|while|sadly|unfortunately|also|then|"
    r"just|still|perhaps|maybe|quite|very|rather|a bit|a little|somewhat|fairly|pretty|"
    r"slightly|overall|really|simply|generally|often|sometimes|at times)\W+)*"
    r"(?:it|they|this|these|those|which|did|didn\x27t|does|doesn\x27t|was|wasn\x27t|were|"
    r"weren\x27t|is|isn\x27t|are|aren\x27t|had|hadn\x27t|has|hasn\x27t|could|couldn\x27t|"
    r"would|wouldn\x27t|lacked|lacking|missing|not|no|nowhere|felt|seemed|came|ran|went|too|general|"
    r"generic|vague|short|thin|light|weak|limited|unclear|brief|long|lengthy|dense|hard|"
    r"difficult|unfocused|patchy|rushed|incomplete|without|with little|with no)\b"
)
# The end of a subject: the first verb of a segment ("Your cover letter | was...", "The personal
# statement | described...").
_FIRST_VERB = re.compile(
    r"(?<![\w\x27])(?:is|was|were|are|be|been|has|had|have|felt|seemed|looked|came|did|does|do|"
    r"didn\x27t|doesn\x27t|wasn\x27t|weren\x27t|isn\x27t|aren\x27t|could|would|should|will|can|"
    r"may|might|must|shows?|reads?|lacks?|needs?|contains?|\w+ed)(?![\w\x27])"
)
_OWN_STATEMENT = re.compile(r"\s*(?:and|so|as|because|since|then|also|plus|whereas)\b")
# A segment with a subject and a finite verb of its own is a statement, not a fragment of the
# list before it: "...deeper Kotlin experience; the team uses Java" must not make Java a gap.
_STANDALONE = re.compile(
    r"(?<![\w\x27])(?:is|are|was|were|has|have|had|does|did|will|would|can|could|should|uses?"
    r"|used|\w+\x27(?:s|re|ve|d|ll)|you|we|they|i)(?![\w\x27])"
)
# A segment that explains ("as you'll work with our Shanghai office") rather than states a fact.
_EXPLANATION = re.compile(r"\s*(?:as|because|since|so|given|which|who|where|when|if|to)\b")
# Words that point back at skills named earlier in the sentence ("your exposure to both"), and
# openers that narrow what came before to the skills named ("..., in particular UK GDPR").
_BACK_REFERENCE = re.compile(
    r"(?<![\w\x27])(?:to|with|in|of|on|for|using|around|across|cover|covers|covered|include|includes)"
    r" (?:both|either|neither|it|them"
    r"|(?:these|those|this|that)(?: (?:areas?|tools?|skills?|systems?|things|topics?)|(?! \w))"
    r"|the (?:system|software|tool|platform|language|package|kit|machine))(?![\w\x27])"
)
_NARROWING = re.compile(
    r"\W*(?:in particular|particularly|especially|notably|specifically|including|such as|e\.g\.?)\b"
)
# A relative clause that goes on about the skills just named: "...centres on Spark and Kafka, which
# weren't part of your background", "..., neither of which you have used".
_RELATIVE = re.compile(r"\W*(?:(?:neither|none|both|all|either|each|one) of )?which\b")
# A score or result that leaves its test unnamed ("your score fell below the benchmark").
_SCORE = re.compile(r"(?<![\w\x27])(?:scores?|scored|results?|marks?)(?![\w\x27])")
_CANDIDATE = re.compile(r"(?<![\w\x27])(?:you|your|yours|you\x27\w+)(?![\w\x27])")
# The candidate as the subject of a mismatch, in an email ("your work") or in their own notes ("I've
# mostly done Java").
_SPEAKS_OF_CANDIDATE = re.compile(
    r"(?<![\w\x27])(?:you|your|yours|you\x27\w+|i|i\x27\w+|my|me)(?![\w\x27])"
)
_SPEAKS_OF_EMPLOYER = re.compile(
    r"(?<![\w\x27])(?:we|we\x27\w+|us|they|they\x27\w+|"
    r"(?:the|this|our|their|that) (?:[\w-]+ ){0,2}?(?:role|job|position|post|client|company|"
    r"employer|business|firm|campaign|vacancy|team|work|hiring manager|panel))(?![\w\x27])"
)
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
_CODE = re.compile(r"(?=.*[A-Z].*[A-Z0-9]|.*\d)[A-Z0-9][\w+#&/-]*")  # "UVM", "ROS", "5G"
_NEXT_WORD = re.compile(r"\s*([\w']+)?")
_PREV_WORD = re.compile(r"([\w.']+)\W*$")
# The capitalised words (and dashes) just before a position: "Warehouse Associate - ".
_TITLE_RUN = re.compile(r"((?:[A-Z][\w&\x27.-]*[ \t]+(?:[-\u2013\u2014][ \t]+)?)+)$")
_TITLE_NEXT = re.compile(r"[ \t]+(?:[-\u2013\u2014][ \t]+)?[A-Z][a-z]")
_LEADING = " \t\"'([*-\u2022>"  # what may precede the first word of a sentence
TECHNICAL = "technical_skills"
RESUME = "resume"
EXPERIENCE = "experience"
OUTSIDE_CONTROL = "outside_control"
# What a sentence must say for a bare mention of experience to be a gap in it: an amount, a level
# or a shortfall ("not enough", "two years", "so far", "mainly in agency work"). Without one, "we
# need someone with Lloyd's market experience" or "we don't see any macOS or Jamf experience" names
# the kind of work the role needs: a skill or domain, not the length of a career.
_KIND_OF_EXPERIENCE = re.compile(
    r"experi\w*|expere?ince|experince|background|exposure|familiarity|hands-on"
)
_AMOUNT = re.compile(
    r"(?<![\w\x27])(?:enough|sufficient|insufficient|more|less|limited|little|lack\w*|minimum|"
    r"min|at least|years?|yrs|months?|level|senior\w*|junior|deeper|further|additional|extra|"
    r"yet|so far|gap|match\w*|mainly|mostly|most|only|largely|all)(?!\w)"
)

# Years of experience counted ("at least three years of industry experience", "minimum 2 years'
# operating experience"): a career-length gap even where a skill or a qualification is named in
# the same segment ("a PhD plus at least three years of industry experience"), unless the words
# around it name a skill ("three years of Kafka experience", "3 years experience in KYC/AML").
_COUNTED_YEARS = re.compile(
    r"(?<![\w-])(?:\d+(?:\.\d+)?\+?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
    r"fifteen|twenty|a couple of|several|many)(?:\s*(?:-|to|or)\s*\w+)?\s+(?:more\s+)?"
    r"years?\x27?(?:\s+of)?\s+(?P<kind>(?:[\w-]+\s+){0,2}?)experience"
    r"(?P<field>\s+(?:in|with|of|on|using)\s+[^,;:()]{1,40})?"
)


# Whose keenness, confidence or excitement a cue names: the word before it and the verbs between
# ("Marcus was very keen", "we're excited", "the team did not feel confident"). Someone other than
# the candidate being keen or excited is no gap of theirs; the employer not being confident (that
# the candidate would fit) is a doubt whose reason lies elsewhere in the message.
_HOLDER = re.compile(
    r"(?<![\w\x27])(?P<who>[a-z]+)(?P<be>\x27(?:re|s|m|ve|d))?"
    r"(?P<verbs>(?: (?:was|were|is|are|am|be|been|being|felt|feel|feels|seemed|seems|sounded|"
    r"seem|look|looks|looked|sound|sounds|appear|appears|appeared|"
    r"remains?|remained|got|get|getting|also|still|really|very|so|quite|genuinely|particularly|"
    r"extremely|all|definitely|always|incredibly|super|did|didn\x27t|do|don\x27t|does|"
    r"doesn\x27t|wasn\x27t|weren\x27t|isn\x27t|aren\x27t|not|never|fully|entirely|"
    r"sufficiently))*) $"
)
_NOT_A_HOLDER = frozenset({"you", "and", "but", "or", "that", "which", "who", "it", "this", "so"})
_EMPLOYER = frozenset(
    {
        "we",
        "they",
        "panel",
        "team",
        "manager",
        "managers",
        "client",
        "board",
        "committee",
        "interviewers",
        "partners",
        "director",
        "leadership",
        "business",
        "company",
        "firm",
        "owners",
    }
)
_NEGATION_WORD = re.compile(r"n\x27t|\b(?:not|never)\b")
CONFIDENCE = "confidence"


def _someone_elses_state(low: str, start: int) -> bool:
    """Whether the confidence cue at ``start`` is another person's state, not the candidate's:
    "Marcus was very keen to pass on...", "we're excited about the team", "the panel did not feel
    confident that you shared our approach" (the employer's doubt)."""
    m = _HOLDER.search(low, max(0, start - 80), start)
    if m is None or not (m.group("be") or m.group("verbs")):
        return False
    who = m.group("who")
    if who in _NOT_A_HOLDER or who.endswith("ly") or _HOLDER.fullmatch(f"x {who} "):
        return False
    if _NEGATION_WORD.search(m.group("verbs")) is None:
        return True
    return m.group("who") in _EMPLOYER


# "Preparing" as the work itself: a direct object that is a piece of work ("preparing the
# month-end accruals", "prepared PPAP documentation for a customer", "the preparation of SDLT
# returns") rather than what one prepares for an interview (answers, examples, a presentation).
_INTERVIEW_THING = (
    r"(?:interviews?|presentations?|pitch\w*|talks?|slides?|decks?|answers?|questions?|examples?|"
    r"stories|stor(?:y|ies)|case\w*|tasks?|exercises?|assessments?|tests?|briefs?|notes|plans?|"
    r"responses?|yourself|properly|well|enough|thoroughly|adequately|sufficiently|fully|"
    r"carefully|for|in|before|beforehand|ahead|to|and|or|was|were|is|are|would|could|should|"
    r"will|on|at|you|them|it|this|that)\b"
)
_WORK_PREPARED = re.compile(
    r"(?:prepar(?:e|es|ed|ing)|preparation of)"
    rf"(?: (?:the|a|an|all|our|their|his|her|its|both|several|multiple|monthly|weekly|daily|"
    rf"annual|quarterly|\d+))? (?!{_INTERVIEW_THING})[a-z][\w&/-]*"
)
PREPARATION = "preparation"
# Time to become productive: bound to a skill gap named earlier in the message.
_RAMP_UP = re.compile(
    r"ramp(?:-| )?up(?: time| period)?|get(?:ting)? (?:\w+ )?up to speed|learning curve|"
    r"hit the ground running"
)


def _mention_only(area: str, low: str, m: re.Match[str]) -> bool:
    """Whether a topic cue of ``area`` in the sentence ``low`` only mentions the area's subject
    without stating a gap in it, whoever's sentence it is:

    * a bare "experience" or "background" with no amount, level or shortfall in the sentence (the
      kind of work named is a skill or domain: "we need someone with Lloyd's market experience");
    * keenness, excitement or confidence held by someone other than the candidate ("Marcus was
      very keen to pass on...");
    * preparing as the work itself ("preparing the month-end accruals").
    """
    if area == EXPERIENCE:
        return _KIND_OF_EXPERIENCE.fullmatch(m.group(0)) is not None and _AMOUNT.search(low) is None
    if area == CONFIDENCE:
        return _someone_elses_state(low, m.start())
    if area == PREPARATION:
        return _WORK_PREPARED.match(low, m.start()) is not None
    return False


_NAME_QUALIFIERS = frozenset({"registration", "licence", "license"})
_VERSION = re.compile(r"v?\d{1,4}(?:\.\d+)?")


def _unpunctuated(key: str) -> str:
    return key.replace("/", "").replace(".", "")


def _names_itself(written: str, canonical: str) -> bool:
    """Whether a skill written as a name ("DaVinci Resolve", "DCF", "Driver CPC") is reported as
    written rather than as the broader canonical skill its alias maps to ("video editing",
    "financial modelling"): skill words are the words named (LABELS.md). A lower-case word, the
    canonical name itself, a spelling of it ("Postgres", "ReactJS"), its initials ("ML") or a
    numeronym ("K8s") is reported canonically."""
    key, canon = skill_key(written), skill_key(canonical)
    if key == canon or not any(c.isupper() for c in written):
        return False
    if _unpunctuated(key) == _unpunctuated(canon):
        return True  # the same name punctuated as written: "SAP FI/CO", not "SAP FICO"
    if key.startswith(canon) and key[len(canon) :] in _NAME_QUALIFIERS:
        return True  # the name with its registration or licence: "Gas Safe registration"
    if key.startswith(canon) and _VERSION.fullmatch(key[len(canon) :]):
        return True  # the name with its version or edition: "Sage 50", not "Sage"
    if key[:3] == canon[:3] or canon.startswith(key) or key.startswith(canon):
        return False
    initials = "".join(w[0] for w in re.split(r"[\s\-/]+", canonical.lower()) if w)
    if key == initials:
        return False
    return not (any(c.isdigit() for c in key) and key[0] == canon[0] and key[-1] == canon[-1])


class _Context:
    """Where the skills of one sentence stand (see ``_Reader.skills_in``): the context spans are
    sought once, on the first skill asked about, so a sentence naming none pays nothing."""

    __slots__ = ("_lex", "_low", "_spans")

    def __init__(self, low: str, lex: Lexicon) -> None:
        self._low = low
        self._lex = lex
        self._spans: list[tuple[int, int, int]] | None = None

    def where(self, start: int) -> int:
        """SUBJECT, SETTING or ROLE for a skill at ``start``."""
        if self._spans is None:
            lex = self._lex
            pattern = lex.skill_context
            self._spans = [
                (
                    m.start(),
                    m.end(),
                    ROLE if lex.skill_context_kinds[m.lastgroup or ""] == "r" else SETTING,
                )
                for m in (pattern.finditer(self._low) if pattern is not None else ())
            ]
        kinds = {kind for a, b, kind in self._spans if a <= start < b}
        return ROLE if ROLE in kinds else SETTING if SETTING in kinds else SUBJECT


def _blank(text: str, pattern: re.Pattern[str] | None) -> str:
    """``text`` with every match of ``pattern`` replaced by spaces (offsets kept)."""
    if pattern is None:
        return text
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _blank_overlapping(
    text: str, pattern: re.Pattern[str], first: re.Match[str], read: str | None = None
) -> str:
    """``text`` with every match of ``pattern`` blanked, overlapping ones too: "moved forward with
    a candidate whose experience more closely matches" is two outside-control phrases that share
    words, and both must be hidden from the other areas. The matches are sought in ``read`` (the
    same text with some phrases blanked, same length) when given."""
    searched = text if read is None else read
    chars = list(text)
    m: re.Match[str] | None = first
    while m is not None:
        chars[m.start() : m.end()] = " " * (m.end() - m.start())
        m = pattern.search(searched, m.start() + 1)
    return "".join(chars)


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
    # Each segment's own polarity, before neutral segments take their neighbours'.
    own: list[int] = field(default_factory=list)

    def at(self, pos: int) -> int:
        # The segment holding offset ``pos``: the last start at or before it (the first segment
        # starts at 0, so a position never falls before it).
        return max(bisect_right(self.starts, pos) - 1, 0)


def _segments(
    low: str, lex: Lexicon, default: int, gaps: list[tuple[int, int]] | None = None
) -> _Segments:
    """Cut at segment breaks and clause (contrast) words, and settle each segment's polarity.

    A segment's own polarity: GAP if it holds a strong gap cue or negated praise, else
    REQUIREMENT if it holds a requirement, else PRAISE if it holds praise (or a requirement met),
    else MISMATCH if it holds a mismatch cue, else GAP if it holds a weak gap cue, else NEUTRAL.
    A neutral fragment takes the polarity of the nearest non-neutral segment in its clause
    (earlier ones first). A neutral segment that is a statement of its own (subject and verb)
    inherits nothing from before it; about the candidate and after a gap or requirement, it is a
    MISMATCH ("...; most of your work has been in Java"). What is left neutral takes
    ``default``. A segment that overlaps one of ``gaps`` (a comparison with the person chosen) is
    a GAP whatever it holds: what the other person had is what the candidate lacked.
    """
    cuts: dict[int, bool] = {0: True}  # offset -> starts a new clause
    asides = {p for m in _SHORT_ASIDE.finditer(low) for p in (m.start(), m.end() - 1)}
    for m in _SEGMENT_BREAK.finditer(low):
        if m.start() not in asides:
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
        kinds[segments.at(m.start())].add(lex.polarity_groups[m.lastgroup or ""])
    ends = [*starts[1:], len(low)]
    for i, k in enumerate(kinds):
        # A mismatch says what the candidate has instead ("most of your work has been in Java");
        # "only" or "mostly" said of the role or the employer ("the client asked us to recruit
        # experienced operators only", "this role mostly covers opening shifts") is not one.
        if (
            "m" in k
            and _SPEAKS_OF_CANDIDATE.search(low, starts[i], ends[i]) is None
            and _SPEAKS_OF_EMPLOYER.search(low, starts[i], ends[i]) is not None
        ):
            k.discard("m")
    if lex.reassurance is not None:
        # "no concerns about your notice period": reassurance is praise for its segment.
        for m in lex.reassurance.finditer(low):
            kinds[segments.at(m.start())].add("p")
    # A description of the role counts as a requirement only where no segment has a gap cue.
    described = REQUIREMENT if not any(k & {"g", "n"} for k in kinds) else NEUTRAL
    own = [
        GAP
        if k & {"g", "n"}
        else REQUIREMENT
        if "r" in k
        else described
        if "d" in k and not k & {"p", "m"}
        else PRAISE
        if "p" in k
        else MISMATCH
        if "m" in k
        else GAP
        if "w" in k
        else NEUTRAL
        for k in kinds
    ]
    for start, end in gaps or ():
        for i in range(segments.at(start), len(starts)):
            if starts[i] >= end:
                break
            own[i] = GAP
    settled = list(own)
    for i, pol in enumerate(own):
        if pol != NEUTRAL:
            continue
        found = NEUTRAL
        standalone = _STANDALONE.search(low, starts[i], ends[i])
        if standalone:
            # A statement about the candidate after a gap or a requirement says what they have
            # instead: "we need someone who can start within two weeks, and your notice period
            # is three months".
            if (
                _CANDIDATE.search(low, starts[i], ends[i])
                and not _EXPLANATION.match(low, starts[i])
                and not GAPLIKE.isdisjoint(own[:i])
            ):
                found = MISMATCH
        else:
            for j in range(i - 1, -1, -1):  # nearest earlier segment of the clause first
                if clause[j] != clause[i]:
                    break
                if own[j] != NEUTRAL:
                    found = own[j]
                    break
        if found == NEUTRAL:
            for j in range(i + 1, len(own)):
                # A later segment opening with "and you...", "so..." is a statement of its own:
                # "Your CV undersold your experience, and you didn't..." must not colour the
                # experience mention.
                if clause[j] != clause[i] or _OWN_STATEMENT.match(low, starts[j]):
                    break
                if own[j] != NEUTRAL:
                    # A statement of its own does not borrow praise from what follows: "you were
                    # very nervous, which is a shame because your CV is excellent".
                    if not (standalone and own[j] == PRAISE):
                        found = own[j]
                    break
        settled[i] = found if found != NEUTRAL else default
    segments.polarity.extend(settled)
    segments.own.extend(own)
    return segments


# A name listed beside a known skill before a skill noun ("Revit and Navisworks skills"): the
# name after the known one, or the one before it.
_LISTED_NAME = r"(?P<n>[A-Z][\w+#.&-]*(?:[ \t]+\d[\w.]*)?)"
_SKILL_NOUN = re.compile(
    r"[ \t]+(?:skills?|experience|knowledge|expertise|proficiency|certifications?)\b"
)
_LISTED_AFTER = re.compile(
    rf"(?:,|,?[ \t]+(?:and|or|&))[ \t]+{_LISTED_NAME}(?=[ \t]+(?:skills?|experience|knowledge|"
    r"expertise|proficiency|certifications?)\b)"
)
_LISTED_BEFORE = re.compile(rf"(?<![\w-]){_LISTED_NAME},?[ \t]+(?:and|or|&)[ \t]+$")


# Every count of applications in [areas.outside_control] `volume` holds one of these.
_VOLUME_WORDS = ("appl", "candidat", "respons", "interest", "cvs")


# A mismatch that gives the candidate only a little of a skill: "you use C4D only a little", "you've
# only touched Kafka briefly".
_SCANT = re.compile(
    r"(?<![\w\x27])(?:(?:only|just) (?:a (?:little|bit)|briefly|occasionally|rarely|slightly|"
    r"a few times|once or twice|once|twice|lightly|superficially)|a little bit|barely|hardly|"
    r"rarely|seldom|very little)(?![\w\x27])"
)


def _scant(low: str, segments: _Segments, pos: int) -> bool:
    """Whether the segment holding ``pos`` gives the candidate only a little of what it names."""
    i = segments.at(pos)
    end = segments.starts[i + 1] if i + 1 < len(segments.starts) else len(low)
    return _SCANT.search(low, segments.starts[i], end) is not None


def _negated(low: str, seg_start: int, pos: int, lex: Lexicon) -> bool:
    return bool(lex.negation_before.search(low, seg_start, pos))


def _within(short: str, long: str) -> bool:
    """Whether a skill name is the whole or the tail or head of a longer one, at a word or hyphen
    boundary: "seo" in "technical seo", "gcp" in "ich-gcp", "haccp" in "haccp level 3"."""
    if short == long:
        return True
    return (long.endswith(short) and long[-len(short) - 1] in " -") or (
        long.startswith(short) and long[len(short)] in " -"
    )


def _joined(
    found: list[tuple[int, int, str, int]], original: str
) -> list[tuple[int, int, str, int]]:
    """Two names of the same skill written side by side are one name, as written: "the 2391
    Inspection and Testing" (a code and the words it stands for), not two skills."""
    out: list[tuple[int, int, str, int]] = []
    for f in found:
        if out:
            last = out[-1]
            if last[2].lower() == f[2].lower() and f[0] == last[1] + 1 and original[last[1]] == " ":
                out[-1] = (last[0], f[1], original[last[0] : f[1]], last[3])
                continue
        out.append(f)
    return out


class _Reader:
    """Collects the findings of one text."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.hits: dict[str, _Hit] = {}
        # Each area's ignored phrases blanked from the sentence being read (see ``_ignored``).
        self._ignored_text: dict[str, str] = {}
        # The sentence read before this one, as read (see ``_previous_settings``).
        self._previous = ""
        # The sentence being read, as written (see ``_in_title``).
        self._original = ""
        # Whether the text says its volume of applications is why it gives no feedback (see
        # ``_volume_reason``), sought once, on the first count of applications.
        self._volume_explained: bool | None = None

    def add(self, area: str, order: tuple[int, int], sentence: Sentence, skills: list[str]) -> None:
        hit = self.hits.get(area)
        if hit is None:
            hit = self.hits[area] = _Hit(order, evidence(self.text, sentence, self.lex))
        for skill in skills:
            key = skill.lower()
            # The longest name wins: "technical SEO" and a later "SEO" are one skill.
            if any(_within(key, s.lower()) for s in hit.skills):
                continue
            hit.skills[:] = [s for s in hit.skills if not _within(s.lower(), key)]
            hit.skills.append(skill)

    def skills_in(self, low: str, original: str) -> list[tuple[int, int, str, int]]:
        """Named skills as (start, end, canonical name, where), in order. ``low`` is the
        lower-cased sentence with blanked spans; ``original`` the same sentence as written, for
        the ambiguous skill words ("Go", "Swift", "R"). ``where`` is SUBJECT, SETTING ("in the
        system design round") or ROLE ("for an iOS role", "the procurement team")."""
        lex = self.lex
        found: list[tuple[int, int, str, int]] = []
        context = _Context(low, lex)
        for m in lex.skills.finditer(low):
            name = lex.skill_canonical.get(skill_key(m.group(0)))
            if name and _names_itself(original[m.start() : m.end()], name):
                name = original[m.start() : m.end()]
            if name:
                found.append(self._qualified(low, original, m.start(), m.end(), name, context))
        lowered = lower_same_length(original)
        for m in lex.skills_case_sensitive.finditer(lowered):
            if low[m.start() : m.end()].strip() != m.group(0).lower():
                continue  # blanked: part of an ignored or outside-control span
            name = lex.skill_canonical.get("cs:" + skill_key(m.group(0)))
            if name and self._names_skill(original, m.start(), m.end()):
                found.append(self._qualified(low, original, m.start(), m.end(), name, context))
        if lex.skill_frame is not None:
            for start, end, name in self._framed(low, original, lowered):
                if lex.skill_suffix is not None:
                    q = lex.skill_suffix.match(original, end)
                    if q is not None and low[end : q.end()] == original[end : q.end()].lower():
                        name, end = name + original[end : q.end()], q.end()
                inside = [f for f in found if f[0] < end and f[1] > start]
                # A known skill inside a longer name ("SAP" in "SAP MM", "IFRS" in "IFRS 17") gives
                # way to it; a list of known skills ("Docker Kubernetes") stays as it is.
                if len(inside) > 1 or any(f[0] <= start and f[1] >= end for f in inside):
                    continue
                found = [f for f in found if f not in inside]
                found.append((start, end, name, context.where(start)))
        if lex.skill_lower_frame is not None:
            for start, end, name in self._lower_framed(low, original, lowered):
                # A known or capitalised name wins over a name read from its frame alone.
                if not any(f[0] < end and f[1] > start for f in found):
                    found.append((start, end, name, context.where(start)))
        for start, end, name in self._listed(low, original, found):
            found.append((start, end, name, context.where(start)))
        found.sort()
        found = _joined(found, original)
        # One name per span: "SEND" inside "SEND Code of Practice" is not a second skill.
        return [
            f
            for f in found
            if not any(
                g is not f and g[0] <= f[0] and g[1] >= f[1] and g[1] - g[0] > f[1] - f[0]
                for g in found
            )
        ]

    def _listed(
        self, low: str, original: str, found: list[tuple[int, int, str, int]]
    ) -> list[tuple[int, int, str]]:
        """Names the vocabulary does not know, listed beside a known skill before a skill noun:
        "strong Revit and Navisworks skills", "Navisworks and Revit experience"."""
        out: list[tuple[int, int, str]] = []
        stop = self.lex.skill_frame_stop
        for start, end, _, _ in found:
            after = _LISTED_AFTER.match(original, end)
            if after is not None:
                out.append((after.start("n"), after.end("n"), after.group("n")))
            if _SKILL_NOUN.match(original, end):
                before = _LISTED_BEFORE.search(original, max(0, start - 40), start)
                if before is not None:
                    out.append((before.start("n"), before.end("n"), before.group("n")))
        return [
            (a, b, n)
            for a, b, n in out
            if n.split()[0].lower() not in stop
            and low[a:b] == original[a:b].lower()
            and not any(f[0] < b and f[1] > a for f in found)
        ]

    def _qualified(
        self,
        low: str,
        original: str,
        start: int,
        end: int,
        name: str,
        context: _Context,
    ) -> tuple[int, int, str, int]:
        """A known skill with the qualifier written next to it that is part of its name ("TIG
        welding", "HACCP Level 3", "C1 licence"; see [skill_qualifiers]). A qualified name is
        given as written ("BSL Level 3", not the canonical "sign language" with a level)."""
        lex = self.lex
        written = original[start:end]
        if lex.skill_prefix is not None and start > 1:
            p = lex.skill_prefix.search(original, max(0, start - 16), start)
            if p is not None:
                q = p.group("q")
                ql = q.lower()
                if (
                    low[p.start() : start] == original[p.start() : start].lower()
                    and ql not in lex.skill_frame_stop
                    and lex.skills.fullmatch(ql) is None
                ):
                    name = written = q + original[p.end("q") : start] + written
                    start = p.start("q")
        if lex.skill_suffix is not None:
            m = lex.skill_suffix.match(original, end)
            if m is not None and low[end : m.end()] == original[end : m.end()].lower():
                name = written + original[end : m.end()]
                end = m.end()
        return start, end, name, context.where(start)

    def _framed(self, low: str, original: str, lowered: str) -> list[tuple[int, int, str]]:
        """Skill names the vocabulary does not know, read from their gap frame ("knowledge of
        Basel III", "an SMSTS certificate"), as (start, end, name as written). Like one regex
        over the text, a frame and its name are one match: a later form starting inside it is
        not read."""
        lex = self.lex
        frames = lex.skill_frame
        assert frames is not None
        matches: list[tuple[int, int, str, re.Match[str]]] = []
        for before, name, group in (
            (frames.before, frames.name, "x"),
            (frames.before_code, frames.code_name, "y"),
        ):
            if before is None:
                continue
            for f in before.finditer(lowered):
                m = name.match(original, f.end())
                if m is not None:
                    matches.append((f.start(), m.end(), group, m))
        for m in frames.rest.finditer(original):
            group = next(g for g in ("s", "c", "z", "b") if m.group(g))
            matches.append((m.start(), m.end(), group, m))
        matches.sort(key=lambda item: (item[0], "xyscbz".index(item[2])))
        out: list[tuple[int, int, str]] = []
        reached = -1
        for start, end, group, m in matches:
            if start < reached:
                continue
            reached = end
            out.extend(self._frame_name(low, original, m, group))
            if group == "x" and m.group("x2"):
                out.extend(self._frame_name(low, original, m, "x2"))
            if group == "y" and m.group("y2"):
                out.extend(self._frame_name(low, original, m, "y2"))
        return out

    def _frame_name(
        self, low: str, original: str, m: re.Match[str], group: str
    ) -> list[tuple[int, int, str]]:
        """The skill name a frame match holds in ``group``, trimmed of leading determiners and
        trailing qualification nouns; none when a stop word begins or ends it."""
        lex = self.lex
        words = m.group(group).split()
        start = m.start(group)
        while words and words[0].lower() in lex.skill_frame_leading:
            start = original.index(words[1], start + len(words[0])) if len(words) > 1 else start
            words.pop(0)
        while words and words[-1].lower() in lex.skill_frame_after:
            words.pop()  # "Scrum Master Certification" names "Scrum Master"
        stop = lex.skill_frame_stop
        if not words or words[0].lower() in stop or words[-1].lower() in stop:
            return []
        end = start + len(" ".join(words))
        if original[start:end] != " ".join(words):
            end = m.end(group)  # the name was written across odd spacing: keep its span
        noun = (m.group("noun") or "").lower() if group == "z" else ""
        # A lone everyday word is no name without its noun: "White Card", not "White".
        everyday = (
            len(words) == 1
            and not noun.endswith(("ed", "ible"))  # "Invisalign certified" names "Invisalign"
            and words[0][1:].islower()
            and lex.skills.fullmatch(words[0].lower()) is None
        )
        if noun and (noun in lex.skill_frame_keep or everyday):
            words.append(m.group("noun"))
            end = m.end("noun")
        if low[start:end] != original[start:end].lower():
            return []  # blanked: part of an ignored or outside-control span
        return [(start, end, " ".join(words))]

    def _lower_framed(self, low: str, original: str, lowered: str) -> list[tuple[int, int, str]]:
        """Skill names written in lower case in a gap frame ("knowledge of lithography and etch",
        "couldn't derive backprop", "UVM was a clear gap"): the words next to the frame up to a
        stop word, without generic trailing nouns ("reserving methods" names "reserving"); a
        name that is a stop word, a generic noun or a gerund with its object ("managing people")
        is no skill. See [skill_lower_frames]."""
        lex = self.lex
        assert lex.skill_lower_frame is not None
        out: list[tuple[int, int, str]] = []
        frames = [
            ("w", m.start("w"), m.end("w"), "") for m in lex.skill_lower_frame.finditer(lowered)
        ]
        if lex.skill_lower_after is not None:
            for a in lex.skill_lower_after.finditer(lowered):
                tail = LOWER_TAIL.search(original, max(0, a.start() - 120), a.start())
                if tail is not None:
                    # A noun that is part of the name ("gasfitting licence") is kept with it.
                    frame = lowered[a.start() : a.end()]
                    kept = (
                        original[a.start() : a.end()]
                        if frame.strip() in lex.skill_lower_keep
                        else ""
                    )
                    frames.append(("v", tail.start(), tail.end(), kept))
        for group, g_start, g_end, kept in frames:
            chunks: list[list[tuple[int, int]]] = [[]]
            stops: list[str] = []  # the stop words between chunks
            for w in _WORD.finditer(original, g_start, g_end):
                word = w.group(0).lower()
                if word in lex.skill_lower_stop:
                    stops.append(word)
                    chunks.append([])
                else:
                    chunks[-1].append(w.span())
            if group == "v":
                chunks = chunks[-1:]  # the name just before the frame
            elif len(chunks) > 1 and stops[0] in {"and", "or"} and chunks[0]:
                chunks = chunks[:2]  # a list of two: "knowledge of lithography and etch"
            else:
                chunks = chunks[:1]
            for spans in chunks:
                while spans and original[slice(*spans[-1])].lower() in lex.skill_lower_trailing:
                    spans.pop()
                if not spans or len(spans) > 3:
                    continue
                written = [original[a:b] for a, b in spans]
                words = [w.lower() for w in written]
                if any(w in lex.skill_lower_generic for w in words) or not words[0][0].isalpha():
                    continue
                if any(w[0].isupper() and not _CODE.fullmatch(w) for w in written):
                    continue  # a capitalised name is read by [skill_frames] or is no skill
                if len(words) > 1 and words[0].endswith("ing") and words[-1].endswith("s"):
                    continue  # a gerund and its object: "managing stakeholders"
                start, end = spans[0][0], spans[-1][1]
                if group == "v" and start == g_start:
                    prev = _PREV_WORD.search(original, 0, start)
                    if prev and prev.group(1).lower() not in lex.skill_lower_stop:
                        continue  # the name runs on before the window: only its tail is seen
                if kept and end == g_end:
                    end += len(kept)
                if low[start:end] != original[start:end].lower():
                    continue  # blanked: part of an ignored or outside-control span
                out.append((start, end, original[start:end]))
        return out

    def _names_skill(self, original: str, start: int, end: int) -> bool:
        """Whether an ambiguous word ("Go", "swift", "Polish") names the skill here.

        Written as a name mid-sentence, it does. At the start of a sentence a capital proves
        nothing ("Go ahead and reapply"), so the next word must read as about the skill ("Go is
        our main language", "Swift experience"). In lower case it must sit in a skill frame: a
        skill noun after it ("rust experience"), or a preposition or list before it and nothing
        that continues a verb after it ("fluent in polish", "python and r")."""
        word = original[start:end]
        if original[end : end + 1] == "-":
            return False  # part of a compound: "Go-to-market", "R-squared"
        if " " in word:  # multi-word aliases ("MS Excel", "embedded C") are unambiguous
            return True
        lex = self.lex
        nxt = _NEXT_WORD.match(original, end)
        after = nxt.group(1).lower() if nxt and nxt.group(1) else ""
        if word[0].isupper() and word.lower() not in lex.ambiguous_framed:
            if original[:start].strip(_LEADING) or after in lex.ambiguous_after or after == "":
                return True
            # "R and Python are core to the role": a list of skills at the start
            return (
                nxt is not None
                and after in {"and", "or"}
                and lex.skills.match(original.lower(), nxt.end() + 1) is not None
            )
        if after in lex.ambiguous_after_lower:
            return True
        before = _PREV_WORD.search(original, 0, start)
        prev = before.group(1).lower() if before else ""
        if word.lower() in lex.ambiguous_framed:
            # A title or a noun as often as a tool ("when Chef called the orders"): only in a list
            # or after a skill preposition ("experience with Chef", "Puppet or Ansible"), and not
            # as a title before a name ("I talked with Chef Marta").
            if after and nxt is not None and (nxt.group(1) or "")[:1].isupper():
                return lex.skills.match(original.lower(), nxt.start(1)) is not None
            return prev in lex.ambiguous_before
        return prev in lex.ambiguous_before and (after == "" or after in {"and", "or"})

    def read(self, index: int, sentence: Sentence, default: int) -> int:
        """Read one sentence; returns its overall polarity (used by list headings)."""
        lex = self.lex
        # Read in standard spelling; the evidence is quoted from the sentence as written.
        original = respell(plain(self.text[sentence.start : sentence.end]), lex)
        low = _blank(lower_same_length(original), lex.ignore)
        self._ignored_text = {}
        self._original = original

        # Outside-control reasons first; their spans are then hidden from the other areas.
        consumed = low
        first = None
        if lex.oc_strong is not None:
            first = lex.oc_strong.search(low)
            read = low
            if first is not None and lex.oc_ignore is not None:
                # "more experience leading through a major restructure" is the candidate's
                # experience, not the employer's restructure: sought only once a cue is found.
                read = _blank(low, lex.oc_ignore)
                if read != low:
                    first = lex.oc_strong.search(read)
            if first is not None:
                self.add(OUTSIDE_CONTROL, (index, first.start()), sentence, [])
                consumed = _blank_overlapping(low, lex.oc_strong, first, read)
        if first is None:
            first = self._volume_reason(low)
            if first is not None:
                self.add(OUTSIDE_CONTROL, (index, first.start()), sentence, [])
                consumed = _blank(low, lex.oc_volume)
        other = lex.oc_chosen.search(low) if lex.oc_chosen is not None else None
        if other is not None and lex.oc_chosen is not None:
            consumed = _blank_overlapping(consumed, lex.oc_chosen, other)
        # A comparison with the person chosen is outside control too, but it is not blanked: what
        # it names ("whose experience more closely matches", "expertise in cryo-EM") is read as
        # a gap of the candidate's.
        compared: list[tuple[int, int]] = []
        if lex.oc_comparison is not None:
            compared = [m.span() for m in lex.oc_comparison.finditer(low)]
            if compared:
                self.add(OUTSIDE_CONTROL, (index, compared[0][0]), sentence, [])
        segments = _segments(consumed, lex, default, compared)
        pols = segments.polarity
        # Topics and skills count in gap segments only: a sentence without one is read for
        # strong cues alone, which keeps praise and small talk cheap. So is a sentence that
        # gives a reason outside the candidate's control and never speaks of the candidate: its
        # words are about the employer ("the bank has moved the budget to next year", "paused
        # until the integration is complete, which will take six months").
        has_gap = not GAPLIKE.isdisjoint(pols) and not (
            first is not None and not compared and _CANDIDATE.search(low) is None
        )
        skills: list[tuple[int, int, str, int]] = []
        if has_gap:
            skills = self.skills_in(consumed, original)
            if compared and lex.oc_quantity is not None:
                # "far more experience in healthcare recruitment": a gap in years, not in a skill.
                years = lex.oc_quantity
                by_years = [(a, b) for a, b in compared if years.search(consumed, a, b)]
                skills = [s for s in skills if not any(a <= s[0] < b for a, b in by_years)]
            # Skill words are not area topics: "data structures" is not about answer structure.
            for start, end, _, _ in skills:
                consumed = consumed[:start] + " " * (end - start) + consumed[end:]

        chosen = self._gap_skills(skills, segments, low)
        # A skill named as the role ("experience as Scrum Master") binds no experience topic.
        bound_segments = {segments.at(p) for p, _, _, at in skills if at != ROLE}
        if chosen:
            # "...paid social; your experience is mostly organic": the mismatch describes the
            # skill gap, it is not a second, career-length one.
            bound_segments |= {i for i, pol in enumerate(pols) if pol == MISMATCH}
            # "...ANSYS and GD&T, and your exposure to both is limited": a segment that points
            # back at the skills; "get up to speed with developments, in particular UK GDPR": the
            # segment that the skills go on to name.
            ends = [*segments.starts[1:], len(low)]
            for i, start in enumerate(segments.starts):
                if _BACK_REFERENCE.search(low, start, ends[i]):
                    bound_segments.add(i)
                if i and i in bound_segments and _NARROWING.match(low, start):
                    bound_segments.add(i - 1)
                if i and i - 1 in bound_segments and _RELATIVE.match(low, start):
                    bound_segments.add(i)
            # "another candidate whose background more closely matched, in particular
            # business-level Mandarin": the comparison's background is that skill.
            for a, b in compared:
                bound_segments |= {i for i, s in enumerate(segments.starts) if a <= s < b}
                bound_segments.add(segments.at(a))

        found = self._read_areas(low, consumed if has_gap else None, segments, bound_segments)
        if has_gap and not chosen:
            for area, pos in self._implied(low, consumed, segments).items():
                found.setdefault(area, pos)
        if chosen and RESUME in found and lex.resume_shows_skill is not None:
            # "your portfolio didn't show much experience of SEO": the gap is the skill.
            shown = lex.resume_shows_skill.search(low)
            # Not when the skill is the candidate's own ("your CV didn't mention your Kubernetes
            # work"): then the materials undersold it.
            if shown is not None and any(
                shown.start() <= p < shown.end() + 80 and "your " not in low[shown.end() : p]
                for p, _ in chosen
            ):
                del found[RESUME]
        if has_gap and not found and not compared:
            # Nothing else in the sentence: the setting it names is what it is about ("you
            # struggled in the case interview", "below our threshold for the numerical
            # reasoning section", "in the SQL section the queries returned incorrect results").
            named = {GAP, REQUIREMENT}
            settings = [
                (p, s) for p, _, s, at in skills if at == SETTING and pols[segments.at(p)] in named
            ]
            if not chosen:
                found = self._read_settings(low, consumed, segments)
                if not found and self._previous and _SCORE.search(low):
                    # "...all applicants complete our numerical reasoning assessment. Your score
                    # fell below the benchmark": the score is the previous sentence's setting's.
                    found = self._previous_settings()
            chosen = sorted([*chosen, *settings])
        if other is not None and lex.oc_yields_to.isdisjoint(found):
            # Someone else was chosen and the sentence gives no constraint of the candidate's.
            self.add(OUTSIDE_CONTROL, (index, other.start()), sentence, [])
        for area, pos in found.items():
            self.add(area, (index, pos), sentence, [])
        if chosen:
            self.add(TECHNICAL, (index, chosen[0][0]), sentence, [s for _, s in chosen])

        self._previous = consumed
        if has_gap:
            return GAP
        return PRAISE if PRAISE in pols else NEUTRAL

    def _volume_reason(self, low: str) -> re.Match[str] | None:
        """A count of applications in ``low`` that is a reason: "we received over 600
        applications for this role". Not in a message that names the volume as why it gives no
        feedback or answers only a shortlist ("due to the overwhelming response we are only able
        to contact shortlisted candidates"): there the count explains the process, not the
        decision (BRIEF's rule on volume)."""
        lex = self.lex
        if lex.oc_volume is None or not any(w in low for w in _VOLUME_WORDS):
            return None  # most sentences count nothing: skip the scan
        found = lex.oc_volume.search(low)
        if found is None:
            return None
        if self._volume_explained is None:
            explained = lex.oc_volume_explained
            self._volume_explained = explained is not None and (
                explained.search(lower_same_length(self.text)) is not None
            )
        return None if self._volume_explained else found

    def _previous_settings(self) -> dict[str, int]:
        """The areas of the settings named in the sentence read before this one."""
        lex = self.lex
        return {
            lex.area_groups[m.lastgroup or ""].area: -1
            for m in lex.setting_all.finditer(self._previous)
        }

    @staticmethod
    def _gap_skills(
        skills: list[tuple[int, int, str, int]], segments: _Segments, low: str
    ) -> list[tuple[int, str]]:
        """The skills named as gaps: those in gap segments, and those in requirement segments
        unless the sentence pins the gap on another skill ("we need Figma and user research;
        your user research was limited") or says the requirement is met ("we need a designer
        comfortable in Figma, and your portfolio showed that")."""
        pols = segments.polarity
        gap = [(p, s) for p, _, s, ctx in skills if not ctx and pols[segments.at(p)] == GAP]
        required = [
            (p, s) for p, _, s, ctx in skills if not ctx and pols[segments.at(p)] == REQUIREMENT
        ]
        if not required or gap:
            return gap
        # "Spanish and Portuguese are needed, and you only speak Spanish": what the candidate
        # has is not part of the gap; "you use C4D only a little" is not having it.
        # A skill named as the setting of the mismatch ("in the English test your result was
        # B1") is not one the candidate holds.
        held = {
            s
            for p, _, s, ctx in skills
            if pols[segments.at(p)] == MISMATCH and ctx == SUBJECT and not _scant(low, segments, p)
        }
        required = [(p, s) for p, s in required if s not in held]
        last_req = max(i for i, pol in enumerate(pols) if pol == REQUIREMENT)
        met = PRAISE in pols[last_req + 1 :] and GAP not in pols and MISMATCH not in pols
        return [] if met else required

    def _read_areas(
        self,
        low: str,
        consumed: str | None,
        segments: _Segments,
        skill_segments: set[int],
    ) -> dict[str, int]:
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
            if segments.polarity[seg] == PRAISE or self._ignored(low, m):
                continue
            if not _negated(low, segments.starts[seg], m.start(), lex):
                first[rules.area] = m.start()
        if consumed is not None:
            topic_first = self._topics(lex.topic_all, low, consumed, segments, skill_segments)
            for area, pos in topic_first.items():
                first[area] = min(pos, first.get(area, pos))
        return first

    def _implied(self, low: str, consumed: str, segments: _Segments) -> dict[str, int]:
        """Areas a gap takes from the subject it leaves implied: "Your cover letter was well
        written but quite general, and it did not address the criteria" (resume), "The personal
        statement described your duties but did not link them to the criteria" (resume). A gap
        segment with no cue of its own whose subject is a pronoun ("it", "they") or missing (a
        fragment after "but") takes the topics named before the first verb of the nearest
        earlier segment that names any (an area's ignored phrases apply, as for any topic)."""
        lex = self.lex
        ends = [*segments.starts[1:], len(consumed)]
        out: dict[str, int] = {}
        for i, pol in enumerate(segments.own):
            if pol != GAP or i == 0:
                continue
            start, end = segments.starts[i], ends[i]
            opening = _IMPLIED_SUBJECT.match(consumed, start, end)
            if opening is None:
                continue
            if lex.topic_all.search(consumed, start, end) or lex.strong_all.search(
                consumed, start, end
            ):
                continue
            for j in range(i - 1, -1, -1):
                head_end = ends[j]
                verb = _FIRST_VERB.search(consumed, segments.starts[j], ends[j])
                if verb is not None:
                    head_end = verb.start()
                named = {
                    lex.area_groups[m.lastgroup or ""].area: m.start()
                    for m in lex.topic_all.finditer(consumed, segments.starts[j], head_end)
                    if m.end() <= head_end
                    and not self._ignored(low, m)
                    and not _mention_only(lex.area_groups[m.lastgroup or ""].area, low, m)
                }
                if named:
                    for area, pos in named.items():
                        out.setdefault(area, pos)
                    break
        return out

    def _in_title(self, m: re.Match[str]) -> bool:
        """Whether a topic cue is written in title case inside a run of capitalised words that
        follows a lower-case word: part of a name such as a job title ("your application for
        Warehouse Associate - Day Shift", "for Night Shift Supervisor"). A run after a colon or
        opening the sentence is a value or a heading ("Disposition reason: Insufficient
        Experience"), and a title-case cue standing alone is a name of its own ("a Certificate
        III in...")."""
        original = self._original
        # The cue's capitalised words ("Night Shift" of "for Night Shift"), all in title case.
        words = list(_WORD.finditer(original, m.start(), m.end()))
        while words and not words[0].group(0)[0].isupper():
            words.pop(0)
        if not words or not all(
            w.group(0)[0].isupper() and w.group(0)[1:].islower() for w in words
        ):
            return False
        first = words[0].start()
        run = _TITLE_RUN.search(original, 0, first)
        start = run.start(1) if run is not None else first
        if run is None and _TITLE_NEXT.match(original, m.end()) is None:
            return False  # a title-case cue alone is a name of its own or a value
        before = original[:start].rstrip()
        return bool(before) and before[-1].isalpha() and before[-1].islower()

    def _counted_career(self, low: str, segments: _Segments, seg: int) -> bool:
        """Whether segment ``seg`` of ``low`` (nothing blanked) counts years of experience of no
        named skill (see ``_COUNTED_YEARS``)."""
        ends = [*segments.starts[1:], len(low)]
        for years in _COUNTED_YEARS.finditer(low, segments.starts[seg], ends[seg]):
            named = years.group("kind") + (years.group("field") or "")
            if self.lex.skills.search(named) is None:
                return True
        return False

    def _ignored(self, low: str, m: re.Match[str]) -> bool:
        """Whether a cue of an area lies in a phrase that area ignores ("sharing your
        experience"), sought in ``low``, where nothing is blanked yet."""
        rules = self.lex.area_groups[m.lastgroup or ""]
        if rules.ignore is None:
            return False
        cache = self._ignored_text
        if cache.get(rules.area) is None:
            cache[rules.area] = _blank(low, rules.ignore)
        return cache[rules.area][m.start() : m.end()] != low[m.start() : m.end()]

    def _read_settings(self, low: str, consumed: str, segments: _Segments) -> dict[str, int]:
        return self._topics(self.lex.setting_all, low, consumed, segments, set())

    def _topics(
        self,
        pattern: re.Pattern[str],
        low: str,
        consumed: str,
        segments: _Segments,
        skill_segments: set[int],
    ) -> dict[str, int]:
        """The first topic of each area in a gap segment of ``consumed``. An area's ignored
        phrases are sought in ``low``, where nothing is blanked yet, so a phrase may run across an
        outside-control or chosen span ("went with someone who had already run a team")."""
        lex = self.lex
        topic_first: dict[str, int] = {}
        for m in pattern.finditer(consumed):
            rules = lex.area_groups[m.lastgroup or ""]
            if rules.area in topic_first:
                continue
            seg = segments.at(m.start())
            if segments.polarity[seg] not in GAPLIKE:
                continue
            # "experience with Kafka" is a skill gap, not a career-length one.
            bound = rules.skill_bound
            if (
                seg in skill_segments
                and bound is not None
                and bound.fullmatch(m.group(0))
                and not self._counted_career(low, segments, seg)
            ):
                continue
            # Phrases that mention the topic without being about it, for this area only.
            if self._ignored(low, m):
                continue
            if _mention_only(rules.area, low, m):
                continue
            if self._in_title(m):
                continue
            # "...run entirely in NetSuite. We can't support a learning curve": the time to get
            # up to speed, after a skill gap named earlier in the message, is that skill's.
            if (
                rules.area == EXPERIENCE
                and TECHNICAL in self.hits
                and _RAMP_UP.fullmatch(m.group(0)) is not None
            ):
                continue
            topic_first[rules.area] = m.start()
        return topic_first


def _boilerplate_sentences(
    text: str, sentences: list[Sentence], lex: Lexicon
) -> list[tuple[int, int]]:
    """The spans of the sentences that are boilerplate (an equal-opportunity notice, a no-reply
    line, a footer...): one scan of the whole text, each match marking its sentence."""
    if lex.boilerplate is None:
        return []
    starts = [s.start for s in sentences]
    spans: list[tuple[int, int]] = []
    for m in lex.boilerplate.finditer(lower_same_length(text)):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < sentences[i].end:
            spans.append((sentences[i].start, sentences[i].end))
    return spans


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
    unread = unread_spans(text, lex) if "\n" in text or "\r" in text else []
    unread += _boilerplate_sentences(text, sentences, lex)
    heading_polarity = NEUTRAL
    formula = lex.formula
    for index, sentence in enumerate(sentences):
        if any(start <= sentence.start < end for start, end in unread):
            continue
        if formula is not None and formula.match(text, sentence.start, sentence.end):
            continue  # a greeting, a thanks, an emoji: nothing to read
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
