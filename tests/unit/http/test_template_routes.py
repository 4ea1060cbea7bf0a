"""The HTTP API in template.yaml and the API function's routes agree: every route the function
serves is a route of the gateway with the JWT authorizer (or none, for the documentation), and
whatever no route takes reaches the function on ``$default``, with no authorizer."""

from __future__ import annotations

import re

from bounceback.http.api import ROUTES
from bounceback.http.openapi import WEBHOOK_ROUTE
from bounceback.http.routing import DEFAULT_ROUTE
from tests.support.cloud import deployment

OPEN = {"GET /openapi.json", "GET /docs"}


def _shape(route_key: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", route_key)


def test_every_route_of_the_function_is_a_route_of_the_gateway() -> None:
    gateway = {
        _shape(route.route_key): route
        for route in deployment().routes
        if route.function == "ApiFunction"
    }
    webhook = " ".join(WEBHOOK_ROUTE)
    served = {_shape(key) for key in ROUTES.route_keys() if key != webhook}
    assert len(served) == 22  # 20 documented routes, the document and its Swagger UI
    assert served <= set(gateway)
    for key in served:
        expected = None if key in OPEN else "JwtAuthorizer"
        assert gateway[key].authorizer == expected, key


def test_what_no_route_takes_reaches_the_api_function_without_a_token() -> None:
    (default,) = [r for r in deployment().routes if r.route_key == DEFAULT_ROUTE]
    assert (default.function, default.method, default.authorizer) == ("ApiFunction", "ANY", None)
