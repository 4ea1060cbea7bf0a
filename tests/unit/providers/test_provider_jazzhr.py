from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.errors import InvalidPayloadError
from bounceback.providers.base import HandshakeReply, Ignored, RejectionDelivery
from bounceback.providers.jazzhr import ADAPTER
from tests.unit.providers.helpers import SECRET, encode, sample_payload, signed

EXPORT = {"x-jazzhr-event": "CANDIDATE-EXPORT"}
VERIFY_BODY = b'{"data": "JazzHR Verify Event"}'
PROFILE = "91234567"


def _export(**info: Any) -> dict[str, Any]:
    payload = sample_payload("jazzhr.rejection")
    payload["additionalProfileInformation"][PROFILE].update(info)
    return payload


def test_verify_handshake_is_answered_with_200() -> None:
    # Given JazzHR's setup request / When the webhook function asks for a handshake
    reply = ADAPTER.handshake({"x-jazzhr-event": "VERIFY"}, VERIFY_BODY)
    # Then it answers 200 without any secret
    assert reply == HandshakeReply(status=200)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"x-jazzhr-event": "CANDIDATE-EXPORT"}, VERIFY_BODY),
        ({}, VERIFY_BODY),
        ({"x-jazzhr-event": "VERIFY"}, b'{"data": "something else"}'),
        ({"x-jazzhr-event": "VERIFY"}, b"not json"),
    ],
)
def test_anything_else_is_no_handshake(headers: dict[str, str], body: bytes) -> None:
    assert ADAPTER.handshake(headers, body) is None


def test_signature_headers_are_hex_hmac_and_the_event_type() -> None:
    body = encode(_export())
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signed(ADAPTER, body) == {
        "x-jazzhr-signature": expected,
        "x-jazzhr-event": "CANDIDATE-EXPORT",
    }
    assert signed(ADAPTER, VERIFY_BODY)["x-jazzhr-event"] == "VERIFY"


def test_not_hired_export_maps_to_the_normalised_fields() -> None:
    outcome = ADAPTER.interpret(EXPORT, encode(sample_payload("jazzhr.rejection")))
    assert isinstance(outcome, RejectionDelivery)
    rejection = outcome.rejection
    assert rejection.emails == ("ada@example.com",)
    assert rejection.candidate_name == "Ada Lovelace"
    assert rejection.role == "Product Analyst"
    assert rejection.reason == "Not Qualified"
    assert rejection.rejected_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    assert rejection.company is None
    # candidate (person) id + profile (application) id + disposition time
    assert outcome.dedupe_key == "jazzhr:48213377:91234567:2025-03-14 10:00:00"
    assert outcome.application_key == "jazzhr:91234567"


def test_role_falls_back_to_the_position_openings() -> None:
    payload = _export()
    payload["candidate"]["profiles"][0]["associatedPositionOpenings"][0]["positionTitle"] = None
    outcome = ADAPTER.interpret(EXPORT, encode(payload))
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.rejection.role == "Product Analyst"


def test_the_latest_not_hired_profile_is_the_rejection() -> None:
    # Given an export naming an older Not Hired application and today's
    payload = _export()
    payload["additionalProfileInformation"]["11111111"] = {
        "workflowStatus": "Not a Fit",
        "workflowStatusCategory": "Not Hired",
        "workflowDispositionDatetime": "2024-06-01 09:00:00",
    }
    outcome = ADAPTER.interpret(EXPORT, encode(payload))
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.dedupe_key.endswith(":91234567:2025-03-14 10:00:00")


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (EXPORT, _export(workflowStatusCategory="Active", workflowStatus="Phone Screen")),
        (EXPORT, _export(workflowStatusCategory="Hired", workflowStatus="Hired")),
        (EXPORT, {**_export(), "additionalProfileInformation": {}}),
        ({"x-jazzhr-event": "VERIFY"}, {"data": "JazzHR Verify Event"}),
        ({}, _export()),
    ],
)
def test_non_rejections_are_ignored(headers: dict[str, str], body: dict[str, Any]) -> None:
    assert isinstance(ADAPTER.interpret(headers, encode(body)), Ignored)


@pytest.mark.parametrize(
    "body",
    [
        {"additionalProfileInformation": []},
        {"additionalProfileInformation": {PROFILE: {"workflowStatusCategory": "Not Hired"}}},
        {**_export(), "candidate": {"person": {"communication": {"email": []}}}},
    ],
)
def test_rejection_that_cannot_be_read_is_an_invalid_payload(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret(EXPORT, encode(body))
