"""SmartRecruiters: the activation handshake, multi-entry v1 signatures over
timestamp.body.event-id.event-name.event-version.link (the documented example), exactly 202, and the
lookup that picks the assignment of the delivery's job."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bounceback.errors import AtsAnswerInvalidError, InvalidPayloadError, InvalidSignatureError
from bounceback.providers.base import HandshakeReply, Ignored, LookupNeeded, RejectionDelivery
from bounceback.providers.smartrecruiters import (
    ADAPTER,
    SmartRecruitersLookup,
    link_url,
    signature_hex,
    signed_bytes,
)
from bounceback_local import fake_ats
from bounceback_local.fake_ats import FakeAtsApi
from tests.unit.providers.helpers import NOW, SECRET
from tests.unit.providers.lookup_support import client, sample_needed

CANDIDATE = fake_ats.SMARTRECRUITERS_CANDIDATE
JOB = fake_ats.SMARTRECRUITERS_JOB
BODY = json.dumps({"job_id": JOB, "candidate_id": CANDIDATE}).encode()

# SmartRecruiters' documented example.
EXAMPLE_KEY = "HeBVky2bccvvkcXPimH8c"
EXAMPLE_BODY = b'{"job_id":"jid","candidate_id":"cid"}'
EXAMPLE_HEADERS = {
    "smartrecruiters-timestamp": "1574080897",
    "event-id": "123",
    "event-name": "application.created",
    "event-version": "v201910",
    "link": "<http://smartrecruiters.com/endpoint>; rel=self",
}
EXAMPLE_MOMENT = datetime.fromtimestamp(1574080897, tz=UTC)


def signed(body: bytes = BODY, *, secret: str = SECRET, now: datetime = NOW) -> dict[str, str]:
    return ADAPTER.signature_headers(body, secret, now, "event-1")


# --- the documented example -----------------------------------------------------------------------


def test_the_documented_example_gives_the_documented_digest() -> None:
    digest = signature_hex(EXAMPLE_KEY, EXAMPLE_HEADERS, EXAMPLE_BODY)
    assert digest.startswith("2e9291f1")
    assert signed_bytes(EXAMPLE_HEADERS, EXAMPLE_BODY) == (
        b"1574080897."
        + EXAMPLE_BODY
        + b".123.application.created.v201910.<http://smartrecruiters.com/endpoint>; rel=self"
    )
    # And verify accepts it with the example's own clock
    headers = {**EXAMPLE_HEADERS, "smartrecruiters-signature": f"v1={digest}"}
    ADAPTER.verify(headers, EXAMPLE_BODY, EXAMPLE_KEY, EXAMPLE_MOMENT)


def test_the_link_is_signed_with_its_brackets_as_sent() -> None:
    # The rendered doc page drops the brackets; only the header as sent gives the digest.
    without = {**EXAMPLE_HEADERS, "link": "http://smartrecruiters.com/endpoint; rel=self"}
    assert not signature_hex(EXAMPLE_KEY, without, EXAMPLE_BODY).startswith("2e9291f1")


# --- signature ------------------------------------------------------------------------------------


def test_a_good_signature_is_accepted() -> None:
    ADAPTER.verify(signed(), BODY, SECRET, NOW)


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(InvalidSignatureError, match="does not match"):
        ADAPTER.verify(signed(secret="other"), BODY, SECRET, NOW)


@pytest.mark.parametrize("header", ["event-id", "event-name", "event-version", "link"])
def test_every_signed_header_is_covered(header: str) -> None:
    headers = signed()
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({**headers, header: headers[header] + "x"}, BODY, SECRET, NOW)
    # A header sent empty is signed as empty: dropping it after signing fails too.
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({k: v for k, v in signed().items() if k != header}, BODY, SECRET, NOW)


def test_a_missing_header_is_signed_as_an_empty_string() -> None:
    headers = {"smartrecruiters-timestamp": str(int(NOW.timestamp())), "event-name": "x"}
    digest = signature_hex(SECRET, headers, BODY)
    message = f"{headers['smartrecruiters-timestamp']}.".encode() + BODY + b"..x.."
    assert digest == hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    ADAPTER.verify({**headers, "smartrecruiters-signature": f"v1={digest}"}, BODY, SECRET, NOW)


def test_a_changed_body_is_refused() -> None:
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify(signed(), BODY.replace(b"744", b"745"), SECRET, NOW)


@pytest.mark.parametrize("separator", [";", "; ", ","])
def test_any_entry_of_a_multi_entry_signature_may_match(separator: str) -> None:
    # While a rotated key lives on (up to 16), several v1 entries arrive.
    good = signed()["smartrecruiters-signature"]
    old = "v1=" + signature_hex("the-old-key", signed(), BODY)
    for value in (f"{old}{separator}{good}", f"{good}{separator}{old}"):
        ADAPTER.verify({**signed(), "smartrecruiters-signature": value}, BODY, SECRET, NOW)


def test_a_multi_entry_signature_without_a_match_is_refused() -> None:
    headers = signed()
    entries = ";".join("v1=" + signature_hex(f"key-{i}", headers, BODY) for i in range(16))
    with pytest.raises(InvalidSignatureError, match="does not match"):
        ADAPTER.verify({**headers, "smartrecruiters-signature": entries}, BODY, SECRET, NOW)


@pytest.mark.parametrize("header", ["smartrecruiters-signature", "smartrecruiters-timestamp"])
def test_the_signature_and_timestamp_are_required(header: str) -> None:
    with pytest.raises(InvalidSignatureError, match="missing"):
        ADAPTER.verify({k: v for k, v in signed().items() if k != header}, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "override",
    [
        {"smartrecruiters-signature": "v2=" + "0" * 64},
        {"smartrecruiters-signature": "v1=xyz"},
        {"smartrecruiters-signature": "0" * 64},
        {"smartrecruiters-timestamp": "yesterday"},
        {"smartrecruiters-timestamp": "1574080897.5"},
    ],
)
def test_a_malformed_signature_is_refused(override: dict[str, str]) -> None:
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({**signed(), **override}, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (timedelta(0), True),
        (timedelta(hours=24, minutes=30), True),  # SmartRecruiters' last retry comes after 24 h
        (timedelta(hours=25, seconds=1), False),
        (-timedelta(minutes=4), True),
        (-timedelta(minutes=5, seconds=1), False),
    ],
)
def test_replay_window_is_25_hours_back_and_5_minutes_ahead(age: timedelta, accepted: bool) -> None:
    headers = signed(now=NOW - age)
    if accepted:
        ADAPTER.verify(headers, BODY, SECRET, NOW)
    else:
        with pytest.raises(InvalidSignatureError, match=r"old|future"):
            ADAPTER.verify(headers, BODY, SECRET, NOW)


# --- handshake and success ------------------------------------------------------------------------


def test_activation_echoes_the_hook_secret_with_200_without_a_signature() -> None:
    reply = ADAPTER.handshake({"x-hook-secret": "abc123-XYZ"}, b"")
    assert reply == HandshakeReply(status=200, headers={"X-Hook-Secret": "abc123-XYZ"})


@pytest.mark.parametrize("value", ["", "   ", "a\r\nSet-Cookie: x=1", "x" * 600, "sp ace"])
def test_a_hook_secret_that_cannot_be_echoed_safely_is_no_handshake(value: str) -> None:
    assert ADAPTER.handshake({"x-hook-secret": value}, b"") is None


def test_an_event_is_not_a_handshake() -> None:
    assert ADAPTER.handshake(signed(), BODY) is None


def test_success_is_exactly_202() -> None:
    assert ADAPTER.success_status == 202


# --- interpretation -------------------------------------------------------------------------------


def test_a_status_update_needs_a_lookup_keyed_on_the_event_id() -> None:
    headers = signed()
    assert ADAPTER.interpret(headers, BODY) == LookupNeeded(
        dedupe_key="smartrecruiters:event-1",
        application_key=f"smartrecruiters:{CANDIDATE}:{JOB}",
        lookup=SmartRecruitersLookup(
            candidate_id=CANDIDATE,
            job_id=JOB,
            link=f"https://api.smartrecruiters.com/candidates/{CANDIDATE}/jobs/{JOB}",
            timestamp=str(int(NOW.timestamp())),
        ),
    )


def test_camel_case_ids_are_read_too() -> None:
    body = json.dumps({"jobId": "j-9", "candidateId": "c-9"}).encode()
    meaning = ADAPTER.interpret(signed(body), body)
    assert isinstance(meaning, LookupNeeded)
    assert meaning.application_key == "smartrecruiters:c-9:j-9"


def test_an_id_only_body_takes_the_ids_from_the_signed_link() -> None:
    body = b'{"id": "application-1"}'
    headers = {
        **signed(body),
        "link": "<https://api.smartrecruiters.com/candidates/c%2D7/jobs/j-7>; rel=self",
    }
    meaning = ADAPTER.interpret(headers, body)
    assert isinstance(meaning, LookupNeeded)
    assert meaning.application_key == "smartrecruiters:c-7:j-7"


def test_without_an_event_id_the_key_is_left_to_the_lookup() -> None:
    headers = {k: v for k, v in signed().items() if k != "event-id"}
    meaning = ADAPTER.interpret(headers, BODY)
    assert isinstance(meaning, LookupNeeded)
    assert meaning.dedupe_key is None


@pytest.mark.parametrize("event", ["application.created", "job.updated", ""])
def test_other_events_are_ignored(event: str) -> None:
    assert isinstance(ADAPTER.interpret({**signed(), "event-name": event}, BODY), Ignored)


@pytest.mark.parametrize("body", [b"{}", b'{"job_id": "j"}', b'{"id": "x"}', b'{"job_id": []}'])
def test_a_status_update_without_ids_is_an_invalid_payload(body: bytes) -> None:
    headers = {**signed(body), "link": "<https://api.smartrecruiters.com/elsewhere>; rel=self"}
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret(headers, body)


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("<https://a.example/x>; rel=self", "https://a.example/x"),
        ('<https://a.example/x>; rel="self"', "https://a.example/x"),
        ("<https://a.example/y>; rel=next, <https://a.example/x>; rel=self", "https://a.example/x"),
        ("<https://a.example/x>", "https://a.example/x"),
        ("https://a.example/x; rel=self", None),
        (None, None),
    ],
)
def test_link_url_reads_the_self_entry(value: str | None, url: str | None) -> None:
    assert link_url(value) == url


# --- lookups --------------------------------------------------------------------------------------


def _candidate(fake: FakeAtsApi) -> dict[str, Any]:
    document: dict[str, Any] = fake.state.documents["smartrecruiters"][f"/candidates/{CANDIDATE}"]
    return document


def test_the_assignment_of_the_deliverys_job_is_used_not_the_primary(fake: FakeAtsApi) -> None:
    # Given a candidate whose primary application (another job) is in review, and whose
    # application to the delivery's job is rejected
    assert _candidate(fake)["primaryAssignment"]["status"] == "IN_REVIEW"
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    # Then the rejection is that job's
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.role == "Product Designer"
    assert meaning.rejection.stage == "Final interview"


def test_a_primary_assignment_of_another_job_that_is_rejected_is_not_used(fake: FakeAtsApi) -> None:
    candidate = _candidate(fake)
    candidate["primaryAssignment"]["status"] = "REJECTED"
    candidate["secondaryAssignments"][0]["status"] = "INTERVIEW"
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, Ignored)


@pytest.mark.parametrize("status", ["WITHDRAWN", "HIRED", "OFFER", "IN_REVIEW", "LEAD", ""])
def test_only_rejected_is_a_rejection(fake: FakeAtsApi, status: str) -> None:
    _candidate(fake)["secondaryAssignments"][0]["status"] = status
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, Ignored)


def test_reason_for_rejection_is_read_too(fake: FakeAtsApi) -> None:
    assignment = _candidate(fake)["secondaryAssignments"][0]
    del assignment["reasonOfRejection"]
    assignment["reasonForRejection"] = {"id": "rr-3", "label": "Skills mismatch"}
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.reason == "Skills mismatch"


def test_a_reason_given_by_id_only_is_named_from_the_accounts_list(fake: FakeAtsApi) -> None:
    _candidate(fake)["secondaryAssignments"][0]["reasonOfRejection"] = {"id": "rr-12"}
    fake.put(
        "smartrecruiters",
        "/configuration/rejection-reasons",
        {
            "content": [
                {"id": "rr-1", "label": "Other"},
                {"id": "rr-12", "label": "Position filled"},
            ]
        },
    )
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.reason == "Position filled"


def test_an_application_missing_from_the_candidate_is_read_from_the_ids(fake: FakeAtsApi) -> None:
    # Given the candidate lists no assignment of the job; the signed Link points at the public
    # API, which is not this connection's base: the URL is built from the ids instead
    candidate = _candidate(fake)
    application = candidate.pop("secondaryAssignments")[0]
    fake.put("smartrecruiters", f"/candidates/{CANDIDATE}/jobs/{JOB}", application)
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, RejectionDelivery)
    assert f"/candidates/{CANDIDATE}/jobs/{JOB}" in [r.path for r in fake.requests]


def test_a_link_under_the_base_is_followed(fake: FakeAtsApi) -> None:
    candidate = _candidate(fake)
    application = candidate.pop("secondaryAssignments")[0]
    fake.put("smartrecruiters", "/applications/a-1", application)
    needed = sample_needed("smartrecruiters.rejection")
    assert isinstance(needed.lookup, SmartRecruitersLookup)
    linked = needed.model_copy(
        update={
            "lookup": needed.lookup.model_copy(
                update={"link": fake.base_url("smartrecruiters") + "/applications/a-1"}
            )
        }
    )
    meaning = ADAPTER.lookup(client(fake, "smartrecruiters"), linked)
    assert isinstance(meaning, RejectionDelivery)
    assert "/applications/a-1" in [r.path for r in fake.requests]


def test_a_link_elsewhere_is_never_followed(fake: FakeAtsApi) -> None:
    with FakeAtsApi(keys={"smartrecruiters": fake.key("smartrecruiters")}) as foreign:
        _candidate(fake).pop("secondaryAssignments")
        needed = sample_needed("smartrecruiters.rejection")
        assert isinstance(needed.lookup, SmartRecruitersLookup)
        elsewhere = needed.model_copy(
            update={
                "lookup": needed.lookup.model_copy(
                    update={"link": foreign.base_url("smartrecruiters") + "/candidates/x/jobs/y"}
                )
            }
        )
        fake.put(
            "smartrecruiters",
            f"/candidates/{CANDIDATE}/jobs/{JOB}",
            {"job": {"id": JOB, "title": "Product Designer"}, "status": "REJECTED"},
        )
        meaning = ADAPTER.lookup(client(fake, "smartrecruiters"), elsewhere)
        assert isinstance(meaning, RejectionDelivery)
        assert foreign.requests == []


def test_a_job_title_missing_from_the_assignment_is_read_from_the_job(fake: FakeAtsApi) -> None:
    del _candidate(fake)["secondaryAssignments"][0]["job"]["title"]
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.role == "Product Designer"
    assert f"/jobs/{JOB}" in [r.path for r in fake.requests]


def test_the_rejection_time_comes_from_the_status_history(fake: FakeAtsApi) -> None:
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.rejected_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)


def test_without_a_history_the_delivery_timestamp_is_the_rejection_time(fake: FakeAtsApi) -> None:
    fake.remove("smartrecruiters", f"/candidates/{CANDIDATE}/status/history")
    meaning = ADAPTER.lookup(
        client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection")
    )
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.rejected_at == NOW


def test_without_an_event_id_the_key_is_the_application_and_its_rejection_time(
    fake: FakeAtsApi,
) -> None:
    headers = {k: v for k, v in signed().items() if k != "event-id"}
    needed = ADAPTER.interpret(headers, BODY)
    assert isinstance(needed, LookupNeeded)
    meaning = ADAPTER.lookup(client(fake, "smartrecruiters"), needed)
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.dedupe_key == f"smartrecruiters:{CANDIDATE}:{JOB}:2025-03-14T10:00:00.000Z"
    fake.remove("smartrecruiters", f"/candidates/{CANDIDATE}/status/history")
    again = ADAPTER.lookup(client(fake, "smartrecruiters"), needed)
    assert isinstance(again, RejectionDelivery)
    assert again.dedupe_key == f"smartrecruiters:{CANDIDATE}:{JOB}:{int(NOW.timestamp())}"


def test_a_candidate_without_an_address_is_unusable(fake: FakeAtsApi) -> None:
    _candidate(fake)["email"] = "not an address"
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "smartrecruiters"), sample_needed("smartrecruiters.rejection"))
