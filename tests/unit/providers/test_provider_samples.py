"""The samples in ``events/webhooks`` verify with their documented secrets and mean what they say.

They are also rebuilt from ``make_samples.py`` and compared byte for byte, so a change to an
adapter's signing or a payload that is not regenerated fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bounceback.providers.base import (
    HandshakeReply,
    Ignored,
    Interpretation,
    LookupInterpretation,
    LookupNeeded,
    RejectionDelivery,
    RejectionWithdrawn,
)
from bounceback.providers.registry import get_adapter, get_lookup_adapter
from tests.unit.providers.helpers import load_event, raw_body, sample_secrets
from tests.unit.providers.make_samples import OUT_DIR, build

# Sample → what interpreting it must give (the kind, and the dedupe key for rejections).
EXPECTED: dict[str, tuple[type[Interpretation], str | None]] = {
    "greenhouse.rejection": (
        RejectionDelivery,
        "greenhouse:69306314:reject_candidate:2025-03-14T10:00:00Z",
    ),
    "greenhouse.unreject": (
        RejectionWithdrawn,
        "greenhouse:69306314:unreject_candidate:2025-03-14T10:12:31Z",
    ),
    "greenhouse.ping": (Ignored, None),
    "ashby.rejection": (RejectionDelivery, "ashby:9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"),
    "ashby.withdrawn": (Ignored, None),
    "ashby.ping": (Ignored, None),
    "workable.rejection": (RejectionDelivery, "workable:3fc9a80f:2025-03-14T10:00:00Z"),
    "workable.moved": (Ignored, None),
    "jazzhr.rejection": (RejectionDelivery, "jazzhr:48213377:91234567:2025-03-14 10:00:00"),
    "standard.rejection": (RejectionDelivery, "standard:msg_2uB7Sbq1PaV9lWk4d0mJzQ"),
}
# The providers whose deliveries name ids only: the kind, and the dedupe key when the delivery
# alone gives it (tests/unit/providers/test_lookups.py reads them back from the fake API).
LOOKUP_EXPECTED: dict[str, tuple[type[LookupInterpretation], str | None]] = {
    "lever.rejection": (
        LookupNeeded,
        "lever:8c2f6a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b:1741946400000",
    ),
    "lever.unarchive": (
        LookupNeeded,
        "lever:8c2f6a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b:unarchived:1741947300000",
    ),
    "lever.test": (Ignored, None),
    "teamtailor.rejection": (LookupNeeded, "teamtailor:48151623:2025-03-14T10:00:00.000Z"),
    "teamtailor.update": (Ignored, None),
    "smartrecruiters.rejection": (
        LookupNeeded,
        "smartrecruiters:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    ),
}
HANDSHAKES = {"jazzhr.verify", "smartrecruiters.activation"}


def test_samples_on_disk_are_what_the_generator_writes() -> None:
    # Given the generator's output / When compared with the committed files / Then they match
    expected = build()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in OUT_DIR.glob("*.json")}
    assert on_disk == expected, "run: python tests/unit/providers/make_samples.py"


def test_every_sample_is_accounted_for() -> None:
    names = {p.name.removesuffix(".json") for p in OUT_DIR.glob("*.json")} - {"secrets"}
    assert names == set(EXPECTED) | set(LOOKUP_EXPECTED) | HANDSHAKES
    providers = {name.split(".")[0] for name in names}
    assert all(f"{p}.rejection" in names for p in providers)


@pytest.mark.parametrize("name", sorted(set(EXPECTED) | set(LOOKUP_EXPECTED) | HANDSHAKES))
def test_sample_is_a_payload_2_event_for_the_webhook_route(name: str) -> None:
    event = load_event(name)
    provider = name.split(".")[0]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /webhooks/{provider}/{connection_id}"
    assert event["pathParameters"] == {
        "provider": provider,
        "connection_id": f"conn-{provider}-sample",
    }
    assert event["rawPath"] == f"/webhooks/{provider}/conn-{provider}-sample"
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["isBase64Encoded"] is False
    assert all(key == key.lower() for key in event["headers"])
    assert event["headers"]["content-length"] == str(len(raw_body(event)))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_verifies_with_its_secret_and_interprets_as_expected(name: str) -> None:
    # Given a sample delivery and the documented sample secret of its provider
    event = load_event(name)
    adapter = get_adapter(event["pathParameters"]["provider"])
    assert adapter is not None
    headers, body = event["headers"], raw_body(event)
    now = datetime.fromtimestamp(event["requestContext"]["timeEpoch"] / 1000, tz=UTC)
    # When the webhook function's sequence runs
    assert adapter.handshake(headers, body) is None
    adapter.verify(headers, body, sample_secrets()[adapter.name], now)
    outcome = adapter.interpret(headers, body)
    # Then the delivery means what the sample is named for
    kind, key = EXPECTED[name]
    assert isinstance(outcome, kind)
    if isinstance(outcome, RejectionDelivery | RejectionWithdrawn):
        assert outcome.dedupe_key == key
    if isinstance(outcome, RejectionDelivery):
        assert "ada@example.com" in outcome.rejection.emails


@pytest.mark.parametrize("name", sorted(LOOKUP_EXPECTED))
def test_lookup_sample_verifies_with_its_secret_and_interprets_as_expected(name: str) -> None:
    # Given a sample delivery of a provider that sends ids, and its sample secret
    event = load_event(name)
    adapter = get_lookup_adapter(event["pathParameters"]["provider"])
    assert adapter is not None
    headers, body = event["headers"], raw_body(event)
    now = datetime.fromtimestamp(event["requestContext"]["timeEpoch"] / 1000, tz=UTC)
    # When the webhook function's sequence runs
    assert adapter.handshake(headers, body) is None
    adapter.verify(headers, body, sample_secrets()[adapter.name], now)
    outcome = adapter.interpret(headers, body)
    # Then it means what the sample is named for, and names no person
    kind, key = LOOKUP_EXPECTED[name]
    assert isinstance(outcome, kind)
    if isinstance(outcome, LookupNeeded):
        assert outcome.dedupe_key == key
    assert b"@" not in body


def test_smartrecruiters_activation_sample_is_answered_by_the_handshake() -> None:
    event = load_event("smartrecruiters.activation")
    adapter = get_lookup_adapter("smartrecruiters")
    assert adapter is not None
    secret = event["headers"]["x-hook-secret"]
    reply = adapter.handshake(event["headers"], raw_body(event))
    assert reply == HandshakeReply(status=200, headers={"X-Hook-Secret": secret})
    assert "smartrecruiters-signature" not in event["headers"]


def test_jazzhr_verify_sample_is_answered_by_the_handshake() -> None:
    event = load_event("jazzhr.verify")
    adapter = get_adapter("jazzhr")
    assert adapter is not None
    assert adapter.handshake(event["headers"], raw_body(event)) == HandshakeReply(status=200)
    # It is signed too, with the same secret as the exports.
    adapter.verify(
        event["headers"], raw_body(event), sample_secrets()["jazzhr"], datetime.now(tz=UTC)
    )
