"""Load the template's functions from their CodeUri and call them like Lambda does."""

from __future__ import annotations

import importlib.util
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bounceback_local.template import FunctionSpec

log = logging.getLogger("bounceback_local.functions")

Handler = Callable[[Any, Any], Any]


def describe_error(error: BaseException) -> str:
    """Type and first line of an error: enough to act on, without echoing event data
    (validation errors, for one, quote the input in their later lines)."""
    first_line = (str(error).splitlines() or [""])[0]
    if len(first_line) > 200:
        first_line = first_line[:200] + "..."
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


class HandlerImportError(Exception):
    """A function's handler cannot be loaded (missing file, import error, no such name)."""


class InjectedFaultError(Exception):
    """Raised instead of calling the handler, by POST /_local/faults."""


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        # Deadlines are real time, not the local clock: they bound how long the call runs.
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# Imports of function code touch sys.path and sys.modules, which are process-wide.
_IMPORT_LOCK = threading.Lock()


def _load_handler(spec: FunctionSpec) -> Handler:
    module_path, _, attribute = spec.handler.rpartition(".")
    if not module_path:
        raise HandlerImportError(f"{spec.logical_id}: Handler {spec.handler!r} is not module.name")
    source = spec.code_dir.joinpath(*module_path.split(".")).with_suffix(".py")
    if not source.is_file():
        raise HandlerImportError(
            f"{spec.logical_id}: {source} does not exist (Handler {spec.handler})"
        )
    # A unique module name per function: every function has an `app` module.
    module_name = f"_bounceback_fn_{spec.logical_id}.{module_path}"
    with _IMPORT_LOCK:
        before = set(sys.modules)
        # Lambda puts CodeUri on the path, so a handler may import a sibling module by its
        # plain name. Do the same while importing, then take the directory off again so that
        # two functions' siblings of the same name are not confused silently (see below).
        sys.path.insert(0, str(spec.code_dir))
        try:
            module_spec = importlib.util.spec_from_file_location(module_name, source)
            if module_spec is None or module_spec.loader is None:
                raise HandlerImportError(f"{spec.logical_id}: cannot load {source}")
            module: ModuleType = importlib.util.module_from_spec(module_spec)
            sys.modules[module_name] = module
            try:
                module_spec.loader.exec_module(module)
            except Exception as error:
                sys.modules.pop(module_name, None)
                raise HandlerImportError(
                    f"{spec.logical_id}: importing {source} failed: {type(error).__name__}: {error}"
                ) from error
        finally:
            sys.path.remove(str(spec.code_dir))
        _check_siblings(spec.code_dir, set(sys.modules) - before)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise HandlerImportError(f"{spec.logical_id}: {source} has no callable {attribute!r}")
    return handler  # type: ignore[no-any-return]


_SIBLING_OWNERS: dict[str, Path] = {}


def _check_siblings(code_dir: Path, new_modules: set[str]) -> None:
    """Fail loudly when two functions bring top-level modules of the same name."""
    for name in new_modules:
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        if not file or "." in name:
            continue
        path = Path(file).resolve()
        if code_dir in path.parents:
            owner = _SIBLING_OWNERS.setdefault(name, code_dir)
            if owner != code_dir:
                raise HandlerImportError(
                    f"module {name!r} exists in both {owner} and {code_dir}: functions share "
                    "one process locally, so their top-level module names must differ"
                )


class FunctionRuntime:
    """Every function of the template, loaded on first use (handlers may not exist yet)."""

    def __init__(self, specs: Mapping[str, FunctionSpec]) -> None:
        self.specs = dict(specs)
        self._handlers: dict[str, Handler] = {}
        self._locks = {name: threading.Lock() for name in specs}
        self._faults: dict[str, int] = {}
        self._faults_lock = threading.Lock()

    def inject_faults(self, logical_id: str, times: int) -> None:
        if logical_id not in self.specs:
            raise KeyError(logical_id)
        with self._faults_lock:
            self._faults[logical_id] = times

    def _take_fault(self, logical_id: str) -> bool:
        with self._faults_lock:
            remaining = self._faults.get(logical_id, 0)
            if remaining <= 0:
                return False
            self._faults[logical_id] = remaining - 1
            return True

    def handler(self, logical_id: str) -> Handler:
        with self._locks[logical_id]:
            if logical_id not in self._handlers:
                # Not cached on failure: the file may be written while the stack runs.
                self._handlers[logical_id] = _load_handler(self.specs[logical_id])
            return self._handlers[logical_id]

    def warm(self) -> None:
        """Import every handler that exists, so first requests are not slowed by imports."""
        for logical_id in self.specs:
            try:
                self.handler(logical_id)
            except HandlerImportError as error:
                log.warning("%s", error)

    def invoke(self, logical_id: str, event: Any) -> Any:
        spec = self.specs[logical_id]
        if self._take_fault(logical_id):
            raise InjectedFaultError(f"fault injected into {logical_id} by POST /_local/faults")
        handler = self.handler(logical_id)
        context = LambdaContext(
            function_name=spec.function_name,
            invoked_function_arn=spec.arn,
            memory_limit_in_mb=spec.memory_mb,
            timeout_s=spec.timeout_s,
        )
        started = time.monotonic()
        try:
            return handler(event, context)
        finally:
            elapsed = time.monotonic() - started
            # Lambda would kill the invocation; a thread cannot be killed, so say it loudly.
            if elapsed > spec.timeout_s:
                log.warning(
                    "%s ran %.1fs, over its %ss Timeout: it would time out on AWS",
                    logical_id,
                    elapsed,
                    spec.timeout_s,
                )
