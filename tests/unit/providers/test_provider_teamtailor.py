"""Teamtailor: both documented readings of the v2 signature (header over the raw body, body field
over the payload text as sent), v1 refused, what an application update means, and the lookup
(JSON:API, kebab-case, a candidate's own withdrawal ignored)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounceback.errors import AtsAnswerInvalidError, InvalidPayloadError, InvalidSignatureError
from bounceback.providers.base import Ignored, LookupNeeded, RejectionDelivery
from bounceback.providers.teamtailor import (
    ADAPTER,
    TeamtailorLookup,
    _raw_members,
    signature_value,
    signed_body,
)
from bounceback_local import fake_ats
from bounceback_local.fake_ats import FakeAtsApi
from tests.unit.providers.helpers import NOW, SECRET
from tests.unit.providers.lookup_support import client, sample_needed

APPLICATION = fake_ats.TEAMTAILOR_APPLICATION
STAMP = int(NOW.timestamp())


def attributes(**changes: Any) -> dict[str, Any]:
    return {
        "id": int(APPLICATION),
        "job_title": "Frontend Developer",
        "stage_name": "Interview",
        "rejected_at": "2025-03-14T10:00:00.000Z",
        "transparent_recruiting_visible_at": None,
        **changes,
    }


def payload_text(event: str = "job_application.update", **changes: Any) -> str:
    return json.dumps(
        {
            "event_name": event,
            "data": {
                "id": APPLICATION,
                "type": "job_application",
                "attributes": attributes(**changes),
            },
        }
    )


def v2(signed: bytes, *, stamp: int = STAMP, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + signed, hashlib.sha256).hexdigest()
    return base64.b64encode(f"t={stamp},v2={digest}".encode()).decode()


# --- signature: the header over the raw body ------------------------------------------------------


def test_header_over_t_and_the_raw_body_is_accepted() -> None:
    body = json.dumps({"payload": json.loads(payload_text())}).encode()
    ADAPTER.verify({"tt-signature": v2(body)}, body, SECRET, NOW)
    assert ADAPTER.signature_headers(body, SECRET, NOW, "x") == {"tt-signature": v2(body)}


def test_header_over_another_body_is_refused() -> None:
    body = json.dumps({"payload": json.loads(payload_text())}).encode()
    other = body.replace(b"Interview", b"Offer")
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({"tt-signature": v2(body)}, other, SECRET, NOW)


def test_header_with_a_wrong_secret_is_refused() -> None:
    body = signed_body(payload_text(), "another-secret", NOW)
    headers = ADAPTER.signature_headers(body, "another-secret", NOW, "x")
    with pytest.raises(InvalidSignatureError, match="does not match"):
        ADAPTER.verify(headers, body, SECRET, NOW)


def test_the_plain_text_form_of_the_signature_is_read_too() -> None:
    body = b'{"payload":{}}'
    plain = base64.b64decode(v2(body)).decode()
    ADAPTER.verify({"tt-signature": plain}, body, SECRET, NOW)


def test_several_v2_entries_verify_when_one_matches() -> None:
    body = b'{"payload":{}}'
    good = base64.b64decode(v2(body)).decode().split(",")[1]
    value = base64.b64encode(f"t={STAMP},v2={'0' * 64},{good}".encode()).decode()
    ADAPTER.verify({"tt-signature": value}, body, SECRET, NOW)


# --- signature: the body's own field over the payload text ----------------------------------------


def test_body_signature_over_t_and_the_payload_text_is_accepted() -> None:
    # Given the body's signature only (no header)
    body = signed_body(payload_text(), SECRET, NOW)
    # When verified / Then accepted
    ADAPTER.verify({}, body, SECRET, NOW)


def test_body_signature_covers_the_payload_exactly_as_written() -> None:
    # Given a payload written with its own spacing and escapes
    text = (
        '{ "event_name" : "job_application.update",\n  "data": {"id": "48151623", "x": "\\u00e9"} }'
    )
    body = signed_body(text, SECRET, NOW)
    ADAPTER.verify({}, body, SECRET, NOW)
    # Then the same payload re-serialised does not verify: the bytes as sent are what is signed
    resent = json.dumps(
        {"payload": json.loads(text), "signature": json.loads(body)["signature"]}
    ).encode()
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, resent, SECRET, NOW)


def test_body_signature_over_a_changed_payload_is_refused() -> None:
    body = signed_body(payload_text(), SECRET, NOW)
    tampered = body.replace(b"Interview", b"Offer!!!!")
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, tampered, SECRET, NOW)


def test_a_second_payload_member_is_refused() -> None:
    # The first payload is the one signed; a JSON reader keeps the last: never accept both.
    body = signed_body(payload_text(), SECRET, NOW)
    smuggled = body[:-1] + b',"payload":' + payload_text(stage_name="Hired").encode() + b"}"
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, smuggled, SECRET, NOW)


def test_either_reading_is_enough() -> None:
    # A header that does not verify does not spoil a body signature that does, and vice versa.
    body = signed_body(payload_text(), SECRET, NOW)
    ADAPTER.verify({"tt-signature": v2(b"something else")}, body, SECRET, NOW)
    unsigned_body = json.dumps(
        {"payload": json.loads(payload_text()), "signature": v2(b"nonsense")}
    ).encode()
    ADAPTER.verify({"tt-signature": v2(unsigned_body)}, unsigned_body, SECRET, NOW)


def test_sample_carries_both_signatures_and_each_verifies_alone() -> None:
    body = signed_body(payload_text(), SECRET, NOW)
    headers = ADAPTER.signature_headers(body, SECRET, NOW, "x")
    ADAPTER.verify(headers, body, SECRET, NOW)
    ADAPTER.verify({}, body, SECRET, NOW)
    without_body_signature = json.dumps({"payload": json.loads(payload_text())}).encode()
    ADAPTER.verify(
        ADAPTER.signature_headers(without_body_signature, SECRET, NOW, "x"),
        without_body_signature,
        SECRET,
        NOW,
    )


# --- signature: refusals --------------------------------------------------------------------------


def test_a_delivery_with_no_signature_at_all_is_refused() -> None:
    body = json.dumps({"payload": json.loads(payload_text())}).encode()
    with pytest.raises(InvalidSignatureError, match="missing"):
        ADAPTER.verify({}, body, SECRET, NOW)


def test_v1_signatures_are_refused() -> None:
    # v1 signs only data.id: a v1-only delivery is refused even when its HMAC is right.
    digest = hmac.new(SECRET.encode(), APPLICATION.encode(), hashlib.sha256).hexdigest()
    v1 = base64.b64encode(f"t={STAMP},v1={digest}".encode()).decode()
    body = json.dumps({"payload": json.loads(payload_text()), "signature": v1}).encode()
    with pytest.raises(InvalidSignatureError, match="v1"):
        ADAPTER.verify({"tt-signature": v1}, body, SECRET, NOW)


@pytest.mark.parametrize(
    "value",
    [
        "not base64 !!",
        base64.b64encode(b"v2=" + b"0" * 64).decode(),  # no t
        base64.b64encode(f"t={STAMP}".encode()).decode(),  # no v2
        base64.b64encode(f"t={STAMP},v2=xyz".encode()).decode(),
        base64.b64encode(f"t=soon,v2={'0' * 64}".encode()).decode(),
        base64.b64encode("t=1,v2=é".encode()).decode(),
    ],
)
def test_a_malformed_signature_is_refused(value: str) -> None:
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({"tt-signature": value}, b'{"payload":{}}', SECRET, NOW)


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (timedelta(0), True),
        (timedelta(minutes=59), True),
        (timedelta(hours=1, seconds=1), False),
        (-timedelta(minutes=4), True),
        (-timedelta(minutes=5, seconds=1), False),
    ],
)
def test_replay_window_is_an_hour_back_and_5_minutes_ahead(age: timedelta, accepted: bool) -> None:
    body = signed_body(payload_text(), SECRET, NOW - age)
    headers = ADAPTER.signature_headers(body, SECRET, NOW - age, "x")
    if accepted:
        ADAPTER.verify(headers, body, SECRET, NOW)
    else:
        with pytest.raises(InvalidSignatureError, match=r"old|future"):
            ADAPTER.verify(headers, body, SECRET, NOW)


def test_signature_value_is_base64_of_t_and_v2() -> None:
    decoded = base64.b64decode(signature_value(SECRET, 1700000000, b"x")).decode()
    expected = hmac.new(SECRET.encode(), b"1700000000.x", hashlib.sha256).hexdigest()
    assert decoded == f"t=1700000000,v2={expected}"


# --- interpretation -------------------------------------------------------------------------------


def test_a_rejection_needs_a_lookup_keyed_as_providers_md_says() -> None:
    body = signed_body(
        payload_text(transparent_recruiting_visible_at="2025-03-17T09:00:00.000Z"), SECRET, NOW
    )
    assert ADAPTER.interpret({}, body) == LookupNeeded(
        dedupe_key=f"teamtailor:{APPLICATION}:2025-03-14T10:00:00.000Z",
        application_key=f"teamtailor:{APPLICATION}",
        lookup=TeamtailorLookup(
            application_id=APPLICATION,
            rejected_at="2025-03-14T10:00:00.000Z",
            job_title="Frontend Developer",
            stage_name="Interview",
        ),
        not_before=datetime(2025, 3, 17, 9, 0, tzinfo=UTC),
    )


def test_kebab_case_attributes_are_read_too() -> None:
    text = json.dumps(
        {
            "event_name": "job_application.update",
            "data": {
                "id": 7,
                "attributes": {
                    "rejected-at": "2025-03-14T10:00:00Z",
                    "job-title": "Designer",
                    "transparent-recruiting-visible-at": "2025-03-20T00:00:00Z",
                },
            },
        }
    )
    meaning = ADAPTER.interpret({}, signed_body(text, SECRET, NOW))
    assert isinstance(meaning, LookupNeeded)
    assert meaning.dedupe_key == "teamtailor:7:2025-03-14T10:00:00Z"
    assert isinstance(meaning.lookup, TeamtailorLookup)
    assert meaning.lookup.job_title == "Designer"
    assert meaning.not_before == datetime(2025, 3, 20, tzinfo=UTC)


def test_an_update_that_is_not_a_rejection_is_ignored() -> None:
    body = signed_body(payload_text(rejected_at=None), SECRET, NOW)
    assert isinstance(ADAPTER.interpret({}, body), Ignored)


@pytest.mark.parametrize("event", ["job_application.create", "candidate.update", "job.create"])
def test_other_events_are_ignored(event: str) -> None:
    assert isinstance(ADAPTER.interpret({}, signed_body(payload_text(event), SECRET, NOW)), Ignored)


@pytest.mark.parametrize(
    "body",
    [
        {"signature": "x"},
        {"payload": "job_application.update"},
        {"payload": {"data": {"id": 1}}},
        {
            "payload": {
                "event_name": "job_application.update",
                "data": {"attributes": {"rejected_at": "x"}},
            }
        },
        {"payload": {"event_name": "job_application.update", "data": []}},
    ],
)
def test_a_body_that_cannot_be_read_is_an_invalid_payload(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret({}, json.dumps(body).encode())


# --- lookups --------------------------------------------------------------------------------------


def _application(fake: FakeAtsApi) -> dict[str, Any]:
    document: dict[str, Any] = fake.state.documents["teamtailor"][
        f"/job-applications/{APPLICATION}"
    ]
    return document


def _included(fake: FakeAtsApi, kind: str) -> dict[str, Any]:
    return next(r for r in _application(fake)["included"] if r["type"] == kind)


def test_the_lookup_asks_for_the_application_with_its_relations(fake: FakeAtsApi) -> None:
    ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    (request,) = fake.requests
    assert request.path == f"/job-applications/{APPLICATION}"
    assert request.query == {"include": ["candidate,job,reject-reason"]}


def test_a_candidate_who_withdrew_is_not_a_rejection(fake: FakeAtsApi) -> None:
    _included(fake, "reject-reasons")["attributes"]["rejected-by-company"] = False
    meaning = ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert meaning == Ignored(why="the candidate withdrew")


def test_an_application_no_longer_rejected_is_ignored(fake: FakeAtsApi) -> None:
    _application(fake)["data"]["attributes"]["rejected-at"] = None
    meaning = ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert meaning == Ignored(why="the application is no longer rejected")


def test_a_rejection_without_a_reason_is_still_a_rejection(fake: FakeAtsApi) -> None:
    _application(fake)["data"]["relationships"]["reject-reason"] = {"data": None}
    meaning = ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.reason is None


def test_relations_missing_from_included_are_read_from_their_own_urls(fake: FakeAtsApi) -> None:
    document = _application(fake)
    included = {r["type"]: r for r in document.pop("included")}
    for relation, kind in (
        ("candidate", "candidates"),
        ("job", "jobs"),
        ("reject-reason", "reject-reasons"),
    ):
        fake.put(
            "teamtailor", f"/job-applications/{APPLICATION}/{relation}", {"data": included[kind]}
        )
    meaning = ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.role == "Frontend Developer"
    assert meaning.rejection.reason == "Another candidate had more relevant experience"
    assert len(fake.requests) == 4


def test_the_job_title_of_the_delivery_stands_in_for_a_missing_job(fake: FakeAtsApi) -> None:
    _application(fake)["data"]["relationships"]["job"] = {"data": None}
    meaning = ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.role == "Frontend Developer"


def test_snake_case_answers_are_read_too(fake: FakeAtsApi) -> None:
    reason = _included(fake, "reject-reasons")["attributes"]
    reason["rejected_by_company"] = reason.pop("rejected-by-company")
    reason["rejected_by_company"] = False
    meaning = ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert isinstance(meaning, Ignored)


def test_an_answer_without_a_candidate_address_is_unusable(fake: FakeAtsApi) -> None:
    _included(fake, "candidates")["attributes"]["email"] = None
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))


def test_an_answer_that_is_not_json_api_is_unusable(fake: FakeAtsApi) -> None:
    fake.put("teamtailor", f"/job-applications/{APPLICATION}", {"errors": []})
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))


def test_an_application_without_a_candidate_is_unusable(fake: FakeAtsApi) -> None:
    document = _application(fake)
    del document["data"]["relationships"]["candidate"]
    fake.put("teamtailor", f"/job-applications/{APPLICATION}/candidate", {"data": None})
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "teamtailor"), sample_needed("teamtailor.rejection"))
    assert fake.requests[-1].path == f"/job-applications/{APPLICATION}/candidate"


# --- reading the payload's text as sent -----------------------------------------------------------

_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    document=st.dictionaries(st.text(max_size=8), _JSON_VALUES, max_size=5),
    indent=st.sampled_from([None, 0, 2]),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]),
    ascii_only=st.booleans(),
)
def test_each_member_is_read_exactly_as_written(
    document: dict[str, Any], indent: int | None, separators: tuple[str, str], ascii_only: bool
) -> None:
    text = json.dumps(document, indent=indent, separators=separators, ensure_ascii=ascii_only)
    members = _raw_members(f" \n{text}\t")
    assert [key for key, _ in members] == list(document)
    for key, written in members:
        assert written in text
        assert json.loads(written) == document[key]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '"x"',
        "{",
        '{"a"}',
        '{"a":}',
        '{"a":1,}',
        '{"a":1 "b":2}',
        "{a:1}",
        '{"a":1} x',
        "{} {}",
    ],
)
def test_text_that_is_not_one_json_object_has_no_members(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (json's own errors are ValueErrors too)
        _raw_members(text)


def test_an_empty_object_has_no_members() -> None:
    assert _raw_members(" { } ") == []
