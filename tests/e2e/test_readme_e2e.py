"""The README's "Try it", run as written right after `make run` (`serve --demo`): the demo's
journey must leave the stack where a new user starts, on today's date."""

from __future__ import annotations

import json
import re
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.local_stack import REPO, serving

pytestmark = pytest.mark.e2e
DEMO_TIMEOUT_S = 90
MARK = "@@@ "


def _try_it() -> str:
    """The first shell block under the README's "## Try it"."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Try it") :]
    found = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert found is not None, "README: no shell block under 'Try it'"
    return found.group(1)


def _run(script: str, cwd: Path) -> list[tuple[str, str]]:
    """Each command of the script with what it printed: a DEBUG trap marks where each starts."""
    # A curl answer has no final newline: each mark starts on a line of its own.
    traced = f'trap \'printf "\\n{MARK}%s\\n" "$BASH_COMMAND"\' DEBUG\n{script}'
    run = subprocess.run(  # noqa: S603 - bash running the README's own block
        ["/bin/bash", "-c", traced],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    steps: list[tuple[str, str]] = []
    for line in run.stdout.splitlines():
        if line.startswith(MARK):
            steps.append((line.removeprefix(MARK), ""))
        elif steps and line:
            command, printed = steps[-1]
            steps[-1] = (command, printed + line + "\n")
    return steps


def _answers(steps: list[tuple[str, str]], fragment: str) -> list[str]:
    return [printed for command, printed in steps if fragment in command and "curl" in command]


def _kinds(inbox: str) -> set[str]:
    return {n["kind"] for n in json.loads(inbox)["items"]}


def test_try_it_works_as_written_right_after_the_demo() -> None:
    # Given `make run`'s stack, once its demo has told the whole journey
    with serving("--demo") as stack:
        deadline = time.monotonic() + DEMO_TIMEOUT_S
        while not any("your turn" in line for line in stack.stdout_lines):
            assert time.monotonic() < deadline, "".join(stack.stdout_lines)
            time.sleep(0.5)
        assert not any("demo  stopped" in line for line in stack.stdout_lines)

        # When the README's "Try it" runs as written, against this stack
        script = _try_it().replace("http://127.0.0.1:3000", stack.base_url)
        steps = _run(script, REPO)

        # Then each step tells the story its comment tells: the day "Try it" started on is
        # today, not the demo's date six months on
        moved = json.loads(_answers(steps, "/_local/clock/advance")[0])
        after = datetime.fromisoformat(moved["now"])
        started = after - timedelta(days=31)
        assert abs(started - datetime.now(UTC)) < timedelta(minutes=10)
        created = json.loads(_answers(steps, "@events/app.rejection.json")[0])
        assert datetime.fromisoformat(created["reapply_at"]) > started
        first_inbox, last_inbox = _answers(steps, "$B/notifications")
        assert _kinds(first_inbox) == {"encouragement", "feedback_request"}
        patched = json.loads(_answers(steps, "-XPATCH")[0])
        assert patched["cooldown"]["days"] == 30
        assert started < datetime.fromisoformat(patched["reapply_at"]) <= after
        assert moved["fired"], moved
        assert "reapply_open" in _kinds(last_inbox)
        assert [a.strip() for a in _answers(steps, "-XDELETE")] == ["204", "204"]
