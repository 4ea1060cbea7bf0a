"""The app and admin API (HTTP API, JWT), put together: one router per resource
(``bounceback.http.routes``), errors translated in one place (``bounceback.http.errors``).
Routes and bodies: BRIEF "Public HTTP contract", docs/openapi.json.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.http.body import BodyError, read_json_object
from bounceback.http.errors import (
    error_event_response,
    not_json,
    translate_errors,
    unmatched_event_response,
)
from bounceback.http.openapi import WEBHOOK_ROUTE, openapi_document
from bounceback.http.routes import ROUTERS
from bounceback.http.routing import DEFAULT_ROUTE, RouteTable

# Only these methods carry a request body; any other request's body is never read.
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})

# Every route of the HTTP API, this function's and the webhook route another function serves.
ROUTES = RouteTable.of([key for router in ROUTERS for key in router.route_keys] + [WEBHOOK_ROUTE])


def build_api() -> APIGatewayHttpResolver:
    api = APIGatewayHttpResolver(enable_validation=True)
    for router in ROUTERS:
        api.include_router(router)
    translate_errors(api, ROUTES)
    return api


api = build_api()


def answer(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The response to one API Gateway event. A request on the ``$default`` route is one no
    route took (``bounceback.http.routing``). A body is read strictly first
    (``bounceback.http.body``): the routes only ever see one well-formed JSON object."""
    http = (event.get("requestContext") or {}).get("http") or {}
    method = str(http.get("method", "")).upper()
    if event.get("routeKey") == DEFAULT_ROUTE:
        return unmatched_event_response(ROUTES, method, str(event.get("rawPath", "")))
    if method not in METHODS_WITH_BODY:
        return api.resolve(event, context)
    refused = not_json(event)
    if refused is not None:
        return refused
    try:
        body = read_json_object(event)
    except BodyError as error:
        return error_event_response(error.status, error.message, error.details)
    if body is not None:
        event = {**event, "body": json.dumps(body), "isBase64Encoded": False}
    return api.resolve(event, context)


def document() -> str:
    """The OpenAPI document of this API (docs/openapi.json)."""
    return openapi_document(api)
