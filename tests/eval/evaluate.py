"""Score the feedback analyser against a labelled set of messages.

Run from the repository root:

* ``python tests/eval/evaluate.py`` scores the development set (``messages.jsonl``,
  ``dev_extra.jsonl`` and every held-out set already measured, ``holdout.jsonl`` to
  ``holdout_n.jsonl``: each became development data once its first-seen score was recorded, see
  ``HOLDOUT.md`` to ``HOLDOUT_N.md`` and ``first_seen.json``), prints one table and the recorded
  first-seen scores, and exits non-zero when a gate fails;
* ``python tests/eval/evaluate.py --set NAME`` scores ``tests/eval/NAME.jsonl`` alone, report-only
  (the gates are printed but do not fail the run). This is how a held-out set written
  independently of the analyser is measured, e.g. ``--set holdout_b``; ``--set dev`` is the
  default, gated;
* ``python tests/eval/evaluate.py PATH [PATH ...]`` scores the given files together, with gates.

``--mistakes`` lists every mismatched message after the table.

The honest record of a new held-out set is its score when first seen, before any rule changed
because of it: ``python tests/eval/evaluate.py --set NAME --first-seen`` scores it and appends
that score to ``first_seen.json`` (refused when the set is already recorded: a first sight happens
once). The development run prints every recorded first-seen score after its own table, because
a set that has joined the development set can no longer be scored as unseen.

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
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bounceback.analysis import analyse, find_reapply_hint
from bounceback.model import Area, AreaFinding

HERE = Path(__file__).parent
# The development set: the messages the rules are tuned on. Each file keeps its own
# ``praise_only`` convention (see ``load``). The ``holdout*.jsonl`` files were written
# independently of the analyser and measured once each, at first sight (``first_seen.json``); they
# have been development data since (see HOLDOUT.md to HOLDOUT_N.md).
DEV_SET = (
    HERE / "messages.jsonl",
    HERE / "dev_extra.jsonl",
    HERE / "holdout.jsonl",
    HERE / "holdout_b.jsonl",
    HERE / "holdout_c.jsonl",
    HERE / "holdout_d.jsonl",
    HERE / "holdout_e.jsonl",
    HERE / "holdout_f.jsonl",
    HERE / "holdout_g.jsonl",
    HERE / "holdout_h.jsonl",
    HERE / "holdout_i.jsonl",
    HERE / "holdout_j.jsonl",
    HERE / "holdout_k.jsonl",
    HERE / "holdout_l.jsonl",
    HERE / "holdout_m.jsonl",
    HERE / "holdout_n.jsonl",
)
DEV = "dev"
# Any other named set is ``tests/eval/<name>.jsonl``, scored report-only: a held-out set is
# measured, never gated on (a gate would invite tuning to it).
_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
MIN_MICRO_F1 = 0.85
MIN_AREA_F1 = 0.70
# The first-seen score of every held-out set, one record per set, appended once (see the module
# docstring). Sets measured before the full record existed carry their micro scores only.
FIRST_SEEN = HERE / "first_seen.json"


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


def first_seen_record(name: str, report: Report, commit: str) -> dict[str, Any]:
    """The machine-readable first-seen score of one set: every figure the table prints."""

    def figures(c: Counts) -> dict[str, float | int]:
        return {
            "precision": round(c.precision, 3),
            "recall": round(c.recall, 3),
            "f1": round(c.f1, 3),
            "support": c.support,
        }

    return {
        "set": name,
        "messages": report.messages,
        "scored_on": datetime.now(UTC).date().isoformat(),
        "analyser_commit": commit,
        "micro": figures(report.micro),
        "areas": {area: figures(c) for area, c in report.areas.items()},
        "skills": {
            "precision": round(report.skills.precision, 3),
            "recall": round(report.skills.recall, 3),
            "expected": report.skills.support,
        },
        "praise_only": {
            "with_gap": len(report.praise_only_with_gap),
            "messages": report.praise_only,
        },
        "table": render(report),
    }


def load_first_seen(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or FIRST_SEEN
    if not path.is_file():
        return []
    records: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return records


def record_first_seen(record: dict[str, Any], path: Path | None = None) -> None:
    """Append ``record``; a set already recorded is refused, its first sight is over."""
    path = path or FIRST_SEEN
    records = load_first_seen(path)
    if any(r["set"] == record["set"] for r in records):
        raise ValueError(f"{record['set']} already has a first-seen record")
    records.append(record)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", "utf-8")


def render_first_seen(records: Sequence[dict[str, Any]]) -> str:
    """Every recorded first-seen score: micro figures for all sets, the per-area F1, skills and
    praise-only misses for the sets recorded in full."""
    if not records:
        return "no first-seen record yet"
    lines = [
        "first seen (each held-out set scored once, before any rule changed because of it)",
        f"{'set':<12}{'msgs':>6}{'P':>7}{'R':>7}{'F1':>7}",
    ]
    for r in records:
        m = r["micro"]
        lines.append(
            f"{r['set']:<12}{r['messages']:>6}{m['precision']:>7.3f}{m['recall']:>7.3f}"
            f"{m['f1']:>7.3f}"
        )
    full = [r for r in records if "areas" in r]
    if full:
        lines += ["", f"{'area F1':<18}" + "".join(f"{r['set']:>12}" for r in full)]
        for area in full[0]["areas"]:
            row = ""
            for r in full:
                a = r["areas"][area]
                row += f"{a['f1']:>7.3f} ({a['support']:>2})" if a["support"] else f"{'-':>11}"
            lines.append(f"{area:<18}{row}")
        lines.append(
            f"{'skills P/R':<18}"
            + "".join(f"{r['skills']['precision']:>6.2f}/{r['skills']['recall']:.2f}" for r in full)
        )
        lines.append(
            f"{'praise-only gaps':<18}"
            + "".join(
                f"{r['praise_only']['with_gap']:>7} of {r['praise_only']['messages']:<2}"
                for r in full
            )
        )
    return "\n".join(lines)


def _commit() -> str:
    """The analyser's commit, for the record (``unknown`` outside a git checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


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
    parser.add_argument(
        "--first-seen",
        action="store_true",
        help="with --set NAME: append this score to first_seen.json as the set's first sight",
    )
    args = parser.parse_args(argv)
    if args.paths and args.set_name:
        parser.error("give either paths or --set, not both")
    if args.first_seen and (not args.set_name or args.set_name == DEV):
        parser.error("--first-seen needs --set NAME of a held-out set")
    if args.first_seen and any(r["set"] == args.set_name for r in load_first_seen()):
        print(
            f"{args.set_name} was already seen: its first-seen score is recorded", file=sys.stderr
        )
        return 2
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
        if args.first_seen:
            record_first_seen(first_seen_record(name, report, _commit()))
            print(f"first-seen score of {name} recorded in {FIRST_SEEN.name}")
        return 0
    if failures:
        print("\nFAILED: " + "; ".join(failures))
    else:
        print("\nPASSED")
    if name == DEV:
        print("\n" + render_first_seen(load_first_seen()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
