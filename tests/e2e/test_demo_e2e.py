"""`make run` is `bounceback-local serve --demo`: it must print the journey as a timeline and
keep serving afterwards."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 90


def test_the_demo_prints_the_whole_journey_then_keeps_serving() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bounceback_local.cli", "serve", "--demo", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    stdout = process.stdout
    assert stdout is not None
    # A reader thread, so a stack that goes quiet cannot hang the test: it waits TIMEOUT_S.
    output: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            output.put(line)

    threading.Thread(target=pump, daemon=True).start()
    lines: list[str] = []
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while not any(m in (lines or [""])[-1] for m in ("your turn", "demo  stopped")):
            try:
                lines.append(output.get(timeout=max(0.1, deadline - time.monotonic())).rstrip())
            except queue.Empty:
                pytest.fail("the demo did not finish:\n" + "\n".join(lines))
        timeline = "\n".join(lines)
        base_url = next(line for line in lines if line.startswith("ready ")).split()[1]

        for moment in (
            "a rejection from Northwind Analytics",
            "1. don't take it personally",
            "2. ask for feedback",
            "feedback arrives",
            "3. be more prepared: the plan",
            "the clock moves",
            "4. keep going: 'You can reapply to Northwind Analytics now'",
            "4 emails sent",
            "SmartRecruiters posts a status change (ids only) -> 202",
            "looked up after the answer: Product Designer at Difference Engines plc",
        ):
            assert moment in timeline, timeline
        assert "stopped:" not in timeline
        # The ATS's rejection is recent at the stack's clock (the sample's dates moved with it),
        # so its waiting period is still ahead, not over before it was logged.
        rejected = re.search(r"rejected (\d{4}-\d{2}-\d{2})", timeline)
        today = re.search(r"the clock is back to today, (\d{4}-\d{2}-\d{2})", timeline)
        assert rejected, timeline
        assert today, timeline
        assert date.fromisoformat(rejected.group(1)) >= date.fromisoformat(today.group(1))
        with urllib.request.urlopen(f"{base_url}/openapi.json", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
