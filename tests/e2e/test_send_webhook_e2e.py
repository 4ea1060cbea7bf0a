"""`bounceback-local send-webhook <provider>`: one command signs a sample delivery for any
provider and sends it to the running stack, which logs it for the candidate it names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bounceback.providers.registry import PROVIDERS
from tests.support.local_stack import REPO, LocalStack

pytestmark = pytest.mark.e2e


def _send_webhook(stack: LocalStack, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "bounceback_local.cli", "send-webhook", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_sample_delivery_of_every_provider_is_signed_sent_and_logged(
    local_stack: LocalStack,
) -> None:
    # Given a user who proved their address
    email = "sender@example.com"
    token = local_stack.token("send-webhook-user", email=email)
    profile = {"display_name": "Sam", "emails": [email]}
    assert local_stack.request("PUT", "/me", json=profile, token=token).status == 200

    # When a sample delivery of each provider is sent to them, twice: the first creates the
    # provider's connection, the second signs with the secret the stack stored for it
    for provider in sorted(PROVIDERS):
        for _ in range(2):
            sent = _send_webhook(
                local_stack, provider, "--email", email, "--url", local_stack.base_url
            )
            # Then the stack answers each as that provider's success
            assert sent.returncode == 0, sent.stdout + sent.stderr
            status = PROVIDERS[provider].success_status
            assert f"/webhooks/{provider}/" in sent.stdout
            assert f"-> {status}" in sent.stdout, sent.stdout

    # ... and logs one rejection per provider for them (the second of each is a duplicate)
    listed = local_stack.request("GET", "/rejections?limit=50", token=token).json()["items"]
    assert sorted(r["source"] for r in listed) == sorted(PROVIDERS)


def test_an_unknown_provider_is_refused_with_the_known_ones(local_stack: LocalStack) -> None:
    sent = _send_webhook(local_stack, "nope", "--url", local_stack.base_url)
    assert sent.returncode == 2
    assert "greenhouse" in sent.stderr
