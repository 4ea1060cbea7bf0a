"""A job board's signed rejection through the local stack, over HTTP only: the admin creates
a connection, the candidate registers, the provider posts, and the inbox shows the recovery."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest

from bounceback.providers.registry import get_adapter
from tests.e2e.conftest import LocalStack
from tests.support.events import load_event

pytestmark = pytest.mark.e2e

PROVIDERS = ("greenhouse", "ashby", "workable", "jazzhr", "standard")
SUCCESS = {"greenhouse": 200, "ashby": 200, "workable": 200, "jazzhr": 200, "standard": 204}
SAMPLE_EMAIL = "ada@example.com"
SAMPLE_DAY = "2025-03-14"  # the day every sample rejection happened


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_signed_rejection_reaches_the_candidates_inbox(
    local_stack: LocalStack, provider: str
) -> None:
    adapter = get_adapter(provider)
    assert adapter is not None
    run = uuid.uuid4().hex[:12]
    email = f"ada.{run}@example.com"

    # Given a connection (Workable's secret is the account's API token, the others are issued)
    admin = local_stack.token(f"admin-{run}", groups=["admin"])
    request: dict[str, str] = {"provider": provider, "company": "Babbage & Co"}
    if not adapter.secret_is_generated:
        request["secret"] = f"workable-api-token-{run}"
    created = local_stack.request("POST", "/admin/connections", json=request, token=admin)
    assert created.status == 201, created.body
    connection = created.json()
    assert set(connection) >= {"id", "provider", "company", "webhook_path", "secret"}
    assert connection["webhook_path"] == f"/webhooks/{provider}/{connection['id']}"

    # and a user who registered the candidate's address
    user = local_stack.token(f"user-{run}", email=email)  # the address she confirmed
    profile = {"display_name": "Ada", "emails": [email.upper()], "timezone": "Europe/London"}
    assert local_stack.request("PUT", "/me", json=profile, token=user).status == 200

    # When the provider posts its rejection, signed with the connection's secret at the
    # stack's clock (Standard Webhooks refuses a timestamp five minutes off) and dated
    # yesterday (on the samples' own day the reapply window would already be open)
    now = datetime.fromisoformat(local_stack.info()["now"])
    yesterday = (now - timedelta(days=1)).date().isoformat()
    sample = load_event(f"webhooks/{provider}.rejection.json")
    body = sample["body"].replace(SAMPLE_EMAIL, email).replace(SAMPLE_DAY, yesterday).encode()
    headers = adapter.signature_headers(body, connection["secret"], now, f"msg_{run}")
    headers["content-type"] = "application/json"
    answer = local_stack.request("POST", connection["webhook_path"], body=body, headers=headers)
    assert answer.status == SUCCESS[provider], answer.body
    # and again, as a sender retrying a delivery whose answer it lost
    again = local_stack.request("POST", connection["webhook_path"], body=body, headers=headers)
    assert again.status == SUCCESS[provider]
    local_stack.drain()

    # Then one rejection from that provider, and the encouragement and feedback request
    rejections = local_stack.request("GET", "/rejections", token=user).json()["items"]
    assert [r["source"] for r in rejections] == [provider]
    assert rejections[0]["company"] in ("Babbage & Co", "Analytical Engines Ltd")
    assert rejections[0]["reason"]
    inbox = local_stack.request("GET", "/notifications", token=user).json()["items"]
    kinds = sorted(n["kind"] for n in inbox)
    assert kinds == ["encouragement", "feedback_request"], json.dumps(inbox)[:500]
    assert all(n["rejection_id"] == rejections[0]["id"] for n in inbox)


def test_a_tampered_delivery_is_refused_over_http(local_stack: LocalStack) -> None:
    admin = local_stack.token("admin-tamper", groups=["admin"])
    created = local_stack.request(
        "POST", "/admin/connections", json={"provider": "greenhouse", "company": "X"}, token=admin
    ).json()
    sample = load_event("webhooks/greenhouse.rejection.json")
    headers = {k: v for k, v in sample["headers"].items() if k in ("signature", "content-type")}

    answer = local_stack.request(
        "POST", created["webhook_path"], body=sample["body"].encode(), headers=headers
    )

    assert answer.status == 401  # signed with the sample secret, not this connection's
    assert answer.json()["message"]
