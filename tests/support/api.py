"""Calls to the API function as API Gateway (HTTP API, payload 2.0) would make them, built
from the sample in events/, with the claims the JWT authorizer passes (all strings)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tests.support.events import SAMPLE_USER, LambdaContext, load_event

API_NOW = datetime.fromisoformat("2026-11-02T09:15:00+00:00")


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: Any


def api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    user: str | None = SAMPLE_USER,
    groups: tuple[str, ...] = (),
    token_email: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    now: datetime = API_NOW,
    raw_body: str | None = None,
) -> dict[str, Any]:
    from bounceback.http.api import ROUTES

    event = load_event("api.post-rejections.json")
    event["rawPath"] = path
    # As API Gateway routes it: a route's key, or $default when none of the API's takes it.
    event["routeKey"] = event["requestContext"]["routeKey"] = ROUTES.route_key(method, path)
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["timeEpoch"] = int(now.timestamp() * 1000)
    event["headers"] = {"content-type": "application/json"} | (headers or {})
    event["rawQueryString"] = urlencode(query or {})
    event["queryStringParameters"] = query
    if raw_body is not None:
        event["body"] = raw_body
    else:
        event["body"] = None if body is None else json.dumps(body)
    if user is None:
        del event["requestContext"]["authorizer"]
    else:
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
        claims["sub"] = user
        claims["cognito:groups"] = "[" + " ".join(groups) + "]"
        if token_email is not None:  # a Cognito ID token's verified address
            claims["email"] = token_email
            claims["email_verified"] = "true"
        # The token the authorizer verified reaches the function in its header, unchanged.
        event["headers"].setdefault(
            "authorization", bearer({"sub": user, "cognito:groups": list(groups)})
        )
    return event


def bearer(payload: dict[str, Any]) -> str:
    """A bearer token with these claims, as the app sends it (its signature is the
    authorizer's business, checked before the function runs)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"Bearer {part({'alg': 'RS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


def call_api(method: str, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
    from functions.api.app import handler

    response = handler(api_event(method, path, body, **kwargs), LambdaContext())
    text = response.get("body") or ""
    try:
        parsed: Any = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return ApiResponse(response["statusCode"], response.get("headers") or {}, parsed)
