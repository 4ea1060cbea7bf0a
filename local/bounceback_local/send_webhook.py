"""`bounceback-local send-webhook <provider> [--email ...]`: one signed sample delivery.

The body is the provider's sample rejection in events/webhooks/ (its candidate's address
changed to ``--email`` when given), signed as the provider signs it, with the running stack's
time, and with the secret of the stack's connection for that provider: the first one listed,
or one created through the admin API when there is none. A connection's secret is shown once,
at creation; for one that already exists it is read back from the embedded AWS, with the
webhook function's own settings (``GET /_local/info``), as that function would read it.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bounceback.providers.base import ProviderAdapter, RejectionDelivery
from bounceback.providers.registry import PROVIDERS

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "webhooks"
DEFAULT_COMPANY = "Northwind Analytics"
# Headers of the sample's API Gateway event that the gateway adds, not the provider.
_GATEWAY_HEADERS = {"host", "content-length", "x-amzn-trace-id", "x-forwarded-for"}
_GATEWAY_PREFIXES = ("x-forwarded-",)


class SendError(Exception):
    """Something the person running the command must fix (printed, exit status 1)."""


@dataclass(frozen=True)
class Sent:
    provider: str
    connection_id: str
    created_connection: bool
    url: str
    status: int
    answer: str


def providers() -> list[str]:
    """The providers a delivery can be sent for: every one the webhook route takes."""
    return sorted(PROVIDERS)


def _call(
    base_url: str, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the local stack's URL
        base_url + path, data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None
    except urllib.error.URLError as error:
        raise SendError(
            f"no local stack answers at {base_url} ({error.reason}): start one with `make run`"
        ) from error


def sample(provider: str) -> tuple[bytes, dict[str, str]]:
    """The provider's sample rejection: the raw body, and the headers the provider sent
    with it other than the gateway's own (the signature headers are replaced when signing)."""
    event = json.loads((SAMPLES / f"{provider}.rejection.json").read_text(encoding="utf-8"))
    body = str(event["body"])
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    headers = {
        name.lower(): str(value)
        for name, value in (event.get("headers") or {}).items()
        if name.lower() not in _GATEWAY_HEADERS and not name.lower().startswith(_GATEWAY_PREFIXES)
    }
    return raw, headers


def for_candidate(
    adapter: ProviderAdapter, raw: bytes, headers: dict[str, str], email: str
) -> bytes:
    """The sample body with its candidate's first address replaced by ``email``."""
    meaning = adapter.interpret(headers, raw)
    if not isinstance(meaning, RejectionDelivery):
        raise SendError(f"the {adapter.name} sample is not a rejection")
    sample_address = meaning.rejection.emails[0]
    # As it is spelled in JSON (escapes included), so the body stays the provider's JSON.
    quoted = json.dumps(email)[1:-1].encode()
    replaced = raw.replace(sample_address.encode(), quoted)
    check = adapter.interpret(headers, replaced)
    if not isinstance(check, RejectionDelivery) or email not in check.rejection.emails:
        raise SendError(f"cannot put {email!r} in the {adapter.name} sample")
    return replaced


def _connection(
    base_url: str, admin: str, provider: str, company: str, connection_id: str | None
) -> tuple[dict[str, Any], str | None, bool]:
    """The connection to send to, its secret when known here, and whether it was created."""
    listed: list[dict[str, Any]] = []
    path = "/admin/connections?limit=100"
    while True:
        status, page = _call(base_url, "GET", path, token=admin)
        if status != 200:
            raise SendError(f"GET /admin/connections answered {status}: {page}")
        listed += page["items"]
        if not page.get("next_token"):
            break
        path = f"/admin/connections?limit=100&next_token={page['next_token']}"
    if connection_id is not None:
        found = next((c for c in listed if c["id"] == connection_id), None)
        if found is None or found["provider"] != provider:
            raise SendError(f"the stack has no {provider} connection {connection_id}")
        return found, None, False
    found = next((c for c in listed if c["provider"] == provider), None)
    if found is not None:
        return found, None, False
    status, created = _call(
        base_url,
        "POST",
        "/admin/connections",
        {"provider": provider, "company": company},
        token=admin,
    )
    if status != 201:
        raise SendError(f"POST /admin/connections answered {status}: {created}")
    return created, str(created["secret"]), True


def _delivery_id(adapter: ProviderAdapter, headers: dict[str, str]) -> str:
    """The sample's own delivery id, where the provider sends one: sending the sample again is
    the provider retrying it (recorded once), as with providers that key on the payload."""
    marker = uuid.uuid4().hex
    named = adapter.signature_headers(b"{}", "x" * 32, datetime.now().astimezone(), marker)
    header = next((name for name, value in named.items() if value == marker), None)
    return headers.get(header, marker) if header is not None else marker


def stored_secret(info: dict[str, Any], connection_id: str) -> str:
    """A connection's secret read from the embedded AWS, as the webhook function reads it:
    with that function's settings (table, KMS key, endpoint, credentials)."""
    environment = next(
        (
            env
            for env in info["environment"].values()
            if "CONNECTION_KEY_ID" in env and "TABLE_NAME" in env
        ),
        None,
    )
    if environment is None:
        raise SendError("no function of the stack reads connections (CONNECTION_KEY_ID)")
    os.environ.update({name: str(value) for name, value in environment.items()})
    from bounceback.services import reset, services

    reset()
    _, secret = services().connections.secret(connection_id)
    return secret


def send(
    base_url: str,
    provider: str,
    *,
    email: str | None = None,
    company: str = DEFAULT_COMPANY,
    connection_id: str | None = None,
) -> Sent:
    """Sign the provider's sample rejection and post it to the stack at ``base_url``."""
    adapter = PROVIDERS.get(provider)
    if adapter is None:
        raise SendError(f"unknown provider {provider!r} (one of: {', '.join(providers())})")
    raw, headers = sample(provider)
    if email is not None:
        raw = for_candidate(adapter, raw, headers, email)

    status, token = _call(
        base_url, "POST", "/_local/token", {"sub": "send-webhook", "groups": ["admin"]}
    )
    if status != 200:
        raise SendError(f"POST /_local/token answered {status}: is {base_url} a local stack?")
    admin = str(token["token"])
    connection, secret, created = _connection(base_url, admin, provider, company, connection_id)
    _, info = _call(base_url, "GET", "/_local/info")
    if secret is None:
        secret = stored_secret(info, str(connection["id"]))

    # Signed with the stack's time: its clock is the one the webhook function checks against.
    now = datetime.fromisoformat(str(info["now"]))
    signed = headers | adapter.signature_headers(raw, secret, now, _delivery_id(adapter, headers))
    url = base_url + str(connection["webhook_path"])
    request = urllib.request.Request(url, data=raw, method="POST", headers=signed)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            status, text = answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8", "replace")
    return Sent(provider, str(connection["id"]), created, url, status, text)
