"""Errors become HTTP answers here, and only here: every body is ``{"message", "details"?}``.

Typed errors map by class, so a subclass answers as its base does (a ``NotFoundError`` of a
particular kind is still a 404). A product error with no status here is a bug and fails loudly
(500). Expected client errors are logged at INFO, without a stack trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from bounceback.errors import (
    BouncebackError,
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
)
from bounceback.http.request import json_response
from bounceback.http.routing import RouteTable, Unmatched, unmatched
from bounceback.http.schemas import ErrorDetail, ErrorOut
from bounceback.observability import logger

STATUS: Mapping[type[BouncebackError], int] = {
    UnauthorizedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidRequestError: 400,
    TooManyRequestsError: 429,
}


def status_for(error: BouncebackError) -> int | None:
    """The status of the nearest class of ``error`` that has one, or None (a bug)."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return None


def error_body(message: str, details: list[dict[str, Any]] | None = None) -> ErrorOut:
    return ErrorOut(
        message=message,
        details=None if details is None else [ErrorDetail.model_validate(d) for d in details],
    )


def error_response(
    status: int,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    return json_response(status, error_body(message, details), headers)


def invalid_request(error: RequestValidationError) -> Response[str]:
    details = [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in error.errors()
    ]
    logger.info("request rejected", extra={"status": 422, "errors": len(details)})
    return error_response(422, _invalid_message(details), details)


def _invalid_message(details: list[dict[str, Any]]) -> str:
    """The 422's message: that the request is not valid, and why when one of our own
    validators says (e.g. an unknown provider, with the known ones), so a reader need not
    dig into the details."""
    if len(details) == 1 and details[0]["type"] == "value_error":
        where = ".".join(str(part) for part in details[0]["loc"])
        why = details[0]["msg"].removeprefix("Value error, ")
        return f"the request is not valid: {where}: {why}"
    return "the request is not valid"


def refused(error: BouncebackError) -> Response[str]:
    status = status_for(error)
    if status is None:
        raise error  # an unexpected product error is a bug: let it fail loudly
    logger.info("request refused", extra={"status": status, "error": type(error).__name__})
    return error_response(status, str(error))


def _allow(answer: Unmatched) -> dict[str, str] | None:
    return None if answer.allow is None else {"Allow": answer.allow}


def error_event_response(
    status: int,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An error answered before any route runs, as the handler returns it to API Gateway."""
    logger.info("request refused", extra={"status": status})
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON} | (headers or {}),
        "body": error_body(message, details).model_dump_json(),
    }


def unmatched_event_response(table: RouteTable, method: str, path: str) -> dict[str, Any]:
    """The answer to a request no route took (on AWS: the ``$default`` route)."""
    answer = unmatched(table, method, path)
    return error_event_response(answer.status, answer.message, headers=_allow(answer))


def not_json(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """Bodies are JSON. Anything else (a form post, say) gets a clear 415 before validation
    would answer with a confusing error about its fields."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if not event.get("body") or "json" in headers.get("content-type", "").lower():
        return None
    return error_event_response(415, "send JSON with the header content-type: application/json")


def translate_errors(api: ApiGatewayResolver, table: RouteTable) -> None:
    """Install the translations above on ``api``; ``table`` knows every route of the HTTP API,
    for the answer to a request none of them takes (404, or 405 with ``Allow``)."""

    def no_such_route(_: Exception) -> Response[str]:
        event = api.current_event
        answer = unmatched(table, event.http_method, event.path)
        return error_response(answer.status, answer.message, headers=_allow(answer))

    api.exception_handler(RequestValidationError)(invalid_request)
    api.exception_handler(BouncebackError)(refused)
    api.not_found(no_such_route)
