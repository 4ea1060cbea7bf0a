"""Waiting periods before reapplying, as stated in a rejection message ("reapply in 6 months")."""

from __future__ import annotations

import re

from bounceback.analysis.lexicon import Lexicon, lexicon
from bounceback.analysis.text import lower_same_length, plain, split_sentences

_CLAUSE_BREAK = re.compile(r"[,;:()]|\s-\s|\band\b|\bbut\b")


def _days(count: int, unit: str, lex: Lexicon) -> int:
    # Months are twelfths of a 365-day year, rounded down: 6 months is 182 days and 12 months is
    # exactly one year (365), where 30.4375-day months would give 183 and 365.25.
    if unit == "month":
        return count * 365 // 12
    return count * lex.reapply_unit_days[unit]


def _duration_days(match: re.Match[str], lex: Lexicon) -> int:
    if match.group("half"):
        return _days(1, "year", lex) // 2 if match.group("hunit") == "year" else 15
    raw = match.group("num").lower()
    count = int(raw) if raw.isdigit() else lex.reapply_numbers[re.sub(r"\s+", " ", raw)]
    return _days(count, match.group("unit").lower(), lex)


def find_reapply_hint(text: str) -> int | None:
    """The waiting period before reapplying that ``text`` states, in days, or ``None``.

    A sentence must carry both a reapply cue ("reapply", "apply again", "eligible", "wait") and a
    duration; a duration that belongs to something else in its clause (keeping the CV on file,
    how long the role has been open) is skipped. With several candidates in a sentence, the one
    nearest a reapply cue wins. The first sentence with a hint decides.
    """
    lex = lexicon()
    for sentence in split_sentences(text, lex):
        low = lower_same_length(plain(text[sentence.start : sentence.end]))
        cues = [m.start() for m in lex.reapply_cues.finditer(low)]
        if not cues:
            continue
        best: tuple[int, int] | None = None  # (distance to a cue, days)
        for m in lex.reapply_duration.finditer(low):
            breaks = [b.end() for b in _CLAUSE_BREAK.finditer(low, 0, m.start())]
            clause_start = breaks[-1] if breaks else 0
            if lex.reapply_retention.search(low, clause_start, m.start()):
                continue
            distance = min(abs(c - m.start()) for c in cues)
            if best is None or distance < best[0]:
                best = (distance, _duration_days(m, lex))
        if best is not None:
            return best[1]
    return None
