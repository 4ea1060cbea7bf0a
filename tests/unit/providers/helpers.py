"""Shared test helpers: the signed samples in ``events/webhooks`` and signing fresh bodies."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from bounceback.providers.base import ProviderAdapter
from tests.unit.providers.make_samples import OUT_DIR, SAMPLE_TIME

NOW = SAMPLE_TIME
SECRET = "a-test-secret-that-is-long-enough-0123456789"


def load_event(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((OUT_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return document


def sample_secrets() -> dict[str, str]:
    secrets: dict[str, str] = json.loads((OUT_DIR / "secrets.json").read_text(encoding="utf-8"))
    return secrets


def raw_body(event: dict[str, Any]) -> bytes:
    body: str = event["body"]
    # API Gateway may hand the body over base64-encoded: the signature covers the decoded bytes.
    return base64.b64decode(body) if event["isBase64Encoded"] else body.encode()


def sample_payload(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(raw_body(load_event(name)))
    return payload


def encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def signed(
    adapter: ProviderAdapter,
    body: bytes,
    *,
    secret: str = SECRET,
    now: datetime = NOW,
    delivery_id: str = "delivery-1",
) -> dict[str, str]:
    """The headers the provider would send with ``body``, lower-cased like the caller's."""
    return adapter.signature_headers(body, secret, now, delivery_id)
