"""The local gateway: payload 2.0 events, JWT checks, routing and responses."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bounceback_local.clock import LocalClock
from bounceback_local.functions import FunctionRuntime
from bounceback_local.gateway import (
    MAX_BODY_BYTES,
    Gateway,
    GatewayServer,
    IncomingRequest,
    build_event,
    compile_route,
    find_route,
    stringify_claim,
    stringify_claims,
    to_response,
)
from bounceback_local.template import (
    AuthorizerSpec,
    CorsSpec,
    FunctionSpec,
    HttpApiSpec,
    RouteSpec,
)
from bounceback_local.tokens import TokenIssuer

ISSUER = "http://127.0.0.1:3000/_local"
AUDIENCE = "bounceback-local"
NOW = datetime(2026, 3, 12, 19, 3, 58, 123000, tzinfo=UTC)

GET_ONE = RouteSpec("GET", "/rejections/{id}", "Api", "HttpApi", "Jwt")
WEBHOOK = RouteSpec("POST", "/webhooks/{provider}/{connection_id}", "Hooks", "HttpApi", None)


def _request(**overrides: Any) -> IncomingRequest:
    values: dict[str, Any] = {
        "method": "GET",
        "raw_path": "/rejections/abc%20d",
        "raw_query": "a=1&b=2&a=3",
        "headers": [
            ("Host", "127.0.0.1:3000"),
            ("User-Agent", "curl/8"),
            ("X-Dup", "one"),
            ("x-dup", "two"),
            ("Cookie", "c1=v1; c2=v2"),
        ],
        "body": b"",
        "source_ip": "127.0.0.1",
    }
    values.update(overrides)
    return IncomingRequest(**values)


def test_the_event_is_payload_format_2_0() -> None:
    event = build_event(
        _request(), GET_ONE, {"id": "abc d"}, NOW, "127.0.0.1:3000", "req-1", ({"sub": "u1"}, None)
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /rejections/{id}"
    assert event["rawPath"] == "/rejections/abc%20d"
    assert event["rawQueryString"] == "a=1&b=2&a=3"
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-dup"] == "one,two"
    assert event["headers"]["user-agent"] == "curl/8"
    assert "cookie" not in event["headers"]
    assert event["queryStringParameters"] == {"a": "1,3", "b": "2"}
    assert event["pathParameters"] == {"id": "abc d"}
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    context = event["requestContext"]
    assert context["http"] == {
        "method": "GET",
        "path": "/rejections/abc%20d",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "curl/8",
    }
    assert context["routeKey"] == "GET /rejections/{id}"
    assert context["stage"] == "$default"
    assert context["requestId"] == "req-1"
    assert context["time"] == "12/Mar/2026:19:03:58 +0000"
    assert context["timeEpoch"] == int(NOW.timestamp() * 1000)
    assert context["accountId"] == "123456789012"
    assert context["authorizer"] == {"jwt": {"claims": {"sub": "u1"}, "scopes": None}}


def test_an_open_route_has_no_authorizer_and_keeps_a_text_body() -> None:
    body = '{"name": "Zoë 🎉"}'.encode()
    event = build_event(
        _request(method="POST", raw_path="/webhooks/greenhouse/c1", raw_query="", body=body),
        WEBHOOK,
        {"provider": "greenhouse", "connection_id": "c1"},
        NOW,
        "127.0.0.1:3000",
        "req-2",
    )
    assert "authorizer" not in event["requestContext"]
    assert "queryStringParameters" not in event
    assert event["body"] == body.decode()
    assert event["isBase64Encoded"] is False


def test_a_binary_body_is_base64_encoded() -> None:
    body = b"\xff\x00\xfe"
    event = build_event(_request(body=body), GET_ONE, {}, NOW, "h", "r")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (["admin", "user"], "[admin user]"),
        (1767225600, "1767225600"),
        (1.5, "1.5"),
        (True, "true"),
        ({"b": 1, "a": "x"}, "map[a:x b:1]"),
    ],
)
def test_claims_are_strings_as_the_jwt_authorizer_passes_them(value: Any, expected: str) -> None:
    assert stringify_claim(value) == expected


def test_cognito_groups_become_a_bracketed_string() -> None:
    claims = stringify_claims({"cognito:groups": ["admin", "user"], "exp": 10, "sub": "u"})
    assert claims == {"cognito:groups": "[admin user]", "exp": "10", "sub": "u"}


def test_the_most_specific_route_wins() -> None:
    routes = [
        compile_route(RouteSpec("GET", "/rejections/{id}", "A", "HttpApi", None)),
        compile_route(RouteSpec("GET", "/rejections/export", "B", "HttpApi", None)),
        compile_route(RouteSpec("ANY", "/rejections/{proxy+}", "C", "HttpApi", None)),
        compile_route(RouteSpec("ANY", "$default", "D", "HttpApi", None)),
    ]
    assert find_route(routes, "GET", "/rejections/export")[0].function == "B"  # type: ignore[index]
    assert find_route(routes, "GET", "/rejections/x1") == (routes[0].route, {"id": "x1"})
    assert find_route(routes, "GET", "/rejections/a/b")[0].function == "C"  # type: ignore[index]
    assert find_route(routes, "DELETE", "/other")[0].function == "D"  # type: ignore[index]
    assert find_route(routes[:3], "GET", "/other") is None


def test_responses_are_returned_faithfully() -> None:
    response = to_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-a": "1"},
            "multiValueHeaders": {"x-b": ["2", "3"]},
            "cookies": ["s=1; HttpOnly"],
            "body": base64.b64encode(b"\x00hi").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 201
    assert response.body == b"\x00hi"
    assert ("x-b", "2") in response.headers
    assert ("x-b", "3") in response.headers
    assert ("set-cookie", "s=1; HttpOnly") in response.headers


def test_a_response_without_status_code_is_inferred_as_json() -> None:
    response = to_response({"hello": "world"})
    assert (response.status, json.loads(response.body)) == (200, {"hello": "world"})
    assert ("content-type", "application/json") in response.headers


# ---------------------------------------------------------------------------- whole gateway

ECHO = """
import json
import threading
calls = []

def handler(event, context):
    calls.append(event)
    if event["rawPath"].endswith("/boom"):
        raise RuntimeError("boom")
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"claims": event["requestContext"].get("authorizer"),
                                "function": context.function_name,
                                "route": event["routeKey"],
                                "method": event["requestContext"]["http"]["method"],
                                "body": event.get("body")})}
"""


@pytest.fixture
def gateway(tmp_path: Path) -> tuple[Gateway, TokenIssuer, LocalClock]:
    return _gateway(tmp_path)


def _gateway(tmp_path: Path, *more_routes: RouteSpec) -> tuple[Gateway, TokenIssuer, LocalClock]:
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "app.py").write_text(ECHO, encoding="utf-8")
    spec = FunctionSpec(
        logical_id="Echo",
        function_name="echo-fn",
        arn="arn:aws:lambda:us-east-1:123456789012:function:echo-fn",
        code_dir=tmp_path / "echo",
        handler="app.handler",
        memory_mb=128,
        timeout_s=3,
        environment={},
        maximum_retry_attempts=2,
        on_failure_arn=None,
    )
    missing = FunctionSpec(**{**spec.__dict__, "logical_id": "Missing", "code_dir": tmp_path})
    clock = LocalClock()
    tokens = TokenIssuer(clock, ISSUER, AUDIENCE)
    api = HttpApiSpec(
        "HttpApi",
        {"Jwt": AuthorizerSpec("Jwt", ISSUER, (AUDIENCE,))},
        "Jwt",
        CorsSpec(("*",), ("authorization",), ("GET", "POST"), (), 600, False),
    )
    routes = [
        RouteSpec("GET", "/me", "Echo", "HttpApi", "Jwt"),
        RouteSpec("GET", "/me/boom", "Echo", "HttpApi", "Jwt"),
        RouteSpec("GET", "/docs", "Echo", "HttpApi", None),
        RouteSpec("GET", "/missing", "Missing", "HttpApi", None),
        *more_routes,
    ]
    runtime = FunctionRuntime({"Echo": spec, "Missing": missing})
    local_answers = {"/_local/ping": (200, {"pong": True})}
    return (
        Gateway(
            routes,
            {"HttpApi": api},
            runtime,
            tokens,
            clock,
            lambda method, path, body: local_answers.get(path),
        ),
        tokens,
        clock,
    )


def _call(gateway: Gateway, path: str, token: str | None = None, **kw: Any) -> tuple[int, Any]:
    headers = [("Host", "127.0.0.1:3000"), *kw.pop("headers", [])]
    if token is not None:
        headers.append(("Authorization", token))
    request = _request(raw_path=path, raw_query="", headers=headers, **kw)
    response, _ = gateway.handle(request, "127.0.0.1:3000")
    return response.status, json.loads(response.body) if response.body else None


def test_missing_or_invalid_tokens_answer_401(
    gateway: tuple[Gateway, TokenIssuer, LocalClock],
) -> None:
    gw, tokens, clock = gateway
    assert _call(gw, "/me") == (401, {"message": "Unauthorized"})
    assert _call(gw, "/me", "Bearer nonsense") == (401, {"message": "Unauthorized"})
    other = TokenIssuer(clock, ISSUER, AUDIENCE).issue("u1")  # signed by another key
    assert _call(gw, "/me", f"Bearer {other}")[0] == 401
    tampered = tokens.issue("u1")[:-4] + "AAAA"
    assert _call(gw, "/me", f"Bearer {tampered}")[0] == 401


def test_a_valid_token_reaches_the_handler_with_string_claims(
    gateway: tuple[Gateway, TokenIssuer, LocalClock],
) -> None:
    gw, tokens, _ = gateway
    token = tokens.issue("u1", email="u1@example.com", groups=["admin", "user"])
    status, body = _call(gw, "/me", f"Bearer {token}")
    assert status == 200
    claims = body["claims"]["jwt"]["claims"]
    assert claims["sub"] == "u1"
    assert claims["cognito:groups"] == "[admin user]"
    assert isinstance(claims["exp"], str)
    assert body["function"] == "echo-fn"
    # Without the Bearer prefix, as the HTTP API authorizer also accepts.
    assert _call(gw, "/me", token)[0] == 200


def test_tokens_expire_on_the_local_clock(gateway: tuple[Gateway, TokenIssuer, LocalClock]) -> None:
    gw, tokens, clock = gateway
    token = tokens.issue("u1")
    clock.advance(timedelta(hours=12, seconds=1))
    assert _call(gw, "/me", f"Bearer {token}")[0] == 401


def _challenge(gateway: Gateway, token: str) -> str | None:
    request = _request(raw_path="/me", raw_query="", headers=[("Authorization", token)])
    response, _ = gateway.handle(request, "127.0.0.1:3000")
    assert response.status == 401
    assert json.loads(response.body) == {"message": "Unauthorized"}
    return dict(response.headers).get("www-authenticate")


def test_a_refused_token_is_told_why_as_the_jwt_authorizer_tells_it(
    gateway: tuple[Gateway, TokenIssuer, LocalClock],
) -> None:
    # Given a token that has expired on the local clock
    gw, tokens, clock = gateway
    token = tokens.issue("u1")
    clock.advance(timedelta(hours=12, seconds=1))

    # When it is used, then the 401 says why, in API Gateway's words and format
    assert _challenge(gw, f"Bearer {token}") == (
        'Bearer scope="" error="invalid_token" error_description="the token has expired"'
    )
    # ... and so for a token issued to another audience, or not a token at all
    tokens.audience = "someone-else"
    wrong_audience = tokens.issue("u1")
    assert _challenge(gw, wrong_audience) == (
        'Bearer scope="" error="invalid_token" '
        'error_description="the token does not have a valid audience"'
    )
    assert 'error_description="the token is malformed"' in str(_challenge(gw, "Bearer nonsense"))
    assert _challenge(gw, "") is None


def test_unknown_routes_open_routes_and_failures(
    gateway: tuple[Gateway, TokenIssuer, LocalClock],
) -> None:
    gw, tokens, _ = gateway
    assert _call(gw, "/nowhere") == (404, {"message": "Not Found"})
    assert _call(gw, "/docs")[0] == 200
    token = tokens.issue("u1")
    assert _call(gw, "/me/boom", f"Bearer {token}") == (500, {"message": "Internal Server Error"})
    assert _call(gw, "/missing") == (500, {"message": "Internal Server Error"})
    assert _call(gw, "/_local/ping") == (200, {"pong": True})
    assert _call(gw, "/_local/unknown") == (404, {"message": "Not Found"})


def test_cors_preflight_is_answered_by_the_gateway(
    gateway: tuple[Gateway, TokenIssuer, LocalClock],
) -> None:
    gw, _, _ = gateway
    request = _request(
        method="OPTIONS",
        raw_path="/me",
        raw_query="",
        headers=[("Origin", "http://app.test"), ("Access-Control-Request-Method", "GET")],
    )
    response, _ = gw.handle(request, "h")
    assert response.status == 204
    assert ("access-control-allow-origin", "*") in response.headers
    assert ("access-control-max-age", "600") in response.headers


# ---------------------------------------------------------------------------- over HTTP


@pytest.fixture
def server(tmp_path: Path) -> Iterator[GatewayServer]:
    """The gateway behind its HTTP server on a free loopback port, with a ``$default`` route
    to the echo function and an open route that takes a body."""
    gw, _, _ = _gateway(
        tmp_path,
        RouteSpec("POST", "/docs", "Echo", "HttpApi", None),
        RouteSpec("ANY", "$default", "Echo", "HttpApi", None),
    )
    served = GatewayServer(0)
    served.gateway = gw
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.shutdown()
        served.server_close()


def _send(
    server: GatewayServer, method: str, path: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        raw = answer.read()
        return answer.status, dict(answer.getheaders()), json.loads(raw) if raw else None
    finally:
        connection.close()


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "CONNECT"])
def test_a_method_no_route_names_goes_to_the_default_route(
    server: GatewayServer, method: str
) -> None:
    # Given a method no route names, when it is sent
    status, _, body = _send(server, method, "/docs")

    # Then the $default route's function answers it, as on API Gateway (not a 501 here)
    assert status == 200
    assert (body["route"], body["method"]) == ("$default", method)


def test_a_body_over_10_mb_is_refused_by_the_gateway_itself(server: GatewayServer) -> None:
    # Given a body of 10 MiB and one byte more
    too_large = b"x" * (MAX_BODY_BYTES + 1)

    # When it is sent, then the gateway answers 413 before any route
    status, headers, body = _send(server, "POST", "/docs", too_large)
    assert status == 413
    assert body == {"message": "Request Entity Too Large"}
    assert headers["connection"] == "close"

    # ... while a body of exactly the limit reaches the function
    status, _, body = _send(server, "POST", "/docs", b"y" * MAX_BODY_BYTES)
    assert (status, len(body["body"])) == (200, MAX_BODY_BYTES)


def test_a_chunked_body_is_read_whole(server: GatewayServer) -> None:
    # Given a body sent in chunks (no content-length), when it is sent
    chunks = iter([b'{"company": ', b'"Acme", ', b'"role": "Engineer"}'])
    status, _, body = _send(server, "POST", "/docs", chunks, **{"content-type": "application/json"})

    # Then the function receives all of it
    assert status == 200
    assert json.loads(body["body"]) == {"company": "Acme", "role": "Engineer"}


def test_a_chunked_body_over_10_mb_is_refused(server: GatewayServer) -> None:
    chunks = (b"z" * (1024 * 1024) for _ in range(11))
    status, _, body = _send(server, "POST", "/docs", chunks)
    assert (status, body) == (413, {"message": "Request Entity Too Large"})


def test_a_function_that_gives_no_answer_in_30_seconds_is_a_503(
    gateway: tuple[Gateway, TokenIssuer, LocalClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bounceback_local import gateway as gateway_module

    gw, _, _ = gateway
    monkeypatch.setattr(gateway_module, "INTEGRATION_TIMEOUT_S", 0.2)  # API Gateway's 30 s
    released = threading.Event()
    monkeypatch.setattr(gw._runtime, "invoke", lambda *_: released.wait(5))
    try:
        assert _call(gw, "/docs") == (503, {"message": "Service Unavailable"})
    finally:
        released.set()
