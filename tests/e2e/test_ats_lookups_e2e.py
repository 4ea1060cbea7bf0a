"""Lever, Teamtailor and SmartRecruiters through the local stack, over HTTP only: the admin
connects the employer's ATS (its API is a fake served by this test on 127.0.0.1), the candidate
registers, the ATS posts ids as it signs them, and the lookup logs one rejection read back from
the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bounceback.providers import lever, teamtailor
from bounceback.providers.registry import get_lookup_adapter
from bounceback_local.fake_ats import FakeAtsApi, Fault, demo_documents
from tests.e2e.conftest import LocalStack
from tests.support.events import load_event

pytestmark = pytest.mark.e2e

SUCCESS = {"lever": 200, "teamtailor": 200, "smartrecruiters": 202}
EXPECTED = {
    "lever": ("Senior Data Engineer", "Underqualified"),
    "teamtailor": ("Frontend Developer", "Another candidate had more relevant experience"),
    "smartrecruiters": ("Product Designer", "Position filled"),
}
SAMPLE_EMAIL = "ada@example.com"


def _documents(email: str) -> dict[str, Any]:
    """The fake API's documents, naming this run's candidate."""
    loaded: dict[str, Any] = json.loads(json.dumps(demo_documents()).replace(SAMPLE_EMAIL, email))
    return loaded


@pytest.fixture
def fake_api() -> Iterator[FakeAtsApi]:
    with FakeAtsApi() as fake:
        yield fake


def _signed(provider: str, secret: str, now: datetime, run: str) -> tuple[bytes, dict[str, str]]:
    """The sample delivery, as the provider sends it at ``now``."""
    adapter = get_lookup_adapter(provider)
    assert adapter is not None
    body: bytes = load_event(f"webhooks/{provider}.rejection.json")["body"].encode()
    if provider == "lever":
        payload = json.loads(body)
        for field in ("token", "triggeredAt", "signature"):
            payload.pop(field)
        body = lever.sign_body(payload, secret, token=f"token-{run}", now=now)
    elif provider == "teamtailor":
        payload = json.loads(body)["payload"]
        # Visible to the candidate since yesterday: nothing is held back
        visible = (now - timedelta(days=1)).isoformat()
        payload["data"]["attributes"]["transparent_recruiting_visible_at"] = visible
        body = teamtailor.signed_body(json.dumps(payload, separators=(",", ":")), secret, now)
    headers = adapter.signature_headers(body, secret, now, f"evt-{run}")
    return body, headers | {"content-type": "application/json"}


@pytest.mark.parametrize("provider", ["lever", "teamtailor", "smartrecruiters"])
def test_an_id_only_delivery_logs_one_rejection_read_from_the_ats(
    local_stack: LocalStack, fake_api: FakeAtsApi, provider: str
) -> None:
    run = uuid.uuid4().hex[:12]
    email = f"ada.{run}@example.com"
    for path, document in _documents(email)[provider].items():
        fake_api.put(provider, path, document)

    # Given a connection to the employer's ATS: the signing key it issued, the API key, and
    # where its API is (here, the fake)
    admin = local_stack.token(f"admin-{run}", groups=["admin"])
    secret = f"signing-key-issued-by-the-ats-{run}"
    request = {
        "provider": provider,
        "company": "Babbage & Co",
        "secret": secret,
        "api_key": fake_api.key(provider),
        "api_base_url": fake_api.base_url(provider),
    }
    created = local_stack.request("POST", "/admin/connections", json=request, token=admin)
    assert created.status == 201, created.body
    connection = created.json()
    assert connection["api_base_url"] == fake_api.base_url(provider)
    assert "api_key" not in connection
    listed = local_stack.request("GET", "/admin/connections?limit=50", token=admin)
    assert fake_api.key(provider) not in listed.body.decode()

    # and a user who registered the candidate's address
    user = local_stack.token(f"user-{run}", email=email)
    profile = {"display_name": "Ada", "emails": [email], "timezone": "Europe/London"}
    assert local_stack.request("PUT", "/me", json=profile, token=user).status == 200

    # When the ATS posts the ids, signed as it signs, and posts them again (a retry)
    now = datetime.fromisoformat(local_stack.info()["now"])
    body, headers = _signed(provider, secret, now, run)
    path = connection["webhook_path"]
    first = local_stack.request("POST", path, body=body, headers=headers)
    again = local_stack.request("POST", path, body=body, headers=headers)
    forged_body, forged_headers = _tamper(provider, body, headers)
    tampered = local_stack.request("POST", path, body=forged_body, headers=forged_headers)
    local_stack.drain()

    # Then the ATS hears success at once, a forgery 401, and one rejection is logged with the job
    # and the reason its API gave
    assert (first.status, again.status) == (SUCCESS[provider], SUCCESS[provider]), first.body
    assert tampered.status == 401
    rejections = local_stack.request("GET", "/rejections", token=user).json()["items"]
    assert [(r["source"], r["role"], r["reason"]) for r in rejections] == [
        (provider, *EXPECTED[provider])
    ]
    inbox = local_stack.request("GET", "/notifications", token=user).json()["items"]
    # (the fake's rejection is from March 2025: its reapply window is already open too)
    assert {"encouragement", "feedback_request"} <= {n["kind"] for n in inbox}


def test_a_refused_key_is_retried_until_the_ats_takes_it(
    local_stack: LocalStack, fake_api: FakeAtsApi
) -> None:
    run = uuid.uuid4().hex[:12]
    email = f"ada.{run}@example.com"
    for path, document in _documents(email)["smartrecruiters"].items():
        fake_api.put("smartrecruiters", path, document)
    admin = local_stack.token(f"admin-{run}", groups=["admin"])
    secret = f"signing-key-issued-by-the-ats-{run}"
    connection = local_stack.request(
        "POST",
        "/admin/connections",
        json={
            "provider": "smartrecruiters",
            "company": "Babbage & Co",
            "secret": secret,
            "api_key": fake_api.key("smartrecruiters"),
            "api_base_url": fake_api.base_url("smartrecruiters"),
        },
        token=admin,
    ).json()
    user = local_stack.token(f"user-{run}", email=email)
    profile = {"display_name": "Ada", "emails": [email], "timezone": "Europe/London"}
    local_stack.request("PUT", "/me", json=profile, token=user)
    # The ATS refuses the key twice (an employer rotating it), then takes it
    fake_api.add_fault(Fault(status=401, provider="smartrecruiters", times=2))

    now = datetime.fromisoformat(local_stack.info()["now"])
    body, headers = _signed("smartrecruiters", secret, now, run)
    answer = local_stack.request("POST", connection["webhook_path"], body=body, headers=headers)
    local_stack.drain()

    assert answer.status == 202
    rejections = local_stack.request("GET", "/rejections", token=user).json()["items"]
    assert [r["role"] for r in rejections] == ["Product Designer"]
    refused = [r for r in fake_api.requests if r.path.startswith("/candidates/")]
    assert len(refused) >= 3  # two refusals, then the lookup's calls


def _tamper(provider: str, body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The delivery with what its signature covers changed: Lever's token, Teamtailor's payload,
    SmartRecruiters' signature header."""
    if provider == "lever":
        return body.replace(b'"token":"token-', b'"token":"forged-'), headers
    if provider == "teamtailor":
        return body.replace(b"Frontend", b"Backend"), headers
    return body, headers | {"smartrecruiters-signature": "v1=" + "0" * 64}
