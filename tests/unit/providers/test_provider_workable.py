from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.providers.base import Ignored, RejectionDelivery
from bounceback.providers.workable import ADAPTER
from tests.unit.providers.helpers import NOW, SECRET, encode, sample_payload, signed

HEADERS: dict[str, str] = {}


def _moved(**candidate: Any) -> dict[str, Any]:
    payload = sample_payload("workable.rejection")
    payload["data"].update(candidate)
    return payload


def test_signature_is_hex_hmac_of_the_raw_body_keyed_with_the_api_token() -> None:
    body = encode(_moved())
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256)
    assert signed(ADAPTER, body) == {"x-workable-signature": expected.hexdigest()}


def test_base64_signature_is_accepted_too_because_the_encoding_is_unconfirmed() -> None:
    body = encode(_moved())
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    ADAPTER.verify({"x-workable-signature": base64.b64encode(digest).decode()}, body, SECRET, NOW)
    wrong = hmac.new(b"other", body, hashlib.sha256).digest()
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify(
            {"x-workable-signature": base64.b64encode(wrong).decode()}, body, SECRET, NOW
        )


def test_disqualified_candidate_maps_to_the_normalised_fields() -> None:
    outcome = ADAPTER.interpret(HEADERS, encode(sample_payload("workable.rejection")))
    assert isinstance(outcome, RejectionDelivery)
    rejection = outcome.rejection
    assert rejection.emails == ("ada@example.com",)
    assert rejection.candidate_name == "Ada Lovelace"
    assert rejection.role == "Machine Learning Engineer"
    assert rejection.stage == "Interview"
    assert rejection.reason == "Not enough experience with production ML systems"
    assert rejection.rejected_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    # Workable names the hiring account: the one payload that does
    assert rejection.company == "Analytical Engines Ltd"
    assert outcome.dedupe_key == "workable:3fc9a80f:2025-03-14T10:00:00Z"
    assert outcome.application_key == "workable:3fc9a80f"


def test_dedupe_key_is_candidate_id_and_disqualified_at() -> None:
    # The payload is the candidate at delivery time: a retry may differ elsewhere, not in the key
    first = ADAPTER.interpret(HEADERS, encode(_moved()))
    retried = ADAPTER.interpret(HEADERS, encode(_moved(stage="Offer", headline="changed")))
    assert isinstance(first, RejectionDelivery)
    assert isinstance(retried, RejectionDelivery)
    assert first.dedupe_key == retried.dedupe_key


def test_name_falls_back_to_first_and_last_name_and_reason_may_be_null() -> None:
    outcome = ADAPTER.interpret(
        HEADERS, encode(_moved(name=None, disqualification_reason=None, stage={"name": "Onsite"}))
    )
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.rejection.candidate_name == "Ada Lovelace"
    assert outcome.rejection.reason is None
    assert outcome.rejection.stage == "Onsite"


@pytest.mark.parametrize(
    "body",
    [
        sample_payload("workable.moved"),
        {**_moved(), "event_type": "candidate_created"},
        {**_moved(), "event_type": "employee_created"},
        _moved(disqualified=None),
    ],
)
def test_non_rejections_are_ignored(body: dict[str, Any]) -> None:
    assert isinstance(ADAPTER.interpret(HEADERS, encode(body)), Ignored)


@pytest.mark.parametrize(
    "body",
    [
        {"event_type": "candidate_moved"},
        {"event_type": "candidate_moved", "data": "x"},
        _moved(disqualified_at=None),
        _moved(id=None),
        _moved(email=None),
        _moved(job=None),
    ],
)
def test_rejection_that_cannot_be_read_is_an_invalid_payload(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret(HEADERS, encode(body))


def test_secret_comes_from_workable() -> None:
    assert ADAPTER.secret_is_generated is False
