"""X-Ray traces for the price of a UDP datagram: the handler and every AWS call, no SDK.

With ``Tracing: Active`` Lambda records each invocation itself (the function's segment, with
its initialisation, invocation and overhead) and hands the function the trace header in
``_X_AMZN_TRACE_ID``; botocore copies that header onto every AWS request (so EventBridge, SQS
and the steps behind them continue the trace), and ``bounceback.events.publish`` names it on
each PutEvents entry. What the X-Ray SDK would add on top is a subsegment for the handler and
one per AWS call, for which it costs every cold start its own import, a botocore session of
its own and patched modules. Here those subsegments are written as X-Ray's documented segment
documents and sent to the daemon address Lambda sets (``AWS_XRAY_DAEMON_ADDRESS``), from
botocore's own before/after-call hooks: nothing more is imported.

Nothing personal is recorded: names, operations, tables, status codes, timings, the error's
type. Only sampled invocations send anything; a send that fails is dropped (tracing never
fails a request).
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from typing import Any, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., Any])

_HEADER = b'{"format":"json","version":1}\n'
_DEFAULT_DAEMON = ("127.0.0.1", 2000)


def enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in {"1", "true"}


def new_id() -> str:
    return os.urandom(8).hex()


def trace_context(header: str | None = None) -> tuple[str, str] | None:
    """(trace id, parent id) of a sampled trace header ("Root=...;Parent=...;Sampled=1")."""
    text = os.environ.get("_X_AMZN_TRACE_ID", "") if header is None else header
    parts = dict(p.strip().split("=", 1) for p in text.split(";") if "=" in p)
    root, parent = parts.get("Root"), parts.get("Parent")
    if not root or not parent or parts.get("Sampled") != "1":
        return None
    return root, parent


def daemon_address(value: str | None = None) -> tuple[str, int]:
    """Where segments go: ``AWS_XRAY_DAEMON_ADDRESS`` ("host:port", or Lambda's
    "udp:host:port tcp:host:port" form)."""
    text = os.environ.get("AWS_XRAY_DAEMON_ADDRESS", "") if value is None else value
    for part in text.split():
        if part.startswith("tcp:"):
            continue
        host, _, port = part.removeprefix("udp:").rpartition(":")
        if host and port.isdigit():
            return host, int(port)
    return _DEFAULT_DAEMON


class _Emitter:
    def __init__(self) -> None:
        self._socket: socket.socket | None = None

    def reset(self) -> None:
        """Forget the socket (after a SnapStart restore: each environment opens its own)."""
        if self._socket is not None:
            self._socket.close()
        self._socket = None

    def send(self, document: dict[str, Any]) -> None:
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            data = _HEADER + json.dumps(document, separators=(",", ":")).encode()
            self._socket.sendto(data, daemon_address())
        except OSError:
            pass  # a trace is never worth a failed request


emitter = _Emitter()
# The subsegment calls are recorded under: the handler's, while one runs (Lambda runs one
# invocation at a time per execution environment).
_current: list[tuple[str, str]] = []
_cold = [True]


def mark_cold_start() -> None:
    """The next invocation is the first of this execution environment (a SnapStart restore)."""
    _cold[0] = True


def subsegment(
    name: str,
    start: float,
    end: float,
    trace: tuple[str, str],
    *,
    segment_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    trace_id, parent_id = trace
    return {
        "name": name,
        "id": segment_id or new_id(),
        "trace_id": trace_id,
        "parent_id": parent_id,
        "type": "subsegment",
        "start_time": start,
        "end_time": end,
        **fields,
    }


def capture_lambda_handler(handler: Handler, service: str | None = None) -> Handler:
    """A subsegment ``## <handler>`` per sampled invocation, annotated with ColdStart and
    Service as Powertools' Tracer annotates it; the AWS calls it makes nest under it."""
    name = f"## {getattr(handler, '__name__', 'handler')}"

    @wraps(handler)
    def traced(event: Any, context: Any) -> Any:
        cold, _cold[0] = _cold[0], False
        trace = trace_context()
        if trace is None:
            return handler(event, context)
        segment_id = new_id()
        _current.append((trace[0], segment_id))
        start = time.time()
        fields: dict[str, Any] = {
            "annotations": {
                "ColdStart": cold,
                "Service": service
                or os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined"),
            }
        }
        try:
            return handler(event, context)
        except Exception as error:
            fields |= {"fault": True, "cause": {"exceptions": [{"type": type(error).__name__}]}}
            raise
        finally:
            _current.pop()
            emitter.send(
                subsegment(name, start, time.time(), trace, segment_id=segment_id, **fields)
            )

    return traced  # type: ignore[return-value]


def _parent() -> tuple[str, str] | None:
    return _current[-1] if _current else trace_context()


def _record_call(
    context: dict[str, Any],
    parsed: dict[str, Any] | None = None,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    """botocore's after-call (``parsed``) and after-call-error (``exception``) hooks."""
    call = context.get("bounceback_trace")
    trace = _parent()
    if call is None or trace is None:
        return
    service, start, aws = call
    meta = (parsed or {}).get("ResponseMetadata") or {}
    status = int(meta.get("HTTPStatusCode") or 0)
    aws = aws | {"retries": meta.get("RetryAttempts", 0)}
    if meta.get("RequestId"):
        aws["request_id"] = meta["RequestId"]
    fields: dict[str, Any] = {"namespace": "aws", "aws": aws}
    if status:
        fields["http"] = {"response": {"status": status}}
    code = ((parsed or {}).get("Error") or {}).get("Code")
    if exception is not None or status >= 500:
        fields["fault"] = True
    elif status == 429 or code in {"ThrottlingException", "Throttling"}:
        fields |= {"error": True, "throttle": True}
    elif status >= 400:
        fields["error"] = True
    emitter.send(subsegment(service, start, time.time(), trace, **fields))


def instrument(client: Any) -> Any:
    """Record each call ``client`` makes as an ``aws`` subsegment (service, operation, region,
    table or queue, status, retries), under the handler's subsegment."""
    service = str(client.meta.service_model.service_id)
    region = client.meta.region_name

    def before(params: dict[str, Any], context: dict[str, Any], model: Any, **_: Any) -> None:
        aws = {"operation": model.name, "region": region}
        for name, key in (("TableName", "table_name"), ("QueueUrl", "queue_url")):
            if isinstance(params.get(name), str):
                aws[key] = params[name]
        context["bounceback_trace"] = (service, time.time(), aws)

    def after(**kwargs: Any) -> None:
        with suppress(Exception):  # a trace is never worth a failed request
            _record_call(**kwargs)

    events = client.meta.events
    # Before the parameters are serialised: they still name the table or queue, and a hook
    # that answers the call itself (a stub) cannot stop the clock from starting.
    events.register_first("before-parameter-build.*.*", before, unique_id="bounceback-trace-before")
    events.register("after-call.*.*", after, unique_id="bounceback-trace-after")
    events.register("after-call-error.*.*", after, unique_id="bounceback-trace-error")
    return client
