"""Speed and cost figures, printed as ratios: ``make bench`` (``python bench/run.py``).

It asserts nothing; figures depend on the machine and are compared only with each other.

1. Cold-start import cost of each function's handler module, against ``import boto3``
   (fresh interpreters, median of several runs, bare interpreter start-up subtracted).
2. AWS calls one rejection costs, end to end through all five steps (in process, on moto):
   counted per service and operation — the request-priced part of the AWS bill — and per
   notification delivered.
3. The feedback analyser (bench/analyser.py): time per message and import cost.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
HANDLERS = [
    "functions.encourage.app",
    "functions.request_feedback.app",
    "functions.schedule_reapply.app",
    "functions.build_plan.app",
    "functions.reapply.app",
    "functions.api.app",
    "functions.webhooks.app",
]


def _import_seconds(statement: str, *, tracing: bool = True) -> float:
    """Import, and build the handler's decorators (which is where the Tracer is made)."""
    flag = "false" if tracing else "true"
    env = os.environ | {"POWERTOOLS_TRACE_DISABLED": flag, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(RUNS):
        code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        out = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def import_costs() -> None:
    print("1. cold-start import cost (median of", RUNS, "fresh interpreters), as x boto3")
    boto3 = _import_seconds("import boto3")
    print(f"   {'import boto3':<34} {boto3 * 1000:7.1f} ms")
    print(f"   {'':<34} {'Tracing: Active':>22} {'Tracing: PassThrough':>24}")
    for module in HANDLERS:
        traced = _import_seconds(f"import {module}", tracing=True)
        untraced = _import_seconds(f"import {module}", tracing=False)
        print(
            f"   {module:<34} {traced * 1000:7.1f} ms {traced / boto3:5.2f} x"
            f" {untraced * 1000:12.1f} ms {untraced / boto3:5.2f} x"
        )
    print("   (handlers import boto3 lazily, on their first AWS call; with tracing on, the")
    print("    Tracer loads the X-Ray SDK, which imports botocore)")


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


if __name__ == "__main__":
    import_costs()
    calls_per_rejection()
    analyser()
