"""What each route can answer, declared once beside the route for the OpenAPI document: the
success status with its real body, and every 4xx with the one error body, ``ErrorOut``.

Routes pass these to Powertools' ``responses=``. The dicts are plain data (Powertools' OpenAPI
models are only built when the document is asked for: ``bounceback.http.openapi``).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseHeader,
)
from pydantic import BaseModel

from bounceback.http.schemas import ErrorOut

JSON = "application/json"

# ------------------------------------------------------------------ errors every route shares
# 401 is answered by the HTTP API's JWT authorizer before the function runs, with the body
# {"message": "Unauthorized"}; the function answers it too for a subject that cannot be a user.
AUTHENTICATED: dict[int, str] = {
    401: "No valid bearer token: missing, expired, signed by another issuer or for another "
    'audience (answered by the JWT authorizer as `{"message": "Unauthorized"}`), or a token '
    "whose subject cannot be a user id.",
}
ADMIN: dict[int, str] = {
    403: "The token's `cognito:groups` holds no group named exactly `admin`.",
}
# Every route that takes a body reads it strictly before validation (``bounceback.http.body``).
WITH_BODY: dict[int, str] = {
    400: "The body's bytes are not UTF-8 (or not valid base64).",
    413: "The body is larger than API Gateway accepts (10 MB); answered by the gateway.",
    415: "A body that is not sent as JSON (`Content-Type: application/json`).",
    422: "The body is not one JSON object of this schema: the details name each field and what "
    "is wrong with it.",
}
PAGED: dict[int, str] = {
    400: "`next_token` is not a token this API issued for this list.",
    422: "`limit` is outside 1 to 100, or `next_token` is longer than 2048 characters.",
}
IDEMPOTENT: dict[int, str] = {
    422: "The body does not match the schema (the details say where), or the `Idempotency-Key` "
    "is longer than 128 characters.",
}


def _json(model: type[BaseModel]) -> dict[str, dict[str, object]]:
    return {JSON: {"model": model}}


def ok(model: type[BaseModel], description: str) -> tuple[int, OpenAPIResponse]:
    return 200, {"description": description, "content": _json(model)}  # type: ignore[typeddict-item]


def created(
    model: type[BaseModel], description: str, location: str, replay: bool = False
) -> tuple[int, OpenAPIResponse]:
    headers: dict[str, OpenAPIResponseHeader] = {
        "Location": {"description": location, "schema": {"type": "string"}},
    }
    if replay:
        headers["Idempotent-Replayed"] = {
            "description": "`true` when this answer replays the first result of a retry.",
            "schema": {"type": "string", "enum": ["true"]},
        }
    return 201, {
        "description": description,
        "headers": headers,
        "content": _json(model),  # type: ignore[typeddict-item]
    }


def accepted(model: type[BaseModel], description: str) -> tuple[int, OpenAPIResponse]:
    return 202, {"description": description, "content": _json(model)}  # type: ignore[typeddict-item]


def no_content(description: str) -> tuple[int, OpenAPIResponse]:
    # An empty content map: without one, Powertools would describe the route's return type.
    return 204, {"description": description, "content": {}}


def answers(
    success: tuple[int, OpenAPIResponse], errors: Mapping[int, str]
) -> dict[int, OpenAPIResponse]:
    """The ``responses=`` of one route: its success, then each error status with ``ErrorOut``."""
    status, response = success
    declared: dict[int, OpenAPIResponse] = {status: response}
    for code in sorted(errors):
        declared[code] = {
            "description": errors[code],
            "content": _json(ErrorOut),  # type: ignore[typeddict-item]
        }
    return declared
