"""The local function runtime: containers as Lambda runs them, one invocation at a time each."""

from __future__ import annotations

import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bounceback_local.functions import (
    MAX_CONTAINERS_PER_FUNCTION,
    FunctionError,
    FunctionRuntime,
    FunctionTimeoutError,
    HandlerImportError,
)
from bounceback_local.template import FunctionSpec

# A handler that keeps the request in a module global while it works, as Powertools' resolver
# keeps its current event: shared between two requests in flight, the first would answer with
# the second one's data.
REMEMBERING_HANDLER = """
import os, time
current = None

def handler(event, context):
    global current
    current = event["user"]
    time.sleep(event.get("sleep", 0.2))
    if event.get("boom"):
        raise ValueError("boom: " + current)
    return {"user": current, "pid": os.getpid(), "stage": os.environ.get("STAGE"),
            "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            "remaining_ms": context.get_remaining_time_in_millis()}
"""


def _spec(code_dir: Path, logical_id: str = "Remember", timeout_s: int = 5) -> FunctionSpec:
    return FunctionSpec(
        logical_id=logical_id,
        function_name=f"{logical_id.lower()}-fn",
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{logical_id.lower()}-fn",
        code_dir=code_dir,
        handler="app.handler",
        memory_mb=128,
        timeout_s=timeout_s,
        environment={"STAGE": "test"},
        maximum_retry_attempts=2,
        on_failure_arn=None,
    )


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(textwrap.dedent(REMEMBERING_HANDLER), encoding="utf-8")
    return tmp_path


@pytest.fixture
def runtime(code_dir: Path) -> FunctionRuntime:
    runtime = FunctionRuntime({"Remember": _spec(code_dir)}, base_environment={"PATH": ""})
    yield runtime  # type: ignore[misc]
    runtime.stop()


def test_concurrent_invocations_never_share_request_state(runtime: FunctionRuntime) -> None:
    users = [f"user-{i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda u: runtime.invoke("Remember", {"user": u}), users))

    assert [a["user"] for a in answers] == users
    # As many containers as requests in flight, up to the cap (the rest wait for a free one).
    assert len({a["pid"] for a in answers}) == min(8, MAX_CONTAINERS_PER_FUNCTION)


def test_a_burst_beyond_the_cap_waits_for_a_container_instead_of_starting_more(
    runtime: FunctionRuntime,
) -> None:
    burst = MAX_CONTAINERS_PER_FUNCTION + 3
    with ThreadPoolExecutor(max_workers=burst) as pool:
        answers = list(
            pool.map(lambda n: runtime.invoke("Remember", {"user": f"u{n}"}), range(burst))
        )

    assert [a["user"] for a in answers] == [f"u{n}" for n in range(burst)]
    assert runtime.containers("Remember") == MAX_CONTAINERS_PER_FUNCTION


def test_a_free_container_is_reused_warm(runtime: FunctionRuntime) -> None:
    first = runtime.invoke("Remember", {"user": "a", "sleep": 0})
    second = runtime.invoke("Remember", {"user": "b", "sleep": 0})

    assert first["pid"] == second["pid"]
    assert runtime.containers("Remember") == 1


def test_a_function_sees_its_template_and_lambda_variables(runtime: FunctionRuntime) -> None:
    answer = runtime.invoke("Remember", {"user": "a", "sleep": 0})

    assert answer["stage"] == "test"
    assert answer["function_name"] == "remember-fn"
    assert 0 < answer["remaining_ms"] <= 5000
    assert runtime.environments["Remember"]["AWS_LAMBDA_FUNCTION_NAME"] == "remember-fn"
    assert runtime.environments["Remember"]["STAGE"] == "test"
    # and the variables Lambda's runtime sets (GET /_local/info shows them all)
    assert runtime.environments["Remember"]["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert runtime.environments["Remember"]["_HANDLER"]


def test_a_handler_error_comes_back_as_lambda_reports_it(runtime: FunctionRuntime) -> None:
    with pytest.raises(FunctionError) as raised:
        runtime.invoke("Remember", {"user": "a", "sleep": 0, "boom": True})

    assert raised.value.error_type == "ValueError"
    assert str(raised.value) == "boom: a"
    assert any("app.py" in frame for frame in raised.value.stack_trace)
    # The container survives a handled error, as a Lambda execution environment does.
    assert runtime.invoke("Remember", {"user": "b", "sleep": 0})["user"] == "b"


def test_an_invocation_past_its_timeout_is_killed(code_dir: Path) -> None:
    runtime = FunctionRuntime({"Slow": _spec(code_dir, "Slow", timeout_s=1)})
    try:
        with pytest.raises(FunctionTimeoutError):
            runtime.invoke("Slow", {"user": "a", "sleep": 5})
        assert runtime.containers("Slow") == 0
        assert runtime.invoke("Slow", {"user": "b", "sleep": 0})["user"] == "b"
    finally:
        runtime.stop()


def test_a_handler_that_cannot_be_imported_is_reported(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import no_such_module_here\n", encoding="utf-8")
    runtime = FunctionRuntime({"Broken": _spec(tmp_path, "Broken")})
    try:
        with pytest.raises(HandlerImportError, match="ModuleNotFoundError"):
            runtime.invoke("Broken", {})
        with pytest.raises(HandlerImportError, match="no module for Handler"):
            FunctionRuntime({"Gone": _spec(tmp_path / "nowhere", "Gone")}).invoke("Gone", {})
    finally:
        runtime.stop()
