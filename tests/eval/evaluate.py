"""Score the feedback analyser against a labelled set of messages.

Run from the repository root:

* ``python tests/eval/evaluate.py`` scores the development set (``messages.jsonl``,
  ``dev_extra.jsonl``, ``holdout.jsonl``, ``holdout_b.jsonl``, ``holdout_c.jsonl``,
  ``holdout_d.jsonl`` and ``holdout_e.jsonl`` together: the first five held-out sets became
  development data once they had been measured, see ``HOLDOUT.md`` to ``HOLDOUT_E.md``), prints
  one table and exits non-zero when a gate fails;
* ``python tests/eval/evaluate.py --set NAME`` scores ``tests/eval/NAME.jsonl`` alone, report-only
  (the gates are printed but do not fail the run). This is how a held-out set written
  independently of the analyser is measured, e.g. ``--set holdout_b``; ``--set dev`` is the
  default, gated;
* ``python tests/eval/evaluate.py PATH [PATH ...]`` scores the given files together, with gates.

``--mistakes`` lists every mismatched message after the table.

Each line of the set is ``{"text": ..., "areas": [...], "skills": [...]}`` with two optional keys:
``praise_only`` (true for a message that praises and gives no reason; without the key anywhere in
a set, every message labelled with no areas counts as one) and ``reapply_days`` (the waiting period
``find_reapply_hint`` should read, ``null`` for none). Skills are compared case-insensitively.

Exits non-zero when the quality gates fail: micro-F1 below 0.85, any area's F1 below 0.70 (areas
with support), or any praise-only message given a gap.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bounceback.analysis import analyse, find_reapply_hint
from bounceback.model import Area, AreaFinding

HERE = Path(__file__).parent
# The development set: the messages the rules are tuned on. Each file keeps its own
# ``praise_only`` convention (see ``load``). ``holdout.jsonl``, ``holdout_b.jsonl``,
# ``holdout_c.jsonl``, ``holdout_d.jsonl`` and ``holdout_e.jsonl`` were written independently of
# the analyser and measured once each; they have been development data since (see HOLDOUT.md to
# HOLDOUT_E.md).
DEV_SET = (
    HERE / "messages.jsonl",
    HERE / "dev_extra.jsonl",
    HERE / "holdout.jsonl",
    HERE / "holdout_b.jsonl",
    HERE / "holdout_c.jsonl",
    HERE / "holdout_d.jsonl",
    HERE / "holdout_e.jsonl",
)
DEV = "dev"
# Any other named set is ``tests/eval/<name>.jsonl``, scored report-only: a held-out set is
# measured, never gated on (a gate would invite tuning to it).
_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MIN_MICRO_F1 = 0.85
MIN_AREA_F1 = 0.70


@dataclass(frozen=True)
class Example:
    text: str
    areas: frozenset[str]
    skills: frozenset[str]
    praise_only: bool
    reapply_days: int | None
    has_reapply: bool


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Mistake:
    text: str
    expected: list[str]
    got: list[str]
    expected_skills: list[str]
    got_skills: list[str]


@dataclass
class Report:
    messages: int = 0
    areas: dict[str, Counts] = field(default_factory=lambda: {a.value: Counts() for a in Area})
    skills: Counts = field(default_factory=Counts)
    praise_only: int = 0
    praise_only_with_gap: list[str] = field(default_factory=list)
    reapply_total: int = 0
    reapply_correct: int = 0
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        total = Counts()
        for c in self.areas.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total

    def failures(self) -> list[str]:
        """The quality gates this report fails (empty when it passes)."""
        out: list[str] = []
        if self.micro.f1 < MIN_MICRO_F1:
            out.append(f"micro-F1 {self.micro.f1:.3f} < {MIN_MICRO_F1}")
        for area, c in self.areas.items():
            if c.support and c.f1 < MIN_AREA_F1:
                out.append(f"{area} F1 {c.f1:.3f} < {MIN_AREA_F1}")
        if self.praise_only_with_gap:
            out.append(f"{len(self.praise_only_with_gap)} praise-only message(s) given a gap")
        return out


def set_paths(name: str) -> tuple[Path, ...]:
    """The files of a named set: the development set for ``dev``, else ``<name>.jsonl`` here."""
    if name == DEV:
        return DEV_SET
    if not _SET_NAME.fullmatch(name):
        raise ValueError(f"not a set name: {name!r} (letters, digits, '_' and '-')")
    return (HERE / f"{name}.jsonl",)


def load(path: Path) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    flagged = any("praise_only" in row for row in rows)
    return [
        Example(
            text=row["text"],
            areas=frozenset(row.get("areas", [])),
            skills=frozenset(s.lower() for s in row.get("skills", [])),
            praise_only=bool(row.get("praise_only")) if flagged else not row.get("areas"),
            reapply_days=row.get("reapply_days"),
            has_reapply="reapply_days" in row,
        )
        for row in rows
    ]


def load_all(paths: Iterable[Path]) -> list[Example]:
    """The examples of several files, in order; each file's ``praise_only`` rule is its own."""
    return [ex for path in paths for ex in load(path)]


def score(
    examples: Iterable[Example],
    analyser: Callable[[str], Sequence[AreaFinding]] = analyse,
    reapply: Callable[[str], int | None] = find_reapply_hint,
) -> Report:
    """Score ``analyser`` on ``examples``: per-area and skill counts, praise-only misses."""
    report = Report()
    for ex in examples:
        report.messages += 1
        findings = analyser(ex.text)
        got = {f.area.value for f in findings}
        got_skills = {s.lower() for f in findings for s in f.skills}
        for area, counts in report.areas.items():
            counts.tp += area in got and area in ex.areas
            counts.fp += area in got and area not in ex.areas
            counts.fn += area not in got and area in ex.areas
        report.skills.tp += len(got_skills & ex.skills)
        report.skills.fp += len(got_skills - ex.skills)
        report.skills.fn += len(ex.skills - got_skills)
        if ex.praise_only:
            report.praise_only += 1
            # outside_control is not a gap: it is scored as an area, not as a praise miss.
            if got - {Area.OUTSIDE_CONTROL.value}:
                report.praise_only_with_gap.append(ex.text)
        if ex.has_reapply:
            report.reapply_total += 1
            report.reapply_correct += reapply(ex.text) == ex.reapply_days
        if got != ex.areas or got_skills != ex.skills:
            report.mistakes.append(
                Mistake(
                    ex.text, sorted(ex.areas), sorted(got), sorted(ex.skills), sorted(got_skills)
                )
            )
    return report


def render(report: Report, show_mistakes: bool = False) -> str:
    lines = [
        f"{report.messages} messages",
        "",
        f"{'area':<18}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}",
    ]
    for area, c in report.areas.items():
        lines.append(f"{area:<18}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.support:>9}")
    micro = report.micro
    lines += [
        f"{'micro':<18}{micro.precision:>7.3f}{micro.recall:>7.3f}{micro.f1:>7.3f}{micro.support:>9}",
        "",
        f"skills: precision {report.skills.precision:.3f}, recall {report.skills.recall:.3f}"
        f" ({report.skills.support} expected)",
        f"praise-only messages given a gap: {len(report.praise_only_with_gap)}"
        f" of {report.praise_only}",
    ]
    if report.reapply_total:
        lines.append(
            f"reapply hints read correctly: {report.reapply_correct} of {report.reapply_total}"
        )
    if show_mistakes:
        lines.append("")
        for m in report.mistakes:
            lines.append(f"- {m.text!r}")
            lines.append(
                f"    expected {m.expected} {m.expected_skills}; got {m.got} {m.got_skills}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("paths", nargs="*", type=Path, help="JSONL files to score together")
    parser.add_argument(
        "--set",
        dest="set_name",
        default=None,
        metavar="NAME",
        help="a named set: dev (the default, gated) or any tests/eval/NAME.jsonl (report only)",
    )
    parser.add_argument("--mistakes", action="store_true", help="list every mismatched message")
    args = parser.parse_args(argv)
    if args.paths and args.set_name:
        parser.error("give either paths or --set, not both")
    name = args.set_name or (DEV if not args.paths else "")
    try:
        paths: tuple[Path, ...] = set_paths(name) if name else tuple(args.paths)
    except ValueError as exc:
        parser.error(str(exc))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print("not found: " + ", ".join(missing), file=sys.stderr)
        return 2
    label = f"{name} set" if name else "set"
    print(f"{label}: " + " + ".join(p.name for p in paths))
    report = score(load_all(paths))
    print(render(report, show_mistakes=args.mistakes))
    failures = report.failures()
    if name and name != DEV:
        verdict = "gates not met: " + "; ".join(failures) if failures else "gates met"
        print(f"\nREPORT ONLY ({verdict})")
        return 0
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        return 1
    print("\nPASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
