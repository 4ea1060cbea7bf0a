"""Text plumbing for the analyser: normalisation and sentence splitting.

Sentences are returned as spans of the original text, never as rewritten strings, so the evidence
the analyser quotes is always the user's own words (whitespace aside).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from bounceback.analysis.lexicon import Lexicon

# One character in, one character out: curly quotes, primes, dashes and odd spaces become their
# plain forms, so the lexicon needs one spelling per cue and offsets stay those of the original.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
    }
)

_LOWER_WORD = re.compile(r"[a-z]{4}")
# What may trail a sign-off line: punctuation, kisses ("x", "xx"), emoji and symbols.
_SIGN_OFF_TRAIL = re.compile(r"(?:[\s,.!:;~\-]|\bx+\b|[^\w\s])+$")
_POSTSCRIPT = re.compile(r"\s*p\.?\s?s\b", re.IGNORECASE)
_SIGN_OFF_MAX = 48  # a longer line is a sentence, not a sign-off
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\u0085")
# End of a sentence: terminal punctuation, optional closing quotes/brackets, then whitespace.
# Emoji and pictographs too: in chat notes they end a sentence that has no full stop ("the
# requirement is closed 😕 They did say..."), when a capitalised word follows (see split_sentences).
_PICTOGRAPHS = "\u2600-\u27bf\U0001f300-\U0001faff"
_SENTENCE_END = re.compile(rf"[.!?\u2026\u3002]+[\"')\]]*(?=\s)|[{_PICTOGRAPHS}]+(?=\s)")
_EMOJI = re.compile(f"[{_PICTOGRAPHS}]")
_TOKEN_BEFORE_DOT = re.compile(r"([A-Za-z][A-Za-z.]*)\.?$")


def plain(text: str) -> str:
    """``text`` with quotes and dashes straightened, same length as ``text``."""
    return text.translate(_PLAIN)


def lower_same_length(text: str) -> str:
    """Lower case that keeps offsets: a few characters ("İ") lower to two characters."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def respell(text: str, lex: Lexicon) -> str:
    """``text`` (plain, as written) with the [respell] table applied: "didnt" reads "didn't",
    "w/" reads "with"; a shouted sentence is lower-cased. The result may differ in length, so it
    is only ever read, never quoted."""
    # A word of four lower-case letters rules shouting out at once; only then are letters counted.
    letters = 0 if _LOWER_WORD.search(text) else sum(c.isalpha() for c in text)
    if letters >= lex.shout_letters > 0:
        upper = sum(c.isupper() for c in text)
        if upper >= lex.shout_share * letters:
            text = text.lower()
    if lex.respell is None:
        return text
    low = lower_same_length(text)
    out: list[str] = []
    last = 0
    for m in lex.respell.finditer(low):
        out.append(text[last : m.start()])
        out.append(lex.respell_words[m.group(0)])
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _is_sign_off(line: str, lex: Lexicon) -> bool:
    words = _SIGN_OFF_TRAIL.sub("", line.lower())
    if not words:
        return False
    return any(" ".join(part.split()) in lex.sign_off for part in words.split("/"))


def unread_spans(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    """Spans of ``text`` that are never the reason: email header lines ("Subject: ..."), and
    everything after a line that is only a sign-off ("Kind regards,"): the signature, footers and
    disclaimers, up to a line opening with "P.S." (read, with what follows it)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    seen_body = False
    for m in [*_LINE_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        line = text[pos:end]
        stripped = line.strip()
        if stripped:
            if ":" in stripped[:12] and lex.header.match(line):
                spans.append((pos, end))
            elif seen_body and len(stripped) <= _SIGN_OFF_MAX and _is_sign_off(stripped, lex):
                # The rest is signature and footers, up to a P.S. if there is one.
                for later in _LINE_BREAK.finditer(text, end):
                    if _POSTSCRIPT.match(text, later.end()):
                        spans.append((pos, later.start()))
                        return spans
                spans.append((pos, len(text)))
                return spans
            else:
                seen_body = True
        pos = m.end() if m else len(text)
    return spans


def normalise_whitespace(text: str) -> str:
    """The whitespace rule for evidence: runs of whitespace (``str.split``) become one space,
    and the ends are stripped. Every evidence string is a substring of this form of the input."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    bullet: bool  # a list item ("- Kubernetes", "2) communication")
    heading: bool  # ends with ":" and introduces what follows ("Areas to work on:")


@cache
def _bullet_patterns(bullets: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The list-marker regex at a line start, and the one between items on one line: compiled
    once per set of bullet characters, not per message."""
    marks = re.escape(bullets)
    inline = re.escape(bullets.replace("-", ""))
    return (
        re.compile(rf"^[ \t]*(?:[{marks}]+|\(?\d{{1,2}}[.)])[ \t]+", re.MULTILINE),
        re.compile(rf"\s[{inline}]\s"),
    )


def _bullet_pattern(lex: Lexicon) -> re.Pattern[str]:
    return _bullet_patterns(lex.bullets)[0]


def _blocks(text: str, lex: Lexicon, bullet: re.Pattern[str]) -> list[tuple[int, int, bool]]:
    """Group lines into blocks: paragraphs of hard-wrapped prose are joined, while list items,
    greetings and lines that end a sentence stand alone."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, len(text)))

    blocks: list[tuple[int, int, bool]] = []
    current: tuple[int, int, bool] | None = None
    prev_line = ""
    for start, end in lines:
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            if current:
                blocks.append(current)
            current, prev_line = None, ""
            continue
        is_bullet = bool(bullet.match(line))
        first = stripped[0]
        prev = prev_line.rstrip()
        new_block = (
            current is None
            or is_bullet
            or prev.endswith((".", "!", "?", ":", ";", "\u2026"))
            or (len(prev) < lex.short_line and (first.isupper() or first.isdigit()))
        )
        if new_block:
            if current:
                blocks.append(current)
            current = (start, end, is_bullet)
        elif current is not None:
            current = (current[0], end, current[2])
        prev_line = line
    if current:
        blocks.append(current)
    return blocks


def _is_abbreviation(text: str, dot: int, lex: Lexicon) -> bool:
    if text[dot] != ".":
        return False
    m = _TOKEN_BEFORE_DOT.search(text, max(0, dot - 12), dot)
    if not m:
        return False
    token = m.group(1).lower().rstrip(".")
    # Initials ("J. Smith") and listed abbreviations ("e.g.", "Mr.", "U.S.").
    return len(token) == 1 or token in lex.abbreviations


def _ends_word(text: str, dot: int) -> bool:
    """Whether the dot at ``dot`` follows a word of two or more letters (not "3." or "v2.")."""
    return dot >= 2 and text[dot - 1].isalpha() and text[dot - 2].isalpha()


def split_sentences(text: str, lex: Lexicon) -> list[Sentence]:
    """Sentences of ``text`` as spans, in order."""
    bullet, inline_bullet = _bullet_patterns(lex.bullets)
    out: list[Sentence] = []
    for b_start, b_end, is_bullet in _blocks(text, lex, bullet):
        cuts = [b_start]
        # The dot of a numbered list marker ("1. System design") does not end a sentence.
        marker = bullet.match(text, b_start, b_end) if is_bullet else None
        body_start = marker.end() if marker else b_start
        for m in _SENTENCE_END.finditer(text, body_start, b_end):
            nxt = m.end()
            while nxt < b_end and text[nxt].isspace():
                nxt += 1
            # After an abbreviation the sentence goes on ("e.g. Kafka", "approx. two"); so it does
            # after a dot with a lower-case word next, unless the dot ends a word of its own:
            # texts typed in lower case still have sentences ("i was nervous. also the ...").
            # "!" and "?" always end one ("thx for coming in! boss said ...").
            if nxt >= b_end or _is_abbreviation(text, m.start(), lex):
                continue
            if text[nxt].islower() and text[m.start()] == "." and not _ends_word(text, m.start()):
                continue
            if _EMOJI.match(text, m.start()) and not text[nxt].isupper():
                continue  # "so sorry 🙁 but..." goes on
            cuts.append(m.end())
        for m in inline_bullet.finditer(text, b_start, b_end):
            cuts.append(m.start())
        cuts = [*sorted(set(cuts)), b_end]
        for i, (s, e) in enumerate(pairwise(cuts)):
            piece = text[s:e]
            if not piece.strip():
                continue
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece.rstrip())
            out.append(
                Sentence(
                    start=s + lead,
                    end=s + trail,
                    bullet=is_bullet and i == 0,
                    heading=piece.rstrip().endswith(":"),
                )
            )
    return out


def evidence(text: str, sentence: Sentence, lex: Lexicon) -> str:
    """The quoted sentence: whitespace normalised, a leading list marker dropped."""
    quoted = normalise_whitespace(text[sentence.start : sentence.end])
    m = _bullet_pattern(lex).match(quoted)
    if m and m.end() < len(quoted):
        quoted = quoted[m.end() :]
    return quoted
