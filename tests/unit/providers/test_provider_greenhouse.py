from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.model import Recruiter
from bounceback.providers.base import Ignored, RejectionDelivery, RejectionWithdrawn
from bounceback.providers.greenhouse import ADAPTER
from tests.unit.providers.helpers import NOW, SECRET, encode, sample_payload, signed

HEADERS: dict[str, str] = {}


def _reject(**application: Any) -> dict[str, Any]:
    payload = sample_payload("greenhouse.rejection")
    payload["payload"]["application"].update(application)
    return payload


def test_signature_is_sha256_space_lowercase_hex_of_the_raw_body() -> None:
    # Given the documented example: HMAC-SHA256 hex of the entire body, "sha256 " in front
    body = b'{"action":"ping","payload":{"web_hook_id":1}}'
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    # When signing / Then the header is exactly that
    headers = signed(ADAPTER, body, delivery_id="event-7")
    assert headers == {"signature": f"sha256 {expected}", "greenhouse-event-id": "event-7"}
    # And an upper-case digest (some proxies rewrite it) still verifies
    ADAPTER.verify({"signature": f"sha256 {expected.upper()}"}, body, SECRET, NOW)


def test_unicode_escaped_body_is_verified_over_the_bytes_as_received() -> None:
    # Given a body in which Greenhouse escaped "<" and "&" before signing
    raw = b'{"action":"reject_candidate","note":"\\u003c2 years \\u0026 more"}'
    headers = signed(ADAPTER, raw)
    # When verifying the bytes as received / Then it passes
    ADAPTER.verify(headers, raw, SECRET, NOW)
    # But the same JSON re-serialised (the escapes become "<" and "&") no longer verifies
    reserialised = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode()
    assert b"<2 years & more" in reserialised
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify(headers, reserialised, SECRET, NOW)


def test_sample_rejection_maps_to_the_normalised_fields() -> None:
    # Given the sample reject_candidate body (its job name has an escaped "&")
    body = encode(sample_payload("greenhouse.rejection"))
    # When interpreting it
    outcome = ADAPTER.interpret(HEADERS, body)
    # Then every field comes from its documented path
    assert isinstance(outcome, RejectionDelivery)
    rejection = outcome.rejection
    assert rejection.emails == ("ada@example.com", "ada.lovelace@work.example.com")
    assert rejection.candidate_name == "Ada Lovelace"
    assert rejection.role == "Senior Backend Engineer, Payments & Billing"
    assert rejection.stage == "Onsite Interview"
    assert rejection.reason == "Another candidate's experience was a closer match"
    assert rejection.rejected_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    assert rejection.recruiter == Recruiter(name="Grace Hopper", email="grace.hopper@example.com")
    # candidate.company is her current employer, never the hiring company
    assert rejection.company is None
    assert outcome.application_key == "greenhouse:69306314"


def test_dedupe_key_is_application_action_and_rejected_at() -> None:
    first = ADAPTER.interpret(HEADERS, encode(_reject()))
    again = ADAPTER.interpret(HEADERS, encode(_reject()))
    later = ADAPTER.interpret(HEADERS, encode(_reject(rejected_at="2025-04-01T09:00:00Z")))
    assert isinstance(first, RejectionDelivery)
    assert isinstance(again, RejectionDelivery)
    assert isinstance(later, RejectionDelivery)
    assert first.dedupe_key == "greenhouse:69306314:reject_candidate:2025-03-14T10:00:00Z"
    assert again.dedupe_key == first.dedupe_key
    assert later.dedupe_key != first.dedupe_key  # re-rejected after an unreject: a new rejection
    assert later.application_key == first.application_key


def test_unreject_finds_the_rejection_by_application_key() -> None:
    # Given a rejection and its undo (rejected_at: null)
    rejected = ADAPTER.interpret(HEADERS, encode(sample_payload("greenhouse.rejection")))
    undone = ADAPTER.interpret(HEADERS, encode(sample_payload("greenhouse.unreject")))
    # Then the undo is a withdrawal pointing at the same application
    assert isinstance(rejected, RejectionDelivery)
    assert isinstance(undone, RejectionWithdrawn)
    assert undone.application_key == rejected.application_key == "greenhouse:69306314"
    assert undone.emails == ("ada@example.com", "ada.lovelace@work.example.com")
    assert undone.dedupe_key == "greenhouse:69306314:unreject_candidate:2025-03-14T10:12:31Z"
    assert undone.dedupe_key != rejected.dedupe_key


def test_unreject_without_email_still_withdraws() -> None:
    payload = sample_payload("greenhouse.unreject")
    payload["payload"]["application"]["candidate"]["email_addresses"] = []
    outcome = ADAPTER.interpret(HEADERS, encode(payload))
    assert isinstance(outcome, RejectionWithdrawn)
    assert outcome.emails == ()


@pytest.mark.parametrize(
    "body",
    [
        {"action": "ping", "payload": {"web_hook_id": 412987}},
        {"action": "candidate_stage_change", "payload": {"application": {"id": 1}}},
        {"action": "hire_candidate", "payload": {}},
        {"action": "delete_candidate", "payload": {"person": {"id": 3}}},
    ],
)
def test_non_rejections_are_ignored(body: dict[str, Any]) -> None:
    assert isinstance(ADAPTER.interpret(HEADERS, encode(body)), Ignored)


@pytest.mark.parametrize(
    "body",
    [
        {"payload": {}},  # no action
        {"action": "reject_candidate"},  # no payload
        {"action": "reject_candidate", "payload": {"application": "x"}},
        {"action": "reject_candidate", "payload": {"application": {"jobs": []}}},  # no id
        _reject(rejected_at=None),
        _reject(jobs=[]),
        _reject(candidate={"first_name": "Ada", "email_addresses": [{"value": "not-an-email"}]}),
        _reject(candidate=None),
    ],
)
def test_rejection_that_cannot_be_read_is_an_invalid_payload(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret(HEADERS, encode(body))


def test_rejection_without_reason_name_falls_back_to_its_category() -> None:
    body = _reject(rejection_reason={"name": None, "type": {"name": "We rejected them"}})
    outcome = ADAPTER.interpret(HEADERS, encode(body))
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.rejection.reason == "We rejected them"


def test_no_handshake() -> None:
    assert ADAPTER.handshake({}, encode({"action": "ping"})) is None
    assert ADAPTER.secret_is_generated is True
