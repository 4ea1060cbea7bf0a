"""`bounceback-local send-webhook <provider>`: one command sends a provider's sample delivery, as
that provider would send it now, to the running stack, which logs it for the candidate it names:
for Lever, Teamtailor and SmartRecruiters too, read back from the stack's fake ATS API."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest

from bounceback.providers.base import RejectionDelivery
from bounceback.providers.registry import LOOKUP_PROVIDERS, PROVIDERS
from bounceback_local.sample_delivery import load
from tests.support.local_stack import REPO, LocalStack

pytestmark = pytest.mark.e2e

ALL = sorted({*PROVIDERS, *LOOKUP_PROVIDERS})
# What the stack's fake ATS API answers about the job (the deliveries name ids only).
LOOKED_UP_ROLES = {
    "lever": "Senior Data Engineer",
    "teamtailor": "Frontend Developer",
    "smartrecruiters": "Product Designer",
}


def _send_webhook(stack: LocalStack, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "bounceback_local.cli", "send-webhook", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _success_status(provider: str) -> int:
    adapter = PROVIDERS.get(provider) or LOOKUP_PROVIDERS[provider]
    return adapter.success_status


def _role(provider: str) -> str:
    """The job the sample rejection is for: in the body, or in the ATS's answer."""
    if provider in LOOKED_UP_ROLES:
        return LOOKED_UP_ROLES[provider]
    sample = load(provider)
    meaning = PROVIDERS[provider].interpret(sample.headers, sample.raw)
    assert isinstance(meaning, RejectionDelivery)
    return meaning.rejection.role


def _user(stack: LocalStack, name: str) -> tuple[str, str]:
    """A user who proved their address: (address, token)."""
    email = f"{name}@example.com"
    token = stack.token(f"send-webhook-{name}", email=email)
    profile = {"display_name": name, "emails": [email]}
    assert stack.request("PUT", "/me", json=profile, token=token).status == 200
    return email, token


@pytest.mark.parametrize("provider", ALL)
def test_one_command_sends_the_providers_sample_and_the_rejection_shows_up(
    local_stack: LocalStack, provider: str
) -> None:
    # Given two users who proved their addresses
    run = uuid.uuid4().hex[:8]
    grace, grace_token = _user(local_stack, f"grace.{provider}.{run}")
    bob, bob_token = _user(local_stack, f"bob.{provider}.{run}")
    info = local_stack.info()

    # When the provider's sample is sent to Grace twice (the second time is the provider
    # retrying it) and to Bob once, each time with one command
    for email in (grace, grace, bob):
        sent = _send_webhook(local_stack, provider, "--email", email, "--url", local_stack.base_url)
        # Then the stack answers each as that provider's success
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert f"/webhooks/{provider}/" in sent.stdout
        assert f"-> {_success_status(provider)}" in sent.stdout, sent.stdout
        if provider in LOOKUP_PROVIDERS:
            # ... and, for a delivery that names ids only, returns once the stack has read it
            # back from its own fake of the provider's API
            fake_api = info["fake_ats"]["api_base_urls"][provider]
            assert f"looked up at {fake_api} " in sent.stdout, sent.stdout

    # Then each finds one rejection from that provider, for the sample's job, from the day
    # before the stack's date rather than the day the sample was written, its reapply date ahead
    local_stack.drain()
    now = datetime.fromisoformat(local_stack.info()["now"])
    for token in (grace_token, bob_token):
        listed = local_stack.request("GET", "/rejections?limit=50", token=token).json()["items"]
        (rejection,) = [r for r in listed if r["source"] == provider]
        assert rejection["role"] == _role(provider)
        rejected_at = datetime.fromisoformat(rejection["rejected_at"])
        assert now - timedelta(days=5) < rejected_at < now, rejection
        assert datetime.fromisoformat(rejection["reapply_at"]) > now, rejection
        # ... and the candidate hears of it at once: no date the sample names holds it back
        inbox = local_stack.request("GET", "/notifications?limit=50", token=token).json()["items"]
        kinds = {n["kind"] for n in inbox if n.get("rejection_id") == rejection["id"]}
        assert "encouragement" in kinds, inbox


def test_an_unknown_provider_is_refused_with_the_known_ones(local_stack: LocalStack) -> None:
    sent = _send_webhook(local_stack, "nope", "--url", local_stack.base_url)
    assert sent.returncode == 2
    for provider in ALL:
        assert provider in sent.stderr
