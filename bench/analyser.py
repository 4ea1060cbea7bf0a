"""Benchmark the feedback analyser: time per message and import cost.

Run from the repository root: ``python bench/analyser.py``. Prints figures only; it asserts
nothing about time, because timings depend on the machine.

* Analysis: a ~1,000-character feedback message, analysed ``RUNS`` times after a warm-up
  (the first call builds the lexicon and imports the domain model; that one-off cost is
  printed separately). Wall time and the process's CPU time are both printed: on a shared,
  loaded machine the wall-clock median grows with the load, the CPU median much less.
* Import: ``python -c "import X"`` in fresh subprocesses, ``IMPORT_RUNS`` times each, minus an
  empty interpreter start, median taken; ``bounceback.analysis`` against ``boto3``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 2000
WARMUP = 50
IMPORT_RUNS = 7

MESSAGE = (
    "Hi Sam,\n\n"
    "Thank you for taking the time to interview with us for the Senior Backend Engineer role. "
    "The panel enjoyed meeting you and felt your communication was clear and friendly. "
    "However, we were looking for someone with more hands-on experience with Kubernetes and "
    "Terraform, and in the system design round you could have gone deeper into trade-offs, "
    "e.g. consistency versus availability. Some of your answers were a bit long-winded, and "
    "we would have liked to hear concrete examples of the impact you had in your last team. "
    "You also seemed a little nervous at the start, which is completely normal. We would also "
    "recommend preparing a couple of questions about the team and our product roadmap.\n\n"
    "Areas to work on:\n- distributed systems\n- structuring answers\n\n"
    "We have decided to move forward with a candidate whose experience more closely matches "
    "the role. You're welcome to reapply in 6 months, and we'll keep your CV on file. 🙂\n\n"
    "Best,\nJo"
)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_analysis() -> None:
    t0 = time.perf_counter()
    from bounceback.analysis import analyse

    imported = time.perf_counter()
    analyse(MESSAGE)
    first = time.perf_counter()
    for _ in range(WARMUP):
        analyse(MESSAGE)
    samples: list[float] = []
    cpu: list[float] = []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        analyse(MESSAGE)
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(samples)
    print(f"message length: {len(MESSAGE)} characters, {RUNS} runs after {WARMUP} warm-up")
    print(f"  import in this process: {(imported - t0) * 1e3:.1f} ms")
    print(f"  first call (lexicon build + domain model import): {(first - imported) * 1e3:.1f} ms")
    print(f"  median: {median * 1e3:.3f} ms")
    print(f"  p95:    {_percentile(samples, 0.95) * 1e3:.3f} ms")
    print(f"  median CPU time: {statistics.median(cpu) * 1e3:.3f} ms")
    print(f"  messages per second: {1 / median:,.0f}")
    print("  areas found: " + ", ".join(f.area.value for f in analyse(MESSAGE)))


def _import_time(statement: str) -> float:
    runs: list[float] = []
    for _ in range(IMPORT_RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)  # noqa: S603
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bench_imports() -> None:
    baseline = _import_time("pass")
    analysis = _import_time("import bounceback.analysis") - baseline
    boto3 = _import_time("import boto3") - baseline
    model = _import_time("import bounceback.model") - baseline
    ready = _import_time("import bounceback.analysis as a; a.analyse('x')") - baseline
    print(f"import cost in a fresh interpreter (median of {IMPORT_RUNS}, minus bare start-up)")
    print(f"  python start-up:                     {baseline * 1e3:7.1f} ms")
    print(f"  import bounceback.analysis:          {analysis * 1e3:7.1f} ms")
    print(f"  import boto3:                        {boto3 * 1e3:7.1f} ms")
    print(f"  import bounceback.model (pydantic):  {model * 1e3:7.1f} ms")
    print(f"  import + first analyse():            {ready * 1e3:7.1f} ms")
    print(f"  ratio bounceback.analysis / boto3:   {analysis / boto3:7.3f}")


def main() -> None:
    bench_analysis()
    print()
    bench_imports()


if __name__ == "__main__":
    main()
