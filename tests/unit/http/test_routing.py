"""Requests no route takes: an unknown path is a 404, a known path with another method a 405
with ``Allow``; on AWS both arrive on the ``$default`` route, which never runs a route."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bounceback.http.api import ROUTES
from bounceback.http.routing import DEFAULT_ROUTE, RouteTable, unmatched
from tests.support.api import api_event
from tests.support.events import LambdaContext

TABLE = RouteTable.of(
    [
        ("GET", "/me"),
        ("PUT", "/me"),
        ("DELETE", "/me"),
        ("GET", "/rejections/<rejection_id>"),
        ("PATCH", "/rejections/<rejection_id>"),
        ("POST", "/webhooks/{provider}/{connection_id}"),
    ]
)


def test_a_path_with_other_methods_is_a_405_that_lists_them() -> None:
    answer = unmatched(TABLE, "POST", "/me")
    assert (answer.status, answer.allow) == (405, "DELETE, GET, PUT")
    assert answer.message == "this path answers only DELETE, GET, PUT"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/rejections/abc", "GET, PATCH"),
        ("get", "/webhooks/standard/conn-1", "POST"),  # a method in any case
        ("TRACE", "/me", "DELETE, GET, PUT"),
        ("HEAD", "/me", "DELETE, GET, PUT"),  # HEAD is not GET on an HTTP API
    ],
)
def test_parameters_match_one_segment_of_any_text(method: str, path: str, allow: str) -> None:
    assert unmatched(TABLE, method, path).allow == allow


@pytest.mark.parametrize(
    "path",
    ["/nowhere", "/me/", "/rejections", "/rejections/a/b", "/webhooks/standard", "/", ""],
)
def test_an_unknown_path_is_a_404_without_allow(path: str) -> None:
    answer = unmatched(TABLE, "GET", path)
    assert (answer.status, answer.allow, answer.message) == (404, None, "no such route")


def test_a_method_the_path_has_is_never_run_from_here() -> None:
    # Only when the gateway's routes and the function's disagree: still no route runs.
    assert unmatched(TABLE, "GET", "/me").status == 404


def test_route_keys_are_the_gateways() -> None:
    assert TABLE.route_key("get", "/rejections/x1") == "GET /rejections/{rejection_id}"
    assert TABLE.route_key("POST", "/webhooks/a/b") == "POST /webhooks/{provider}/{connection_id}"
    assert TABLE.route_key("POST", "/me") == DEFAULT_ROUTE


# ------------------------------------------------------------------ the API function
def default_route_event(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """A request API Gateway sent to ``$default``: no route matched, no authorizer ran."""
    event = api_event(method, path, user=None, **kwargs)
    assert event["routeKey"] == DEFAULT_ROUTE
    return event


def call(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    from functions.api.app import handler

    response = handler(event, LambdaContext())
    return response["statusCode"], response["headers"], json.loads(response["body"])


def test_the_api_answers_the_default_route_with_405_and_allow() -> None:
    status, headers, body = call(default_route_event("POST", "/me", body={"display_name": "x"}))
    assert status == 405
    assert headers["Allow"] == "DELETE, GET, PUT"
    assert headers["Content-Type"] == "application/json"
    assert body == {"message": "this path answers only DELETE, GET, PUT", "details": None}


def test_the_webhook_route_of_another_function_is_known_too() -> None:
    status, headers, _ = call(default_route_event("GET", "/webhooks/standard/conn-1"))
    assert (status, headers["Allow"]) == (405, "POST")


def test_an_unknown_path_on_the_default_route_is_a_404() -> None:
    status, headers, body = call(default_route_event("GET", "/nowhere"))
    assert status == 404
    assert "Allow" not in headers
    assert body == {"message": "no such route", "details": None}


def test_the_default_route_never_runs_an_app_route() -> None:
    # Given a request for an app route that reached $default, as if its authorizer were skipped
    event = api_event("GET", "/rejections")
    event["routeKey"] = event["requestContext"]["routeKey"] = DEFAULT_ROUTE

    # Then it is not served (no route runs, no store is read: this test has no AWS at all)
    status, headers, _ = call(event)
    assert status == 404
    assert "Allow" not in headers


def test_the_default_route_reads_no_body() -> None:
    # A body that would be a 400 or 415 on a route changes nothing on $default.
    headers = {"content-type": "text/plain"}
    event = default_route_event("PATCH", "/me", raw_body="\udcff not json", headers=headers)
    status, _, _ = call(event)
    assert status == 405


def test_every_route_of_the_api_has_its_own_key() -> None:
    # The table the 405s come from holds the API's routes and the webhook route.
    assert ROUTES.methods_for("/me") == ["DELETE", "GET", "PUT"]
    assert ROUTES.methods_for("/rejections/abc") == ["DELETE", "GET", "PATCH"]
    assert ROUTES.methods_for("/openapi.json") == ["GET"]
    assert ROUTES.methods_for("/webhooks/greenhouse/c1") == ["POST"]


def test_a_request_no_route_of_the_function_matches_is_answered_the_same_way() -> None:
    # Given an event on a route key of its own (as a test or another gateway might send it)
    from bounceback.http.api import api

    event = api_event("POST", "/me", body={})
    event["routeKey"] = event["requestContext"]["routeKey"] = "POST /me"

    # Then Powertools finds no route, and the answer is the same 405 as on $default
    response = api.resolve(event, LambdaContext())
    assert (response["statusCode"], response["headers"]["Allow"]) == (405, "DELETE, GET, PUT")
    assert json.loads(response["body"])["message"] == "this path answers only DELETE, GET, PUT"
