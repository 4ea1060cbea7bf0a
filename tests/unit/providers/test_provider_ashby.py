from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.providers.ashby import ADAPTER
from bounceback.providers.base import Ignored, RejectionDelivery
from tests.unit.providers.helpers import NOW, SECRET, encode, sample_payload, signed

HEADERS: dict[str, str] = {}


def _archived(action: str = "applicationUpdate", **application: Any) -> dict[str, Any]:
    payload = sample_payload("ashby.rejection")
    payload["action"] = action
    payload["data"]["application"].update(application)
    return payload


def test_signature_is_sha256_equals_hex_of_the_raw_body() -> None:
    body = encode({"action": "ping", "data": {"webhookActionType": "ping"}})
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signed(ADAPTER, body) == {"ashby-signature": f"sha256={expected}"}
    ADAPTER.verify({"ashby-signature": f"sha256={expected}"}, body, SECRET, NOW)


def test_unsigned_delivery_is_refused_because_every_connection_has_a_secret() -> None:
    # Ashby omits the header when no secret token is set; Bounceback always sets one.
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, encode({"action": "ping"}), SECRET, NOW)


def test_archived_by_the_organisation_maps_to_the_normalised_fields() -> None:
    outcome = ADAPTER.interpret(HEADERS, encode(sample_payload("ashby.rejection")))
    assert isinstance(outcome, RejectionDelivery)
    rejection = outcome.rejection
    assert rejection.emails == ("ada@example.com",)
    assert rejection.candidate_name == "Ada Lovelace"
    assert rejection.role == "Data Engineer"
    assert rejection.stage == "Technical Interview"
    assert rejection.reason == "Needs more hands-on experience with Spark"
    assert rejection.rejected_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    assert rejection.company is None
    assert outcome.dedupe_key == "ashby:9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
    assert outcome.application_key == "ashby:4d6c2f9e-1b3a-4c5d-8e7f-9a0b1c2d3e4f"


def test_related_hooks_of_one_action_share_the_dedupe_key() -> None:
    # Given the applicationUpdate and the candidateStageChange of the same archive action
    update = ADAPTER.interpret(HEADERS, encode(_archived("applicationUpdate")))
    stage_change = ADAPTER.interpret(HEADERS, encode(_archived("candidateStageChange")))
    # Then they collapse into one rejection
    assert isinstance(update, RejectionDelivery)
    assert isinstance(stage_change, RejectionDelivery)
    assert update.dedupe_key == stage_change.dedupe_key


def test_reason_type_other_is_still_a_rejection() -> None:
    body = _archived(archiveReason={"text": "Position closed", "reasonType": "Other"})
    outcome = ADAPTER.interpret(HEADERS, encode(body))
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.rejection.reason == "Position closed"


def test_archived_at_falls_back_to_updated_at() -> None:
    outcome = ADAPTER.interpret(HEADERS, encode(_archived(archivedAt=None)))
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.rejection.rejected_at == datetime(2025, 3, 14, 10, 0, 2, 118000, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        {"action": "ping", "data": {"webhookActionType": "ping"}},
        sample_payload("ashby.withdrawn"),  # RejectedByCandidate: the candidate withdrew
        _archived(status="Active"),
        _archived(status="Hired"),
        _archived(archiveReason=None),
        {"action": "applicationSubmit", "data": {"application": {}}},
        {"action": "candidateHire", "data": {}},
    ],
)
def test_non_rejections_are_ignored(body: dict[str, Any]) -> None:
    assert isinstance(ADAPTER.interpret(HEADERS, encode(body)), Ignored)


@pytest.mark.parametrize(
    "body",
    [
        {"data": {}},
        {"action": "applicationUpdate", "data": {}},
        {"action": "applicationUpdate", "data": {"application": []}},
        {**_archived(), "webhookActionId": None},
        _archived(candidate={"name": "Ada Lovelace"}),  # primaryEmailAddress may be absent
        _archived(job=None),
    ],
)
def test_rejection_that_cannot_be_read_is_an_invalid_payload(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret(HEADERS, encode(body))
