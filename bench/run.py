"""Speed and cost figures, printed as ratios: ``make bench`` (``python bench/run.py``).

It asserts nothing; figures depend on the machine and are compared only with each other.

1. First events after a cold start, per function, against the floor (``bench/first_events.py``):
   fresh interpreters with Lambda's variables, each function's environment from a local stack
   started for the run, real calls to its embedded AWS, tracing on and off, interleaved rounds,
   medians. ``--quick`` runs fewer rounds.
2. AWS calls one rejection costs, end to end through all five steps (in process, on moto):
   counted per service and operation — the request-priced part of the AWS bill — and per
   notification delivered.
3. The feedback analyser (bench/analyser.py): time per message and import cost.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICK_ROUNDS = 3
ROUNDS = 7


def calls_per_rejection() -> None:
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Bench")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # keep the metric lines out of the figures
    sys.path.insert(0, str(ROOT))
    import boto3
    from moto import mock_aws

    from bounceback import services
    from tests.support.cloud import ENVIRONMENT, Cloud, InProcessWorkflow, iter_kinds
    from tests.support.seed import seed_feedback, seed_profile, seed_rejection

    os.environ.update(ENVIRONMENT)
    counts: Counter[str] = Counter()

    def count(event_name: str, **_: object) -> None:
        _, service, operation = event_name.split(".", 2)
        counts[f"{service}.{operation}"] += 1

    with mock_aws():
        services.reset()
        cloud = Cloud()
        workflow = InProcessWorkflow(cloud)
        seed_profile()
        # Count only what the product does from here on, not the test's own set-up calls.
        from bounceback import aws

        for factory in (aws.dynamodb, aws.events, aws.scheduler, aws.sesv2):
            factory().meta.events.register("before-call.*.*", count)
        rejection = seed_rejection()
        workflow.run_until_quiet()
        seed_feedback()
        workflow.run_until_quiet()
        workflow.fire_timers_due_by(rejection.reapply_at)
        workflow.run_until_quiet()
        notifications = len(list(iter_kinds(cloud.items(), "notification")))
        del boto3
    total = sum(counts.values())
    print("\n2. AWS calls for one rejection through all five steps (log, feedback, reapply)")
    for name, n in sorted(counts.items()):
        print(f"   {name:<42} {n:4d}")
    print(f"   {'total':<42} {total:4d}   = {total / notifications:.1f} calls per notification")
    dynamodb = sum(n for name, n in counts.items() if name.startswith("dynamodb"))
    print(
        f"   DynamoDB share of calls: {dynamodb / total:.2f}; Scan calls: {counts['dynamodb.Scan']}"
    )


def analyser() -> None:
    print("\n3. feedback analyser")
    subprocess.run([sys.executable, str(ROOT / "bench" / "analyser.py")], check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds, not {ROUNDS}")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of first events")
    parser.add_argument(
        "--only", choices=["first-events", "calls", "analyser"], default=None, help="one section"
    )
    args = parser.parse_args()
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else ROUNDS)
    sys.path.insert(0, str(ROOT))
    if args.only in (None, "first-events"):
        from bench.first_events import report

        report(rounds)
    if args.only in (None, "calls"):
        calls_per_rejection()
    if args.only in (None, "analyser"):
        analyser()


if __name__ == "__main__":
    main()
