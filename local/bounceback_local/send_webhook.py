"""`bounceback-local send-webhook <provider> [--email ...]`: one signed sample delivery.

The body is the provider's sample rejection in events/webhooks/, as the provider would send it
now (``sample_delivery``: dates moved to today, the candidate ``--email`` when given), signed
with the running stack's time and with the secret of the stack's connection for that provider:
the first one listed, or one created through the admin API when there is none. A connection's
secret is shown once, at creation; for one that already exists it is read back from the
embedded AWS, with the webhook function's own settings (``GET /_local/info``), as that function
would read it.

Lever, Teamtailor and SmartRecruiters deliveries name ids only: the stack reads the candidate,
the job and the reason back from the employer's ATS API. The stack serves a fake of those APIs
(``fake_ats``; ``GET /_local/info`` names it): the connection used is one whose ``api_base_url``
is that fake (created with the fake's API key when there is none), the fake is told about the
candidate first, and the command returns once the stack has looked the delivery up.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bounceback.providers.ats_api import normalise_api_base_url
from bounceback.providers.base import SignedSender
from bounceback.providers.registry import LOOKUP_PROVIDERS, PROVIDERS
from bounceback_local import fake_ats, sample_delivery

DEFAULT_COMPANY = "Northwind Analytics"
# A lookup's drain normally takes seconds; past this the command says so and stops waiting.
LOOKUP_WAIT_SECONDS = 120


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
    # Providers whose deliveries name ids only: where the lookup reads the candidate, and
    # whether it has finished when the command returns.
    ats_api: str | None = None
    looked_up: bool | None = None


def providers() -> list[str]:
    """The providers a delivery can be sent for: every one the webhook route takes."""
    return sorted({*PROVIDERS, *LOOKUP_PROVIDERS})


def _call(
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    timeout: float = 60,
) -> tuple[int, Any]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the local stack's URL
        base_url + path, data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise error.reason from error
        raise SendError(
            f"no local stack answers at {base_url} ({error.reason}): start one with `make run`"
        ) from error


def _connections(base_url: str, admin: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    path = "/admin/connections?limit=100"
    while True:
        status, page = _call(base_url, "GET", path, token=admin)
        if status != 200:
            raise SendError(f"GET /admin/connections answered {status}: {page}")
        listed += page["items"]
        if not page.get("next_token"):
            return listed
        path = f"/admin/connections?limit=100&next_token={page['next_token']}"


def _same_api(connection: dict[str, Any], api_base_url: str) -> bool:
    try:
        return normalise_api_base_url(str(connection.get("api_base_url") or "")) == api_base_url
    except ValueError:
        return False


def _connection(
    base_url: str,
    admin: str,
    adapter: SignedSender,
    company: str,
    connection_id: str | None,
    ats_api: str | None,
) -> tuple[dict[str, Any], str | None, bool]:
    """The connection to send to, its secret when known here, and whether it was created.
    For a provider read back from its ATS (``ats_api`` given), one that reads the stack's fake."""
    provider = adapter.name
    listed = _connections(base_url, admin)
    if connection_id is not None:
        found = next((c for c in listed if c["id"] == connection_id), None)
        if found is None or found["provider"] != provider:
            raise SendError(f"the stack has no {provider} connection {connection_id}")
        return found, None, False
    found = next(
        (
            c
            for c in listed
            if c["provider"] == provider and (ats_api is None or _same_api(c, ats_api))
        ),
        None,
    )
    if found is not None:
        return found, None, False
    request: dict[str, Any] = {"provider": provider, "company": company}
    if ats_api is not None:
        # The ATS issues the signing key (we stand in for it) and the API key is the fake's.
        request |= {
            "secret": adapter.new_secret(),
            "api_key": fake_ats.DEFAULT_KEYS[provider],
            "api_base_url": ats_api,
        }
    status, created = _call(base_url, "POST", "/admin/connections", request, token=admin)
    if status != 201:
        raise SendError(f"POST /admin/connections answered {status}: {created}")
    return created, str(created["secret"]), True


def _fake_ats_api(info: dict[str, Any], provider: str) -> str:
    """Where the stack's fake of ``provider``'s ATS API answers (its ``api_base_url``)."""
    url = ((info.get("fake_ats") or {}).get("api_base_urls") or {}).get(provider)
    if not url:
        raise SendError(
            f"the stack at this URL serves no fake {provider} API to read the delivery back "
            "from: restart it (`make run`) with this version"
        )
    return normalise_api_base_url(str(url))


def _tell_fake_ats(info: dict[str, Any], provider: str, documents: dict[str, Any]) -> None:
    origin = str(info["fake_ats"]["origin"])
    body = {"provider": provider, "documents": documents}
    status, answer = _call(origin, "POST", "/_fake/documents", body)
    if status != 200:
        raise SendError(f"the stack's fake {provider} API answered {status}: {answer}")


def post_delivery(url: str, delivery: sample_delivery.Delivery) -> tuple[int, str]:
    """POST the delivery's raw signed bytes with its own headers, as the provider sends it: the
    status and the answer's text."""
    request = urllib.request.Request(  # noqa: S310 - the local stack's URL
        url, data=delivery.raw, method="POST", headers=delivery.headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


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


def _wait_for_lookup(base_url: str) -> bool:
    """Whether the stack has handled everything so far, the delivery's lookup included."""
    try:
        status, _ = _call(base_url, "POST", "/_local/drain", timeout=LOOKUP_WAIT_SECONDS)
    except TimeoutError:
        return False
    return status == 200


def send(
    base_url: str,
    provider: str,
    *,
    email: str | None = None,
    company: str = DEFAULT_COMPANY,
    connection_id: str | None = None,
) -> Sent:
    """Send the provider's sample rejection, as the provider would now, to the stack at
    ``base_url``."""
    adapter: SignedSender | None = PROVIDERS.get(provider) or LOOKUP_PROVIDERS.get(provider)
    if adapter is None:
        raise SendError(f"unknown provider {provider!r} (one of: {', '.join(providers())})")
    sample = sample_delivery.load(provider)

    status, token = _call(
        base_url, "POST", "/_local/token", {"sub": "send-webhook", "groups": ["admin"]}
    )
    if status != 200:
        raise SendError(f"POST /_local/token answered {status}: is {base_url} a local stack?")
    admin = str(token["token"])
    _, info = _call(base_url, "GET", "/_local/info")
    ats_api = _fake_ats_api(info, provider) if provider in LOOKUP_PROVIDERS else None
    connection, secret, created = _connection(
        base_url, admin, adapter, company, connection_id, ats_api
    )
    if secret is None:
        secret = stored_secret(info, str(connection["id"]))

    # Sent at the stack's time: its clock is the one the webhook function checks against.
    now = datetime.fromisoformat(str(info["now"]))
    try:
        delivery = sample_delivery.prepare(sample, secret=secret, now=now, email=email)
    except sample_delivery.SampleError as error:
        raise SendError(str(error)) from error
    if delivery.documents is not None:
        _tell_fake_ats(info, provider, delivery.documents)

    url = base_url + str(connection["webhook_path"])
    status, text = post_delivery(url, delivery)
    sent = Sent(provider, str(connection["id"]), created, url, status, text)
    if ats_api is None:
        return sent
    looked_up = _wait_for_lookup(base_url) if status < 300 else None
    api = str(connection.get("api_base_url") or ats_api)
    return replace(sent, ats_api=api, looked_up=looked_up)
