"""The template's functions, run as Lambda runs them: each concurrent invocation in a container
of its own.

A function has a pool of containers (``bounceback_local.container``: one interpreter each, with
the function's environment and its CodeUri as the task root). An invocation takes an idle
container, or starts a new one when all are busy (Lambda scales out the same way), and gives it
back when it answers; a container that runs past the function's Timeout is killed, as Lambda
kills it. So two requests in flight never share module state: the API's resolver, Logger keys,
Metrics and cached clients are per container, exactly as on AWS.
"""

from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from contextlib import suppress
from typing import IO, Any

from bounceback_local.container import read_message, write_message
from bounceback_local.template import REGION, FunctionSpec

log = logging.getLogger("bounceback_local.functions")

Logs = IO[Any] | int  # where a container's stdout and stderr go (a stream, or DEVNULL)

# More concurrent invocations of one function than this wait for a container to free up. On
# Lambda each execution environment has a machine's share of its own; here every container is
# a process on this machine, and a burst that starts more interpreters than it has cores makes
# every cold start slower than the functions' Timeout (each killed container then starts again
# cold). Two per core keeps a burst queued instead.
MAX_CONTAINERS_PER_FUNCTION = max(4, 2 * (os.cpu_count() or 2))
# How long a new container may take to import its handler before it counts as broken.
INIT_TIMEOUT_SECONDS = 60


def describe_error(error: BaseException) -> str:
    """Type and first line of an error: enough to act on, without echoing event data
    (validation errors, for one, quote the input in their later lines)."""
    first_line = (str(error).splitlines() or [""])[0]
    if len(first_line) > 200:
        first_line = first_line[:200] + "..."
    name = error.error_type if isinstance(error, FunctionError) else type(error).__name__
    return f"{name}: {first_line}" if first_line else name


def error_frames(error: BaseException) -> str:
    """Where an invocation failed: the handler's own frames, carried back from its container
    (none for a handler that could not be imported: its message says it all)."""
    if isinstance(error, HandlerImportError):
        return ""
    if isinstance(error, FunctionError):
        return "".join(error.stack_trace).rstrip()
    return "".join(traceback.format_tb(error.__traceback__)).rstrip()


class HandlerImportError(Exception):
    """A function's handler cannot be loaded (missing file, import error, no such name)."""


class InjectedFaultError(Exception):
    """Raised instead of calling the handler, by POST /_local/faults."""


class FunctionError(Exception):
    """The handler raised: Lambda's unhandled-error report, carried back from the container."""

    def __init__(self, report: Mapping[str, Any]) -> None:
        super().__init__(str(report.get("errorMessage", "")))
        self.error_type = str(report.get("errorType", "Error"))
        self.stack_trace: list[str] = [str(line) for line in report.get("stackTrace") or []]


class StackStoppingError(RuntimeError):
    """The stack is shutting down: no new container is started."""


class FunctionTimeoutError(Exception):
    """The invocation ran past the function's Timeout; its container was killed."""


def lambda_environment(spec: FunctionSpec, host: Mapping[str, str]) -> dict[str, str]:
    """The variables a function sees beyond the host's own (PATH and the like): the embedded
    AWS endpoint and credentials, the runtime variables Lambda sets, then the template's."""
    return {
        **{key: value for key, value in host.items() if key.startswith("AWS_")},
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "_HANDLER": spec.handler,
        **spec.environment,
    }


class Container:
    """One process serving one function's invocations, one at a time."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str], logs: Logs) -> None:
        self.spec = spec
        module = spec.handler.rpartition(".")[0].replace(".", "/")
        if not (spec.code_dir / f"{module}.py").is_file():
            raise HandlerImportError(
                f"{spec.logical_id}: no module for Handler {spec.handler} in {spec.code_dir}"
            )
        requests_read, self._requests_fd = os.pipe()
        self._answers_fd, answers_write = os.pipe()
        try:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "bounceback_local.container",
                    str(requests_read),
                    str(answers_write),
                    str(spec.code_dir),
                    spec.handler,
                ],
                cwd=spec.code_dir,
                env=dict(environment),
                pass_fds=(requests_read, answers_write),
                stdin=subprocess.DEVNULL,
                stdout=logs,
                stderr=logs,
            )
        finally:
            os.close(requests_read)
            os.close(answers_write)
        self._requests = os.fdopen(self._requests_fd, "wb")
        self._answers = os.fdopen(self._answers_fd, "rb")
        hello = self._receive(INIT_TIMEOUT_SECONDS)
        if not hello.get("ready"):
            self.stop()
            error = hello.get("error") or {}
            raise HandlerImportError(
                f"{spec.logical_id}: importing {spec.handler} from {spec.code_dir} failed: "
                f"{error.get('errorType', '?')}: {error.get('errorMessage', '')}"
            )

    def _receive(self, timeout: float) -> dict[str, Any]:
        # The container writes each answer whole, so once the pipe is readable the read below
        # completes; until then, the deadline is Lambda's Timeout.
        readable, _, _ = select.select([self._answers], [], [], timeout)
        if not readable:
            self.stop()
            raise FunctionTimeoutError(
                f"Task timed out after {timeout:.2f} seconds ({self.spec.logical_id})"
            )
        message = read_message(self._answers)
        if message is None:
            self.stop()
            raise FunctionError(
                {"errorType": "Runtime.ExitError", "errorMessage": "the container exited"}
            )
        answer: dict[str, Any] = message
        return answer

    def invoke(self, event: Any) -> Any:
        deadline = time.time() + self.spec.timeout_s
        write_message(
            self._requests,
            {
                "event": event,
                "context": {
                    "function_name": self.spec.function_name,
                    "invoked_function_arn": self.spec.arn,
                    "memory_limit_in_mb": self.spec.memory_mb,
                    "aws_request_id": str(uuid.uuid4()),
                    "deadline_epoch_s": deadline,
                    "log_group_name": f"/aws/lambda/{self.spec.function_name}",
                },
            },
        )
        answer = self._receive(self.spec.timeout_s + 1)
        if "error" in answer:
            raise FunctionError(answer["error"])
        return answer.get("result")

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        with suppress(OSError):
            self._requests.close()
        if self._process.poll() is None:
            self._process.kill()
        with suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)
        with suppress(OSError):
            self._answers.close()


class _Pool:
    """The containers of one function: idle ones are reused, busy ones are never shared."""

    def __init__(self, spec: FunctionSpec, environment: Mapping[str, str], logs: Logs) -> None:
        self._spec = spec
        self._environment = environment
        self._logs = logs
        self._idle: list[Container] = []
        self._count = 0
        self._condition = threading.Condition()
        self._closed = False

    def acquire(self) -> Container:
        with self._condition:
            while True:
                if self._closed:
                    raise StackStoppingError("the local stack is stopping")
                if self._idle:
                    return self._idle.pop()
                if self._count < MAX_CONTAINERS_PER_FUNCTION:
                    self._count += 1
                    break
                self._condition.wait()
        try:
            return Container(self._spec, self._environment, self._logs)
        except BaseException:
            with self._condition:
                self._count -= 1
                self._condition.notify()
            raise

    def release(self, container: Container) -> None:
        with self._condition:
            if container.alive and not self._closed:
                self._idle.append(container)
            else:
                self._count -= 1
                container.stop()
            self._condition.notify()

    @property
    def size(self) -> int:
        with self._condition:
            return self._count

    def close(self) -> None:
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for container in idle:
            container.stop()


class FunctionRuntime:
    """Every function of the template, each with its pool of containers."""

    def __init__(
        self,
        specs: Mapping[str, FunctionSpec],
        base_environment: Mapping[str, str] | None = None,
        logs: Logs = subprocess.DEVNULL,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.specs = dict(specs)
        host = dict(os.environ if base_environment is None else base_environment)
        # What each function sees beyond the host's PATH and the like (GET /_local/info).
        self.environments = {
            name: lambda_environment(spec, host) | dict(overrides or {})
            for name, spec in self.specs.items()
        }
        self._pools = {
            name: _Pool(spec, host | self.environments[name] | {"PYTHONUNBUFFERED": "1"}, logs)
            for name, spec in self.specs.items()
        }
        self._faults: dict[str, int] = {}
        self._faults_lock = threading.Lock()

    def inject_faults(self, logical_id: str, times: int) -> None:
        if logical_id not in self.specs:
            raise KeyError(logical_id)
        with self._faults_lock:
            self._faults[logical_id] = times

    def faults(self) -> dict[str, int]:
        """The failures still to come, by function."""
        with self._faults_lock:
            return {name: times for name, times in sorted(self._faults.items()) if times > 0}

    def clear_faults(self) -> None:
        with self._faults_lock:
            self._faults.clear()

    def _take_fault(self, logical_id: str) -> bool:
        with self._faults_lock:
            remaining = self._faults.get(logical_id, 0)
            if remaining <= 0:
                return False
            self._faults[logical_id] = remaining - 1
            return True

    def warm(self) -> None:
        """Start one container per function, so first requests do not wait for imports."""
        for pool in self._pools.values():
            try:
                pool.release(pool.acquire())
            except HandlerImportError as error:
                log.warning("%s", error)
            except StackStoppingError:
                return

    def containers(self, logical_id: str) -> int:
        """How many containers the function has (idle and busy)."""
        return self._pools[logical_id].size

    def invoke(self, logical_id: str, event: Any) -> Any:
        if self._take_fault(logical_id):
            raise InjectedFaultError(f"fault injected into {logical_id} by POST /_local/faults")
        pool = self._pools[logical_id]
        container = pool.acquire()
        try:
            return container.invoke(event)
        finally:
            pool.release(container)

    def stop(self) -> None:
        for pool in self._pools.values():
            pool.close()
