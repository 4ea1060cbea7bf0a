from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.model import Recruiter
from bounceback.providers.base import Ignored, RejectionDelivery
from bounceback.providers.standard import ADAPTER, StandardRejectionBody
from tests.unit.providers.helpers import NOW, encode, sample_payload

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def _body(**data: Any) -> dict[str, Any]:
    payload = sample_payload("standard.rejection")
    payload["data"].update(data)
    return payload


def test_a_delivery_signed_by_the_reference_implementation_verifies() -> None:
    # Given a delivery signed with the standardwebhooks package
    body = encode(_body())
    signature = Webhook(SECRET).sign("msg_ref", NOW, body.decode())
    headers = {
        "webhook-id": "msg_ref",
        "webhook-timestamp": str(int(NOW.timestamp())),
        "webhook-signature": signature,
    }
    # When our adapter verifies it / Then it passes
    ADAPTER.verify(headers, body, SECRET, NOW)


def test_our_signature_verifies_with_the_reference_implementation() -> None:
    # The reference implementation checks against the wall clock, so sign for "now"
    now = datetime.now(tz=UTC)
    body = encode(_body())
    headers = ADAPTER.signature_headers(body, SECRET, now, "msg_ours")
    assert Webhook(SECRET).verify(body, headers) == _body()
    # And a secret given without the whsec_ prefix is the same key
    ADAPTER.verify(headers, body, SECRET.removeprefix("whsec_"), now)


def test_any_of_several_signatures_may_match() -> None:
    body = encode(_body())
    good = ADAPTER.signature_headers(body, SECRET, NOW, "msg_1")
    other = ADAPTER.signature_headers(body, ADAPTER.new_secret(), NOW, "msg_1")
    combined = f"v1a,c29tZS1rZXk= {other['webhook-signature']} {good['webhook-signature']}"
    ADAPTER.verify({**good, "webhook-signature": combined}, body, SECRET, NOW)
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({**good, "webhook-signature": other["webhook-signature"]}, body, SECRET, NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=5), -timedelta(minutes=5), timedelta(0)])
def test_timestamp_within_five_minutes_either_way_is_accepted(skew: timedelta) -> None:
    body = encode(_body())
    headers = ADAPTER.signature_headers(body, SECRET, NOW, "msg_1")
    ADAPTER.verify(headers, body, SECRET, NOW + skew)


@pytest.mark.parametrize(
    "skew", [timedelta(minutes=5, seconds=1), -timedelta(minutes=5, seconds=1)]
)
def test_timestamp_beyond_five_minutes_either_way_is_refused(skew: timedelta) -> None:
    # A captured delivery replayed later, or one dated in the future, fails even though signed
    body = encode(_body())
    headers = ADAPTER.signature_headers(body, SECRET, NOW, "msg_1")
    with pytest.raises(InvalidSignatureError, match="tolerance"):
        ADAPTER.verify(headers, body, SECRET, NOW + skew)


def test_id_and_timestamp_are_signed_too() -> None:
    body = encode(_body())
    headers = ADAPTER.signature_headers(body, SECRET, NOW, "msg_1")
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({**headers, "webhook-id": "msg_2"}, body, SECRET, NOW)
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({**headers, "webhook-timestamp": "1741947301"}, body, SECRET, NOW)


@pytest.mark.parametrize("secret", ["whsec_", "whsec_!!!", ""])
def test_an_unusable_connection_secret_verifies_nothing(secret: str) -> None:
    body = encode(_body())
    headers = ADAPTER.signature_headers(body, SECRET, NOW, "msg_1")
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify(headers, body, secret, NOW)


def test_new_secret_is_whsec_and_32_random_bytes() -> None:
    secret = ADAPTER.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    Webhook(secret)  # the reference implementation accepts it


def test_rejection_maps_to_the_normalised_fields() -> None:
    outcome = ADAPTER.interpret({"webhook-id": "msg_2uB7"}, encode(_body()))
    assert isinstance(outcome, RejectionDelivery)
    rejection = outcome.rejection
    assert rejection.emails == ("ada@example.com",)
    assert rejection.candidate_name == "Ada Lovelace"
    assert rejection.company == "Analytical Engines Ltd"
    assert rejection.role == "Platform Engineer"
    assert rejection.stage == "Final interview"
    assert rejection.reason == "Position filled by an internal candidate"
    assert rejection.message is not None
    assert "reapply in 6 months" in rejection.message
    assert rejection.rejected_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    assert rejection.recruiter == Recruiter(name="Grace Hopper", email="grace.hopper@example.com")
    assert outcome.dedupe_key == "standard:msg_2uB7"
    assert outcome.application_key is None


def test_minimal_rejection_needs_only_email_and_role() -> None:
    body = {
        "type": "candidate.rejected",
        "data": {"candidate": {"email": "Ada@Example.com"}, "role": "Analyst"},
    }
    outcome = ADAPTER.interpret({"webhook-id": "msg_3"}, encode(body))
    assert isinstance(outcome, RejectionDelivery)
    assert outcome.rejection.emails == ("ada@example.com",)
    assert outcome.rejection.company is None  # the connection's company applies


def test_dedupe_key_is_the_webhook_id_header() -> None:
    body = encode(_body())
    first = ADAPTER.interpret({"webhook-id": "msg_same"}, body)
    retry = ADAPTER.interpret({"webhook-id": "msg_same"}, body)
    assert isinstance(first, RejectionDelivery)
    assert isinstance(retry, RejectionDelivery)
    assert first.dedupe_key == retry.dedupe_key == "standard:msg_same"


def test_other_event_types_are_ignored() -> None:
    body = encode({"type": "candidate.hired", "data": {}})
    assert isinstance(ADAPTER.interpret({"webhook-id": "msg_1"}, body), Ignored)


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"candidate": {"email": "ada@example.com"}, "role": "Analyst"}},  # no type
        _body(candidate={"name": "Ada"}),
        _body(candidate={"email": "not an email"}),
        _body(role=""),
        _body(role="   "),
        _body(rejected_at="2025-03-14T10:00:00"),  # no offset
        _body(rejected_at="yesterday"),
        {"type": "candidate.rejected"},
    ],
)
def test_body_not_matching_the_schema_is_an_invalid_payload(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret({"webhook-id": "msg_1"}, encode(body))


def test_missing_webhook_id_is_an_invalid_payload() -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret({}, encode(_body()))


def test_schema_documents_every_field_for_the_openapi_document() -> None:
    schema = StandardRejectionBody.model_json_schema()
    definitions = schema["$defs"]
    for model in [schema, *definitions.values()]:
        for name, field in model["properties"].items():
            assert field.get("description"), f"{model.get('title')}.{name} has no description"
    assert schema["required"] == ["type", "data"]
    assert definitions["StandardRejection"]["required"] == ["candidate", "role"]
    assert StandardRejectionBody.model_validate(schema["examples"][0])


def test_success_is_204() -> None:
    assert ADAPTER.success_status == 204
