"""Signed rejections from job boards and ATSs: ``POST /webhooks/{provider}/{connection_id}``.

The route has no authorizer: the provider's signature over the raw body is the authentication.
This handler only turns the HTTP API (payload 2.0) event into plain arguments — the exact body
bytes, lower-cased header names, the path, the gateway's clock — and the answer into a response;
``bounceback.workflow.webhooks.ingest`` decides everything (docs/providers.md).

It reads the event's few fields itself: Powertools' ``APIGatewayProxyEventV2`` would import
every event class Powertools has on each cold start (docs/decisions.md, "Cold starts").
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.observability import instrumented
from bounceback.services import services
from bounceback.workflow.webhooks import WebhookAnswer, ingest, unreadable_body


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    raw_body = _raw_body(event)
    if raw_body is None:
        return _response(unreadable_body())
    path = event.get("pathParameters") or {}
    gateway = event["requestContext"]
    answer = ingest(
        services(),
        provider=path.get("provider", ""),
        connection_id=path.get("connection_id", ""),
        headers={name.lower(): value for name, value in (event.get("headers") or {}).items()},
        raw_body=raw_body,
        now=datetime.fromtimestamp(gateway["timeEpoch"] / 1000, tz=UTC),
        request_id=gateway["requestId"],
    )
    return _response(answer)


def _raw_body(event: dict[str, Any]) -> bytes | None:
    """The bytes the sender signed: API Gateway base64-encodes bodies it does not take for text."""
    body: str = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return None
    # A text body arrived as UTF-8; encoding it again gives back the bytes on the wire.
    return body.encode("utf-8", "surrogatepass")


def _response(answer: WebhookAnswer) -> dict[str, Any]:
    headers = {"content-type": "application/json"} | dict(answer.headers)
    return {
        "statusCode": answer.status,
        "headers": headers,
        "body": "" if answer.body is None else json.dumps(answer.body),
        "isBase64Encoded": False,
    }
