"""The contract, proved against the local stack: schemathesis, with every check, finds nothing
the OpenAPI document does not say (tests/e2e/schemathesis.toml says what it is told and why)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261102
# Bounded for CI's two cores: every operation still gets its examples, coverage and fuzzing.
MAX_EXAMPLES = 10
BUDGET_SECONDS = 600  # a hang, not a slow run: the run takes a minute or two


def test_schemathesis_finds_no_failure_with_every_check(
    local_stack: LocalStack, tmp_path: Path
) -> None:
    # Given the document the stack serves, and a user's and an admin's tokens
    served = local_stack.request("GET", "/openapi.json")
    assert served.status == 200
    document = tmp_path / "openapi.json"
    document.write_bytes(served.body)
    environment = os.environ | {
        "BOUNCEBACK_APP_TOKEN": local_stack.token("contract-user", email="contract@example.com"),
        "BOUNCEBACK_ADMIN_TOKEN": local_stack.token("contract-admin", groups=["admin"]),
    }

    # When schemathesis runs every check on every operation
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603 - our own interpreter and a dev dependency
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            str(document),
            "--url",
            local_stack.base_url,
            "--checks",
            "all",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            "--request-timeout",
            "30",
        ],
        cwd=tmp_path,  # its own files (.schemathesis/) stay out of the repository
        env=environment,
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
        check=False,
    )
    elapsed = time.monotonic() - started

    # Then it finds nothing: its whole report is the failure message otherwise
    report = run.stdout + run.stderr
    summary = report[report.find("SUMMARY") :] if "SUMMARY" in report else report
    print(f"schemathesis ran in {elapsed:.0f}s\n{summary}")
    assert run.returncode == 0, report
    assert "Failures:" not in summary, report
    operations = sum(
        method in {"get", "put", "post", "delete", "patch"}
        for path in json.loads(served.body)["paths"].values()
        for method in path
    )
    assert f"Tested: {operations}" in summary, report  # every operation of the document
