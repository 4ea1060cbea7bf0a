"""Faults at the embedded AWS: a fraction of calls to one operation answered with the error
AWS gives when it throttles or fails, so handlers meet real botocore errors.

``FaultInjector`` wraps moto's WSGI application. For each request it finds the service (the
SigV4 credential scope of its Authorization header) and the operation (the ``X-Amz-Target``
header of JSON protocols, the ``Action`` parameter of query ones, method and path matched
against the service model's ``requestUri`` for REST-JSON ones, all read from botocore's own
service models), and answers the configured fraction of matching calls itself, in the
service's protocol, as AWS would. The stack's own clients mark their requests with
``INTERNAL_HEADER``: they are never faulted (AWS's internal delivery is not throttled by
your account's limits either).
"""

from __future__ import annotations

import io
import json
import logging
import random
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import botocore.session

if TYPE_CHECKING:
    from botocore.model import ServiceModel

log = logging.getLogger("bounceback_local.faults")

INTERNAL_HEADER = "X-Bounceback-Local-Internal"
_INTERNAL_ENVIRON_KEY = "HTTP_" + INTERNAL_HEADER.upper().replace("-", "_")

THROTTLE = "throttle"
INTERNAL = "internal"
ERROR_KINDS = (THROTTLE, INTERNAL)


@dataclass(frozen=True)
class AwsError:
    code: str
    status: int
    message: str


@dataclass(frozen=True)
class ServiceErrors:
    """What one service answers when it throttles a call, and when it fails inside."""

    throttle: AwsError
    internal: AwsError
    # JSON 1.0 protocols name the error with its Smithy namespace (botocore keeps what
    # follows '#'); 1.1 protocols name it alone.
    namespace: str | None = None


# The services the embedded AWS serves, with the errors their botocore models declare.
SERVICES: dict[str, ServiceErrors] = {
    "dynamodb": ServiceErrors(
        AwsError("ThrottlingException", 400, "Rate of requests exceeds the allowed throughput."),
        AwsError("InternalServerError", 500, "Internal server error"),
        "com.amazonaws.dynamodb.v20120810",
    ),
    "dynamodbstreams": ServiceErrors(
        AwsError("LimitExceededException", 400, "Rate exceeded for shard"),
        AwsError("InternalServerError", 500, "Internal server error"),
        "com.amazonaws.dynamodb.v20120810",
    ),
    "events": ServiceErrors(
        AwsError("ThrottlingException", 400, "Rate exceeded"),
        AwsError("InternalException", 500, "Internal error"),
    ),
    "scheduler": ServiceErrors(
        AwsError("ThrottlingException", 429, "Rate exceeded"),
        AwsError("InternalServerException", 500, "Internal server error"),
    ),
    "sesv2": ServiceErrors(
        AwsError("TooManyRequestsException", 429, "Too Many Requests"),
        AwsError("InternalServiceErrorException", 500, "Internal service error"),
    ),
    "ses": ServiceErrors(
        AwsError("Throttling", 400, "Maximum sending rate exceeded."),
        AwsError("InternalFailure", 500, "An internal error occurred."),
    ),
    "sqs": ServiceErrors(
        AwsError("RequestThrottled", 400, "Request is throttled."),
        AwsError("InternalFailure", 500, "An internal error occurred."),
        "com.amazonaws.sqs",
    ),
    "kms": ServiceErrors(
        AwsError("ThrottlingException", 400, "Rate exceeded"),
        AwsError("KMSInternalException", 500, "An internal error occurred."),
    ),
}


class FaultSpecError(ValueError):
    """A fault that cannot be set (an unknown service or operation, a bad rate...)."""


@cache
def service_model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


@dataclass(frozen=True)
class AwsCall:
    service: str  # boto3's name: dynamodb, sesv2, ...
    operation: str  # the model's name: PutItem, SendEmail, ...


# ---------------------------------------------------------------------------- what a call is

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_QUERY_CREDENTIAL_SCOPE = re.compile(r"^[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request$")


def signing_name(environ: dict[str, Any]) -> str | None:
    """The service a request is signed for (its SigV4 credential scope)."""
    found = _CREDENTIAL_SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if found:
        return found.group(1)
    credential = parse_qs(str(environ.get("QUERY_STRING", ""))).get("X-Amz-Credential")
    if credential:
        scoped = _QUERY_CREDENTIAL_SCOPE.match(credential[0])
        if scoped:
            return scoped.group(1)
    return None


@dataclass(frozen=True)
class _RestRoute:
    method: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # keys (and values) the URI requires
    literal: int  # characters that are not labels: the most specific route wins
    operation: str


def _rest_route(operation: str, method: str, request_uri: str) -> _RestRoute:
    path, _, query = request_uri.partition("?")
    pattern = ""
    literal = 0
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            pattern += ".+" if piece.endswith("+}") else "[^/]+"
        else:
            pattern += re.escape(piece)
            literal += len(piece)
    required = tuple(
        (key, value or None)
        for key, _, value in (part.partition("=") for part in query.split("&") if part)
    )
    return _RestRoute(method.upper(), re.compile(pattern), required, literal, operation)


@cache
def _rest_routes(service: str) -> tuple[_RestRoute, ...]:
    model = service_model(service)
    routes = [
        _rest_route(name, str(op.http["method"]), str(op.http["requestUri"]))
        for name in model.operation_names
        for op in [model.operation_model(name)]
    ]
    return tuple(sorted(routes, key=lambda r: -r.literal))


def _request_body(environ: dict[str, Any]) -> bytes:
    """The request's body, left in place for the application that reads it next."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)


def identify(environ: dict[str, Any], services: Iterable[str]) -> AwsCall | None:
    """Which of ``services``' operations the request calls, if any."""
    scope = signing_name(environ)
    if scope is None:
        return None
    for service in services:
        model = service_model(service)
        if model.signing_name != scope:
            continue
        operation = _operation(environ, service, model)
        if operation is not None:
            return AwsCall(service, operation)
    return None


def _operation(environ: dict[str, Any], service: str, model: ServiceModel) -> str | None:
    protocol = model.protocol
    if protocol == "json":
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        prefix, _, name = target.rpartition(".")
        if prefix == model.metadata.get("targetPrefix") and name in model.operation_names:
            return name
        return None
    if protocol == "query":
        if environ.get("HTTP_X_AMZ_TARGET"):
            return None
        parameters = parse_qs(str(environ.get("QUERY_STRING", "")))
        content_type = str(environ.get("CONTENT_TYPE", ""))
        if "Action" not in parameters and "x-www-form-urlencoded" in content_type:
            parameters = parse_qs(_request_body(environ).decode("utf-8", "replace"))
        action = (parameters.get("Action") or [""])[0]
        return action if action in model.operation_names else None
    if protocol == "rest-json":
        if environ.get("HTTP_X_AMZ_TARGET"):
            return None
        raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
        path = raw.split("?", 1)[0] if raw else str(environ.get("PATH_INFO", ""))
        query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        for route in _rest_routes(service):
            if route.method != method:
                continue
            if not (route.pattern.fullmatch(path) or route.pattern.fullmatch(unquote(path))):
                continue
            if all(
                key in query and (value is None or value in query[key])
                for key, value in route.query
            ):
                return route.operation
        return None
    return None


# ---------------------------------------------------------------------------- the answer


def error_response(service: str, kind: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The HTTP answer AWS gives for the error, in the service's protocol."""
    errors = SERVICES[service]
    error = errors.throttle if kind == THROTTLE else errors.internal
    model = service_model(service)
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if model.protocol == "json":
        version = str(model.metadata.get("jsonVersion", "1.0"))
        code = error.code
        if version == "1.0" and errors.namespace is not None:
            code = f"{errors.namespace}#{error.code}"
        headers.append(("Content-Type", f"application/x-amz-json-{version}"))
        if "awsQueryCompatible" in model.metadata:
            # Services that moved from the query protocol say the old code here too.
            fault = "Sender" if error.status < 500 else "Receiver"
            headers.append(("x-amzn-query-error", f"{error.code};{fault}"))
        body = json.dumps({"__type": code, "message": error.message}).encode()
    elif model.protocol == "rest-json":
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.code)]
        body = json.dumps({"message": error.message}).encode()
    else:  # query
        fault = "Sender" if error.status < 500 else "Receiver"
        headers.append(("Content-Type", "text/xml"))
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{fault}</Type><Code>{error.code}</Code><Message>{error.message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    headers.append(("Content-Length", str(len(body))))
    return error.status, headers, body


# ---------------------------------------------------------------------------- the faults set


@dataclass
class AwsFault:
    service: str
    operation: str
    rate: float
    times: int | None  # at most this many more; None: no limit
    error: str
    injected: int = 0

    def describe(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "rate": self.rate,
            "times": self.times,
            "error": self.error,
            "injected": self.injected,
        }


def validate(
    service: Any, operation: Any, rate: Any, times: Any = None, error: Any = THROTTLE
) -> AwsFault:
    """A fault from a request's values, or FaultSpecError saying what is wrong."""
    if not isinstance(service, str) or service not in SERVICES:
        raise FaultSpecError(f"service must be one of {sorted(SERVICES)}")
    operations = service_model(service).operation_names
    if not isinstance(operation, str) or operation not in operations:
        raise FaultSpecError(
            f"operation must be an operation of {service} as boto3's model names it "
            f"(e.g. {', '.join(operations[:3])})"
        )
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise FaultSpecError("rate is required: a number from 0 to 1")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise FaultSpecError("times must be an integer >= 1 (or left out: no limit)")
    if error not in ERROR_KINDS:
        raise FaultSpecError(f"error must be one of {list(ERROR_KINDS)}")
    return AwsFault(service, operation, float(rate), times, str(error))


class AwsFaults:
    """The faults in force, one per service and operation."""

    def __init__(self, chance: Callable[[], float] | None = None) -> None:
        self._faults: dict[tuple[str, str], AwsFault] = {}
        self._lock = threading.Lock()
        self._chance = chance or random.SystemRandom().random

    def set(self, fault: AwsFault) -> None:
        with self._lock:
            self._faults[(fault.service, fault.operation)] = fault

    def clear(self) -> int:
        with self._lock:
            count = len(self._faults)
            self._faults.clear()
            return count

    def __bool__(self) -> bool:
        return bool(self._faults)

    def services(self) -> list[str]:
        with self._lock:
            return sorted({service for service, _ in self._faults})

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for _, fault in sorted(self._faults.items())]

    def take(self, call: AwsCall) -> AwsFault | None:
        """The fault this call meets, if it meets one (counted against its ``times``)."""
        with self._lock:
            fault = self._faults.get((call.service, call.operation))
            if fault is None or self._chance() >= fault.rate:
                return None
            fault.injected += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    # Spent: it no longer shows among the faults in force.
                    del self._faults[(call.service, call.operation)]
            return fault


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FaultInjector:
    """WSGI middleware in front of moto: answers faulted calls itself."""

    def __init__(self, app: WsgiApp, faults: AwsFaults) -> None:
        self._app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not self.faults or environ.get(_INTERNAL_ENVIRON_KEY):
            return self._app(environ, start_response)
        call = identify(environ, self.faults.services())
        fault = self.faults.take(call) if call is not None else None
        if fault is None:
            return self._app(environ, start_response)
        status, headers, body = error_response(fault.service, fault.error)
        log.info("fault: %s %s answered %d", fault.service, fault.operation, status)
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return _once(body)


def _once(body: bytes) -> Iterator[bytes]:
    yield body


_REASONS = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error"}
