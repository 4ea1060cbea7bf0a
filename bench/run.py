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
4. The local stack's throughput (bench/throughput.py): journeys per second with 8 concurrent
   clients against 1, and latency per route.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from costs import Journey, dollars_per_million, request_units

ROOT = Path(__file__).resolve().parents[1]
QUICK_ROUNDS = 3
ROUNDS = 5


def journey(*, email: bool) -> Journey:
    """One rejection through all five steps (logged, feedback, reapply), in process on moto:
    the calls the product makes from the rejection on (not the set-up's)."""
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Bench")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # keep the metric lines out of the figures
    sys.path.insert(0, str(ROOT))
    from moto import mock_aws

    from bounceback import aws, services
    from tests.support.cloud import ENVIRONMENT, Cloud, InProcessWorkflow
    from tests.support.seed import seed_feedback, seed_profile, seed_rejection

    os.environ.update(ENVIRONMENT)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    counts: Counter[str] = Counter()
    units = [0.0, 0.0]
    published = [0]

    def count(event_name: str, params: dict[str, object], **_: object) -> None:
        _, service, operation = event_name.split(".", 2)
        counts[f"{service}.{operation}"] += 1
        if service == "dynamodb":
            read, write = request_units(operation, params)
            units[0] += read
            units[1] += write
        if operation == "PutEvents":
            entries = params.get("Entries")
            published[0] += len(entries) if isinstance(entries, list) else 1

    with mock_aws():
        services.reset()
        cloud = Cloud()
        os.environ.update(cloud.environment)
        services.reset()
        workflow = InProcessWorkflow(cloud)
        seed_profile(email_notifications=email)
        # The handlers' logs and metric lines (the template's INFO) are not the figures.
        from bounceback.observability import logger

        logger.setLevel("ERROR")
        with contextlib.redirect_stdout(io.StringIO()):
            # Count only what the product does from here on, not the test's own set-up calls.
            for factory in (aws.dynamodb, aws.events, aws.scheduler, aws.sesv2, aws.sqs, aws.kms):
                factory().meta.events.register("before-parameter-build.*.*", count)
            rejection = seed_rejection()
            workflow.run_until_quiet()
            seed_feedback()
            workflow.run_until_quiet()
            fired = workflow.fire_timers_due_by(rejection.reapply_at)
            workflow.run_until_quiet()
            steps = len(workflow.deliveries)
    services.reset()
    return Journey(
        calls=counts,
        read_units=units[0],
        write_units=units[1],
        events_published=published[0],
        # Two API requests (the rejection, the feedback), two relays of what they committed,
        # and one invocation per step event.
        invocations=2 + 2 + steps,
        step_events=steps,
        timers_fired=len(fired),
    )


def calls_per_rejection() -> None:
    with_email, without = journey(email=True), journey(email=False)
    total = sum(with_email.calls.values())
    print("\n2. AWS calls for one rejection through all five steps (log, feedback, reapply)")
    print(f"   {'':<40} {'email on':>9} {'email off':>10}")
    for name in sorted(set(with_email.calls) | set(without.calls)):
        print(f"   {name:<40} {with_email.calls[name]:9d} {without.calls[name]:10d}")
    print(f"   {'total':<40} {total:9d} {sum(without.calls.values()):10d}")
    print(
        f"   DynamoDB request units (read, write): {with_email.read_units:g}, "
        f"{with_email.write_units:g}; step invocations {with_email.step_events}; "
        f"events published {with_email.events_published}"
    )
    on, off = dollars_per_million(with_email), dollars_per_million(without)
    print("   estimated cost per million rejections, USD (us-east-1 on demand, docs/prices.md):")
    for name in on:
        print(f"   {name:<40} {on[name]:9.2f} {off[name]:10.2f}")
    print(f"   {'total':<40} {sum(on.values()):9.2f} {sum(off.values()):10.2f}")
    print("   (Lambda at an assumed 100 ms per invocation at 512 MB; DynamoDB items under 1 KB)")


def analyser() -> None:
    print("\n3. feedback analyser")
    # As the layer build does: the lexicon compiled ahead of time for today's lexicon.
    build = [sys.executable, "-m", "bounceback.analysis.compiled"]
    subprocess.run(build, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    subprocess.run([sys.executable, str(ROOT / "bench" / "analyser.py")], check=True)  # noqa: S603


def throughput(quick: bool) -> None:
    print("\n4. the local stack's throughput (whole journeys; a stack of its own)")
    journeys = ["--journeys", "16"] if quick else []
    script = [sys.executable, str(ROOT / "bench" / "throughput.py"), *journeys]
    subprocess.run(script, check=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds, not {ROUNDS}")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of first events")
    parser.add_argument(
        "--only",
        choices=["first-events", "calls", "analyser", "throughput"],
        default=None,
        help="one section",
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
    if args.only in (None, "throughput"):
        throughput(args.quick)


if __name__ == "__main__":
    main()
