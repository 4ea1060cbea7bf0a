"""A local API Gateway (HTTP API, payload format 2.0) in front of the template's functions.

Requests become the events API Gateway would build, JWTs are checked as the HTTP API JWT
authorizer checks them, and the handlers' 2.0 responses become HTTP responses. Local-only
routes under /_local/ are answered by the stack itself (see ``LocalRoutes``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from bounceback_local.clock import LocalClock
from bounceback_local.functions import FunctionRuntime, describe_error, error_frames
from bounceback_local.template import ACCOUNT_ID, LOCAL_API_ID, HttpApiSpec, RouteSpec
from bounceback_local.tokens import InvalidTokenError, TokenIssuer

log = logging.getLogger("bounceback_local.gateway")

# API Gateway's limit on waiting for an integration (HTTP APIs: 30 s, not configurable above).
INTEGRATION_TIMEOUT_S = 30


class IntegrationTimeoutError(Exception):
    """The function gave no answer within the integration timeout."""


# (status, JSON body) answered by a /_local/ route.
LocalAnswer = tuple[int, Any]
LocalRoutes = Callable[[str, str, bytes], LocalAnswer | None]


# ---------------------------------------------------------------------------- claims


def stringify_claim(value: Any) -> str:
    """A claim value as the HTTP API JWT authorizer passes it: always a string.

    API Gateway is written in Go and formats non-string claims with Go's %v: arrays become
    ``[a b]``, objects ``map[k:v]``, booleans ``true``; numbers keep their digits.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None:
        return "<nil>"
    if isinstance(value, list | tuple):
        return "[" + " ".join(stringify_claim(v) for v in value) + "]"
    if isinstance(value, dict):
        items = " ".join(f"{k}:{stringify_claim(value[k])}" for k in sorted(value))
        return f"map[{items}]"
    return str(value)


def stringify_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    return {key: stringify_claim(value) for key, value in claims.items()}


# ---------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class CompiledRoute:
    route: RouteSpec
    pattern: re.Pattern[str]
    literal_segments: int
    greedy: bool

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.route.method not in ("ANY", method):
            return None
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        # API Gateway hands path parameters to the integration URL-decoded.
        return {name: unquote(value) for name, value in found.groupdict().items()}


def compile_route(route: RouteSpec) -> CompiledRoute:
    if route.path == "$default":
        return CompiledRoute(route, re.compile(r".*"), -1, True)
    parts: list[str] = []
    literal = 0
    greedy = False
    for segment in route.path.strip("/").split("/"):
        variable = re.fullmatch(r"\{([A-Za-z0-9_]+)(\+?)\}", segment)
        if variable is None:
            parts.append(re.escape(segment))
            literal += 1
        elif variable.group(2):
            parts.append(f"(?P<{variable.group(1)}>.+)")
            greedy = True
        else:
            parts.append(f"(?P<{variable.group(1)}>[^/]+)")
    return CompiledRoute(route, re.compile("/" + "/".join(parts)), literal, greedy)


def find_route(
    routes: Sequence[CompiledRoute], method: str, path: str
) -> tuple[RouteSpec, dict[str, str]] | None:
    """The most specific matching route, as API Gateway chooses it.

    A method beats ANY, more literal segments beat fewer, a greedy {proxy+} loses to a
    plain variable, and $default catches what nothing else matched.
    """
    candidates: list[tuple[tuple[int, int, int], RouteSpec, dict[str, str]]] = []
    for compiled in routes:
        params = compiled.match(method, path)
        if params is None:
            continue
        rank = (
            compiled.literal_segments,
            0 if compiled.greedy else 1,
            1 if compiled.route.method == method else 0,
        )
        candidates.append((rank, compiled.route, params))
    if not candidates:
        return None
    _, route, params = max(candidates, key=lambda c: c[0])
    return route, params


# ---------------------------------------------------------------------------- the 2.0 event


@dataclass(frozen=True)
class IncomingRequest:
    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]  # as received, in order
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"


def _format_request_time(moment: datetime) -> str:
    # API Gateway's $context.requestTime, e.g. 12/Mar/2020:19:03:58 +0000
    return moment.strftime("%d/%b/%Y:%H:%M:%S +0000")


def build_event(
    request: IncomingRequest,
    route: RouteSpec,
    path_parameters: Mapping[str, str],
    now: datetime,
    domain_name: str,
    request_id: str,
    jwt: tuple[Mapping[str, Any], Sequence[str] | None] | None = None,
) -> dict[str, Any]:
    """The API Gateway HTTP API payload format 2.0 event for ``request``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            # 2.0 moves cookies out of the headers into their own list.
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault(
        "x-amzn-trace-id", f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}"
    )
    if "host" in headers and ":" in headers["host"]:
        headers.setdefault("x-forwarded-port", headers["host"].rsplit(":", 1)[1])

    query: dict[str, str] = {}
    for key, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value

    epoch_ms = int(now.timestamp() * 1000)
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": LOCAL_API_ID,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0].split(":", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.route_key,
        "stage": "$default",
        "time": _format_request_time(now),
        "timeEpoch": epoch_ms,
    }
    if jwt is not None:
        claims, scopes = jwt
        request_context["authorizer"] = {
            "jwt": {
                "claims": stringify_claims(claims),
                "scopes": list(scopes) if scopes is not None else None,
            }
        }

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = request_context
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if request.body:
        try:
            event["body"] = request.body.decode("utf-8")
            event["isBase64Encoded"] = False
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


# ---------------------------------------------------------------------------- the response


@dataclass(frozen=True)
class OutgoingResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class InvalidIntegrationResponseError(Exception):
    """The handler returned something API Gateway would answer with a 500."""


def _json_response(status: int, payload: Any) -> OutgoingResponse:
    body = json.dumps(payload).encode()
    return OutgoingResponse(status, [("content-type", "application/json")], body)


def _unauthorized(description: str) -> OutgoingResponse:
    """The JWT authorizer's 401 for a token it refuses: the same bare body, and why in
    ``www-authenticate`` (RFC 6750), as API Gateway answers it, e.g. ``Bearer scope=""
    error="invalid_token" error_description="the token has expired"``."""
    challenge = f'Bearer scope="" error="invalid_token" error_description="{description}"'
    bare = _json_response(401, {"message": "Unauthorized"})
    return OutgoingResponse(401, [*bare.headers, ("www-authenticate", challenge)], bare.body)


def to_response(result: Any) -> OutgoingResponse:
    """A handler's return value as API Gateway turns it into HTTP (payload format 2.0)."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Without statusCode, API Gateway infers 200, JSON, and the result as the body.
        inferred = result if isinstance(result, str) else json.dumps(result)
        return OutgoingResponse(200, [("content-type", "application/json")], inferred.encode())
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as error:
        raise InvalidIntegrationResponseError("statusCode is not a number") from error
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(v)) for v in values)
    headers.extend(("set-cookie", str(c)) for c in result.get("cookies") or [])
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(str(raw_body), validate=True)
        except ValueError as error:
            raise InvalidIntegrationResponseError("body is not valid base64") from error
    else:
        body = (raw_body if isinstance(raw_body, str) else json.dumps(raw_body)).encode()
    return OutgoingResponse(status, headers, body)


# ---------------------------------------------------------------------------- the gateway


class Gateway:
    """Routes, authorizes and invokes; independent of the HTTP server for testability."""

    def __init__(
        self,
        routes: Iterable[RouteSpec],
        apis: Mapping[str, HttpApiSpec],
        runtime: FunctionRuntime,
        tokens: TokenIssuer,
        clock: LocalClock,
        local_routes: LocalRoutes,
    ) -> None:
        self._routes = [compile_route(r) for r in routes]
        self._apis = apis
        self._runtime = runtime
        self._tokens = tokens
        self._clock = clock
        self._local_routes = local_routes

    def _cors(self, request: IncomingRequest) -> tuple[HttpApiSpec | None, str | None]:
        origin = next((v for k, v in request.headers if k.lower() == "origin"), None)
        api = next((a for a in self._apis.values() if a.cors is not None), None)
        return api, origin

    def _cors_headers(self, request: IncomingRequest) -> list[tuple[str, str]]:
        api, origin = self._cors(request)
        if api is None or api.cors is None or origin is None:
            return []
        cors = api.cors
        if "*" not in cors.allow_origins and origin not in cors.allow_origins:
            return []
        headers = [("access-control-allow-origin", "*" if "*" in cors.allow_origins else origin)]
        if cors.expose_headers:
            headers.append(("access-control-expose-headers", ",".join(cors.expose_headers)))
        if cors.allow_credentials:
            headers.append(("access-control-allow-credentials", "true"))
        return headers

    def _preflight(self, request: IncomingRequest) -> OutgoingResponse | None:
        """API Gateway answers CORS preflight itself when the API configures CORS."""
        api, origin = self._cors(request)
        requested = next(
            (v for k, v in request.headers if k.lower() == "access-control-request-method"),
            None,
        )
        if request.method != "OPTIONS" or api is None or api.cors is None or not origin:
            return None
        if requested is None:
            return None
        cors = api.cors
        headers = self._cors_headers(request)
        if headers:
            headers.append(("access-control-allow-methods", ",".join(cors.allow_methods)))
            if cors.allow_headers:
                headers.append(("access-control-allow-headers", ",".join(cors.allow_headers)))
            if cors.max_age is not None:
                headers.append(("access-control-max-age", str(cors.max_age)))
        return OutgoingResponse(204, headers, b"")

    def _authorize(
        self, route: RouteSpec, request: IncomingRequest
    ) -> tuple[dict[str, Any], list[str] | None] | OutgoingResponse:
        assert route.authorizer is not None  # only called for authorised routes
        authorizer = self._apis[route.api].authorizers[route.authorizer]
        header_name = authorizer.identity_source.rsplit(".", 1)[-1].lower()
        raw = next((v for k, v in request.headers if k.lower() == header_name), None)
        if not raw:
            return _json_response(401, {"message": "Unauthorized"})
        # The authorizer accepts the token with or without the Bearer prefix.
        token = raw[7:].strip() if raw[:7].lower() == "bearer " else raw.strip()
        try:
            claims = self._tokens.verify(token, authorizer.issuer, authorizer.audience)
        except InvalidTokenError as error:
            return _unauthorized(error.description)
        if not route.scopes:
            return claims, None
        granted = str(claims.get("scope", claims.get("scp", ""))).split()
        if not set(granted) & set(route.scopes):
            return _json_response(403, {"message": "Forbidden"})
        return claims, granted

    def handle(self, request: IncomingRequest, domain_name: str) -> tuple[OutgoingResponse, str]:
        """Answer one request; also returns what to log as the route."""
        if request.raw_path.startswith("/_local/"):
            answer = self._local_routes(request.method, request.raw_path, request.body)
            if answer is not None:
                return _json_response(*answer), "local"
            return _json_response(404, {"message": "Not Found"}), "local"
        preflight = self._preflight(request)
        if preflight is not None:
            return preflight, "cors"
        found = find_route(self._routes, request.method, request.raw_path)
        if found is None:
            return _json_response(404, {"message": "Not Found"}), "-"
        route, params = found
        jwt: tuple[dict[str, Any], list[str] | None] | None = None
        if route.authorizer is not None:
            authorized = self._authorize(route, request)
            if isinstance(authorized, OutgoingResponse):
                return self._with_cors(request, authorized), route.route_key
            jwt = authorized
        request_id = base64.b64encode(secrets.token_bytes(12)).decode()
        event = build_event(request, route, params, self._clock.now(), domain_name, request_id, jwt)
        try:
            result = self._invoke_within_integration_timeout(route.function, event)
            response = to_response(result)
        except IntegrationTimeoutError:
            log.error(
                "%s %s: %s gave no answer in %ds",
                request.method,
                request.raw_path,
                route.function,
                INTEGRATION_TIMEOUT_S,
            )
            response = _json_response(503, {"message": "Service Unavailable"})
        except Exception as error:
            # API Gateway answers a failed integration with a bare 500, never the error. The
            # log names the error and where it was raised; not its full text, which may quote
            # the request (the function's own logs are where such detail belongs).
            frames = error_frames(error)
            where = "\n" + frames if frames else ""
            log.error(
                "%s %s: %s failed: %s%s",
                request.method,
                request.raw_path,
                route.function,
                describe_error(error),
                where,
            )
            response = _json_response(500, {"message": "Internal Server Error"})
        return self._with_cors(request, response), route.route_key

    def _invoke_within_integration_timeout(self, function: str, event: Any) -> Any:
        """API Gateway waits 30 seconds for its integration, then answers 503; the invocation
        goes on regardless (a cold start on a busy machine, a function stuck on a call)."""
        outcome: dict[str, Any] = {}

        def invoke() -> None:
            try:
                outcome["result"] = self._runtime.invoke(function, event)
            except Exception as error:  # re-raised in the request's thread
                outcome["error"] = error

        worker = threading.Thread(target=invoke, name=f"invoke-{function}", daemon=True)
        worker.start()
        worker.join(INTEGRATION_TIMEOUT_S)
        if worker.is_alive():
            raise IntegrationTimeoutError(function)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    def _with_cors(self, request: IncomingRequest, response: OutgoingResponse) -> OutgoingResponse:
        extra = self._cors_headers(request)
        if not extra:
            return response
        present = {name.lower() for name, _ in response.headers}
        added = [(n, v) for n, v in extra if n not in present]
        return OutgoingResponse(response.status, response.headers + added, response.body)


# API Gateway's quota on a request's payload ("10 MB"): a larger body is answered 413 by the
# gateway itself, before any route.
MAX_BODY_BYTES = 10 * 1024 * 1024
DRAIN_BYTES = 64 * 1024 * 1024  # read and dropped before the 413, up to this much


class _UnreadableBodyError(Exception):
    """A body the gateway will not read: answered at once, the connection then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.response = _json_response(status, {"message": message})


class _RequestHandler(BaseHTTPRequestHandler):
    server: GatewayServer
    protocol_version = "HTTP/1.1"
    server_version = "bounceback-local"

    def _serve(self) -> None:
        started = time.monotonic()
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except _UnreadableBodyError as refused:
            # What is left of the body is never read: the connection cannot carry another
            # request after it.
            self.close_connection = True
            self._send(refused.response)
            log.info("%s %s -> %s (-)", self.command, path, refused.response.status)
            return
        request = IncomingRequest(
            method=self.command,
            raw_path=path,
            raw_query=query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        domain = self.headers.get("host") or "{}:{}".format(*self.server.server_address[:2])
        try:
            if self.server.gateway is None:
                raise RuntimeError("the gateway is not ready yet")
            response, route = self.server.gateway.handle(request, domain)
        except Exception:
            log.exception("%s %s: the local gateway failed", self.command, path)
            response, route = _json_response(500, {"message": "Internal Server Error"}), "-"
        self._send(response)
        # One readable line per request; never bodies, headers or tokens.
        log.info(
            "%s %s -> %s (%s) %dms",
            self.command,
            path,
            response.status,
            route,
            (time.monotonic() - started) * 1000,
        )

    def _read_body(self) -> bytes:
        """The request's body, whole: by its length, or chunk by chunk; at most
        ``MAX_BODY_BYTES``, as API Gateway takes no more."""
        encoding = (self.headers.get("transfer-encoding") or "").strip().lower()
        if encoding == "chunked":
            return self._read_chunks()
        if encoding:
            raise _UnreadableBodyError(501, "Not Implemented")
        declared = (self.headers.get("content-length") or "0").strip()
        if not declared.isdigit():
            raise _UnreadableBodyError(400, "Bad Request")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self._discard(length)
            raise _UnreadableBodyError(413, "Request Entity Too Large")
        return self.rfile.read(length) if length else b""

    def _read_chunks(self) -> bytes:
        body = bytearray()
        received = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _UnreadableBodyError(400, "Bad Request") from None
            if size == 0:
                break
            received += size
            if received > MAX_BODY_BYTES + DRAIN_BYTES:
                raise _UnreadableBodyError(413, "Request Entity Too Large")
            if received > MAX_BODY_BYTES:
                self._discard(size)  # read on, so the client hears the 413 (below)
            else:
                body += self.rfile.read(size)
            self.rfile.readline(1024)  # the CRLF that ends the chunk
        if received > MAX_BODY_BYTES:
            raise _UnreadableBodyError(413, "Request Entity Too Large")
        # Trailer fields, if any, then the empty line that ends the message.
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        return bytes(body)

    def _discard(self, length: int) -> None:
        """Read and drop a body too large to take: a client still sending when the
        connection closes would see a broken pipe, not the answer. Beyond ``DRAIN_BYTES``
        the connection is closed on it."""
        if length > DRAIN_BYTES:
            return
        while length > 0:
            block = self.rfile.read(min(length, 1 << 16))
            if not block:
                return
            length -= len(block)

    def _send(self, response: OutgoingResponse) -> None:
        self.send_response(
            response.status,
            HTTPStatus(response.status).phrase
            if response.status in HTTPStatus._value2member_map_
            else "",
        )
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.send_header("apigw-requestid", uuid.uuid4().hex[:16])
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the routes: one no route names (TRACE, QUERY, ...) goes to
        # $default like any request no route takes, as on API Gateway's HTTP API.
        # BaseHTTPRequestHandler looks for do_<METHOD> and would answer 501 itself.
        if name.startswith("do_") and name[3:].isupper():
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        # Replaced by the line in _serve, which knows the route and the duration.
        return


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a burst of clients (twenty copies of one request at
    # once) had connections reset before a thread could take them. API Gateway takes them all.
    request_queue_size = 128

    def __init__(self, port: int) -> None:
        # Bound first, wired later: the port is part of the local token issuer's URL.
        self.gateway: Gateway | None = None
        super().__init__(("127.0.0.1", port), _RequestHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])
