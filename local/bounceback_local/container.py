"""One local "container" of a function: a process of its own, serving one invocation at a time.

Lambda runs each concurrent invocation of a function in its own execution environment: module
globals (Powertools' resolver and its current event, Logger keys, Metrics, cached clients) are
never shared by two requests in flight. The local stack reproduces that by running every
container as a separate interpreter (``python -m bounceback_local.container``), started with the
function's own environment and its code directory first on ``sys.path`` (Lambda's task root),
importing the handler once and then answering invocations one after another, warm.

The parent speaks to it over two pipes whose file descriptors are given on the command line,
so the function's own stdout and stderr stay what they are on Lambda: its logs. A message is a
4-byte big-endian length and a UTF-8 JSON document:
- invoke: ``{"event": ..., "context": {...}}`` -> ``{"result": ...}`` or ``{"error": {...}}``,
  the error shaped as Lambda reports an unhandled one (``errorType``, ``errorMessage``,
  ``stackTrace``).

This module imports nothing heavy: only the handler's own imports cost a cold start.
"""

from __future__ import annotations

import importlib
import json
import os
import struct
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import IO, Any

_LENGTH = struct.Struct(">I")


def write_message(stream: IO[bytes], message: Any) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> Any:
    """The next message, or None when the other end has closed the pipe."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(header)
    data = stream.read(length)
    if len(data) < length:
        return None
    return json.loads(data)


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline_epoch_s: float
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    identity: Any = None
    client_context: Any = None
    _unused: dict[str, Any] = field(default_factory=dict)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline_epoch_s - time.time()) * 1000))


def lambda_error(error: BaseException) -> dict[str, Any]:
    """An unhandled error as Lambda reports it to the caller and to on-failure destinations."""
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def _load(handler: str) -> Any:
    module_path, _, attribute = handler.rpartition(".")
    if not module_path:
        raise ImportError(f"Handler {handler!r} is not module.name")
    module = importlib.import_module(module_path)
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ImportError(f"{module.__file__} has no callable {attribute!r}")
    return function


def serve(requests: IO[bytes], answers: IO[bytes], code_dir: str, handler_name: str) -> None:
    # Lambda's task root comes first on the path, before the packages (here: the venv).
    sys.path.insert(0, code_dir)
    handler: Any = None
    init_error: dict[str, Any] | None = None
    try:
        handler = _load(handler_name)
    except BaseException as error:  # an init error: every invocation reports it, as Lambda does
        init_error = lambda_error(error)
        init_error["errorType"] = f"Runtime.ImportModuleError: {init_error['errorType']}"
    write_message(answers, {"ready": init_error is None, "error": init_error})
    while True:
        request = read_message(requests)
        if request is None:
            return
        if handler is None:
            write_message(answers, {"error": init_error})
            continue
        context = LambdaContext(**request["context"])
        try:
            result = handler(request["event"], context)
        except Exception as error:
            write_message(answers, {"error": lambda_error(error)})
            continue
        try:
            write_message(answers, {"result": result})
        except (TypeError, ValueError) as error:  # not JSON: Lambda cannot serialise it either
            write_message(answers, {"error": lambda_error(error)})


def main() -> None:
    requests_fd, answers_fd, code_dir, handler_name = sys.argv[1:5]
    with (
        os.fdopen(int(requests_fd), "rb") as requests,
        os.fdopen(int(answers_fd), "wb") as answers,
    ):
        serve(requests, answers, code_dir, handler_name)


if __name__ == "__main__":
    main()
