"""What every route of the API works with: its router, the caller, the request's one clock, and
the parameters several routes share."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from pydantic import BaseModel

from bounceback.http.caller import Caller, caller_from_request

SECURED: list[dict[str, list[str]]] = [{"bearerAuth": []}]  # a JWT, per the OpenAPI document

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        max_length=128,
        description="Any unique string; a retry with the same key returns the first result.",
    ),
]
PageSize = Annotated[int, Query(ge=1, le=100)]
PageToken = Annotated[
    str | None,
    Query(max_length=2048, description="The `next_token` of the previous page, as it was."),
]

Handler = TypeVar("Handler", bound=Callable[..., Any])


class ApiRouter(Router):
    """The routes of one resource, with what they read from the request (HTTP API, payload
    2.0, behind the JWT authorizer)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.route_keys: list[tuple[str, str]] = []  # (method, rule), for unmatched requests

    def route(
        self, rule: str, method: str | list[str] | tuple[str], *args: Any, **kwargs: Any
    ) -> Callable[[Handler], Handler]:
        """Powertools' route, remembered in ``route_keys``; the operation id is the handler's
        name unless given (the names a generated client gives its calls)."""
        methods = [method] if isinstance(method, str) else list(method)
        self.route_keys.extend((m.upper(), rule) for m in methods)

        def register(handler: Handler) -> Handler:
            arguments = inspect.signature(Router.route).bind(self, rule, method, *args, **kwargs)
            if arguments.arguments.get("operation_id") is None:
                arguments.arguments["operation_id"] = handler.__name__
            parent = super(ApiRouter, self).route
            registered: Handler = parent(*arguments.args[1:], **arguments.kwargs)(handler)
            return registered

        return register

    @property
    def resolver(self) -> ApiGatewayResolver:
        """The API this router was included in."""
        if not isinstance(self.api_resolver, ApiGatewayResolver):
            raise RuntimeError("this router is not included in an API")
        return self.api_resolver

    @property
    def event(self) -> APIGatewayProxyEventV2:
        return cast(APIGatewayProxyEventV2, self.current_event)

    def caller(self) -> Caller:
        authorizer = self.event.request_context.authorizer
        claims = authorizer.jwt_claim if authorizer else None
        return caller_from_request(claims, self.event.headers.get("authorization"))

    def now(self) -> datetime:
        """The moment API Gateway received the request: the one clock of this request."""
        epoch_ms = self.event.request_context.time_epoch
        return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)

    def request_id(self) -> str:
        return self.event.request_context.request_id


def json_response(
    status: int, model: BaseModel, headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(),
        headers=headers,
    )


def no_content() -> Response[str]:
    return Response(status_code=204, body="")
