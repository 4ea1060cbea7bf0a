"""Lever: the body signature over token + triggeredAt with its replay window, what an archive
change means, and what the API says about it (hired vs rejected, unarchive as withdrawal)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bounceback.errors import AtsAnswerInvalidError, InvalidPayloadError, InvalidSignatureError
from bounceback.providers.base import (
    Ignored,
    LookupNeeded,
    RejectionDelivery,
    RejectionWithdrawn,
)
from bounceback.providers.lever import ADAPTER, LeverLookup, sign_body
from bounceback_local import fake_ats
from bounceback_local.fake_ats import FakeAtsApi
from tests.unit.providers.helpers import NOW, SECRET
from tests.unit.providers.lookup_support import client, sample_needed

OPPORTUNITY = fake_ats.LEVER_OPPORTUNITY
TOKEN = "b2c1d0e9f8a7"
ARCHIVED = {"archivedAt": fake_ats.LEVER_ARCHIVED_AT_MS, "reason": fake_ats.LEVER_NON_HIRED_REASON}


def delivery(
    to_archived: dict[str, Any] | None = ARCHIVED,
    *,
    event: str = "candidateArchiveChange",
    now: datetime = NOW,
    secret: str = SECRET,
    data: dict[str, Any] | None = None,
) -> bytes:
    payload = {
        "event": event,
        "data": data
        if data is not None
        else {
            "opportunityId": OPPORTUNITY,
            "candidateId": OPPORTUNITY,
            "contactId": "contact-1",
            "fromArchived": None if to_archived else ARCHIVED,
            "toArchived": to_archived,
        },
    }
    return sign_body(payload, secret, token=TOKEN, now=now)


def with_fields(body: bytes, **changes: Any) -> bytes:
    document = json.loads(body)
    document.update(changes)
    return json.dumps(document).encode()


# --- signature ------------------------------------------------------------------------------------


def test_signature_is_hmac_of_token_and_triggered_at() -> None:
    # Given a body signed by hand, as Lever's documentation describes
    triggered = int(NOW.timestamp() * 1000)
    digest = hmac.new(SECRET.encode(), f"{TOKEN}{triggered}".encode(), hashlib.sha256).hexdigest()
    body = json.dumps(
        {"event": "candidateArchiveChange", "data": {}, "token": TOKEN,
         "triggeredAt": triggered, "signature": digest}
    ).encode()  # fmt: skip
    # When verified / Then accepted, and our own signer produces the same
    ADAPTER.verify({}, body, SECRET, NOW)
    assert json.loads(delivery(data={}))["signature"] == digest


def test_a_good_signature_is_accepted() -> None:
    ADAPTER.verify({}, delivery(), SECRET, NOW)


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(InvalidSignatureError, match="does not match"):
        ADAPTER.verify({}, delivery(secret="another-secret"), SECRET, NOW)


@pytest.mark.parametrize("field", ["token", "signature", "triggeredAt"])
def test_each_part_of_the_signature_is_required(field: str) -> None:
    document = json.loads(delivery())
    del document[field]
    with pytest.raises(InvalidSignatureError, match="missing"):
        ADAPTER.verify({}, json.dumps(document).encode(), SECRET, NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"token": "another-token"},
        {"triggeredAt": int(NOW.timestamp() * 1000) + 1},
        {"signature": "0" * 64},
    ],
)
def test_a_changed_token_time_or_signature_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, with_fields(delivery(), **changes), SECRET, NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"signature": "not-hex"},
        {"signature": 12},
        {"token": ""},
        {"token": None},
        {"triggeredAt": 1.5},
        {"triggeredAt": True},
        {"triggeredAt": "yesterday"},
        {"triggeredAt": -5},
    ],
)
def test_a_malformed_signature_part_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, with_fields(delivery(), **changes), SECRET, NOW)


def test_triggered_at_sent_as_a_string_verifies_as_its_digits() -> None:
    body = delivery()
    as_string = with_fields(body, triggeredAt=str(json.loads(body)["triggeredAt"]))
    ADAPTER.verify({}, as_string, SECRET, NOW)


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b"[" * 50_000])
def test_a_body_without_a_readable_signature_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidSignatureError):
        ADAPTER.verify({}, body, SECRET, NOW)


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59), True),
        (timedelta(hours=24, seconds=1), False),
        (timedelta(days=30), False),
        (-timedelta(minutes=4), True),
        (-timedelta(minutes=5, seconds=1), False),
    ],
)
def test_replay_window_is_24_hours_back_and_5_minutes_ahead(age: timedelta, accepted: bool) -> None:
    body = delivery(now=NOW - age)
    if accepted:
        ADAPTER.verify({}, body, SECRET, NOW)
    else:
        with pytest.raises(InvalidSignatureError, match=r"old|future"):
            ADAPTER.verify({}, body, SECRET, NOW)


def test_data_is_not_signed_so_nothing_in_it_is_trusted_beyond_ids() -> None:
    # Lever signs token + triggeredAt only: a changed data still verifies. That is why the
    # archive state, reason and job come from the API, never from data.
    body = delivery()
    forged = with_fields(body, data={"opportunityId": OPPORTUNITY, "toArchived": None})
    ADAPTER.verify({}, forged, SECRET, NOW)


def test_lever_sends_no_signature_header() -> None:
    assert ADAPTER.signature_headers(delivery(), SECRET, NOW, "d-1") == {}
    assert ADAPTER.handshake({}, delivery(data={})) is None


# --- interpretation -------------------------------------------------------------------------------


def test_an_archive_needs_a_lookup_keyed_as_providers_md_says() -> None:
    meaning = ADAPTER.interpret({}, delivery())
    assert meaning == LookupNeeded(
        dedupe_key=f"lever:{OPPORTUNITY}:{fake_ats.LEVER_ARCHIVED_AT_MS}",
        application_key=f"lever:{OPPORTUNITY}",
        lookup=LeverLookup(
            opportunity_id=OPPORTUNITY,
            archived=True,
            reason_id=fake_ats.LEVER_NON_HIRED_REASON,
            archived_at_ms=fake_ats.LEVER_ARCHIVED_AT_MS,
            triggered_at_ms=int(NOW.timestamp() * 1000),
        ),
    )


def test_an_unarchive_needs_a_lookup_to_confirm_the_withdrawal() -> None:
    meaning = ADAPTER.interpret({}, delivery(None))
    assert isinstance(meaning, LookupNeeded)
    assert isinstance(meaning.lookup, LeverLookup)
    assert meaning.lookup.archived is False
    assert meaning.application_key == f"lever:{OPPORTUNITY}"
    assert meaning.dedupe_key == f"lever:{OPPORTUNITY}:unarchived:{int(NOW.timestamp() * 1000)}"


def test_the_legacy_candidate_id_names_the_opportunity_when_alone() -> None:
    body = delivery(data={"candidateId": "opp-legacy", "toArchived": ARCHIVED})
    meaning = ADAPTER.interpret({}, body)
    assert isinstance(meaning, LookupNeeded)
    assert meaning.application_key == "lever:opp-legacy"


def test_an_archive_without_archived_at_leaves_the_key_to_the_lookup() -> None:
    meaning = ADAPTER.interpret({}, delivery({"reason": fake_ats.LEVER_NON_HIRED_REASON}))
    assert isinstance(meaning, LookupNeeded)
    assert meaning.dedupe_key is None


@pytest.mark.parametrize("data", [{}, None])
def test_a_connection_test_with_empty_data_is_ignored(data: dict[str, Any] | None) -> None:
    body = sign_body(
        {"event": "candidateArchiveChange", "data": data}, SECRET, token=TOKEN, now=NOW
    )
    ADAPTER.verify({}, body, SECRET, NOW)
    assert isinstance(ADAPTER.interpret({}, body), Ignored)


@pytest.mark.parametrize("event", ["candidateStageChange", "candidateHired", "applicationCreated"])
def test_other_events_are_ignored(event: str) -> None:
    assert isinstance(ADAPTER.interpret({}, delivery(event=event)), Ignored)


@pytest.mark.parametrize(
    "data",
    [
        {"opportunityId": OPPORTUNITY},  # no toArchived at all
        {"toArchived": ARCHIVED},  # no opportunity
        {"opportunityId": "  ", "toArchived": ARCHIVED},
        {"opportunityId": OPPORTUNITY, "toArchived": "archived"},
    ],
)
def test_an_archive_change_that_cannot_be_read_is_an_invalid_payload(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidPayloadError):
        ADAPTER.interpret({}, delivery(data=data))


# --- lookups --------------------------------------------------------------------------------------


def _opportunity(fake: FakeAtsApi) -> dict[str, Any]:
    document: dict[str, Any] = fake.state.documents["lever"][f"/opportunities/{OPPORTUNITY}"]
    return document["data"]


def test_the_lookup_asks_for_the_expanded_opportunity_posting_and_reason(fake: FakeAtsApi) -> None:
    ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    asked = [(r.path, dict(r.query)) for r in fake.requests]
    assert asked == [
        (f"/opportunities/{OPPORTUNITY}", {"expand": ["applications"]}),
        (f"/archive_reasons/{fake_ats.LEVER_NON_HIRED_REASON}", {}),
        (f"/postings/{fake_ats.LEVER_POSTING}", {}),
    ]


def test_an_archive_as_hired_is_not_a_rejection(fake: FakeAtsApi) -> None:
    # Given the opportunity archived with the account's "Hired" reason
    _opportunity(fake)["archived"]["reason"] = fake_ats.LEVER_HIRED_REASON
    # When looked up / Then ignored: Lever archives hires too
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    assert meaning == Ignored(why="archived as hired")


def test_the_apis_reason_wins_over_the_unsigned_delivery(fake: FakeAtsApi) -> None:
    # The delivery says non-hired, the API's current archive says hired: the API decides.
    _opportunity(fake)["archived"]["reason"] = fake_ats.LEVER_HIRED_REASON
    needed = ADAPTER.interpret({}, delivery())
    assert isinstance(needed, LookupNeeded)
    assert isinstance(ADAPTER.lookup(client(fake, "lever"), needed), Ignored)


def test_an_archive_reason_of_unknown_type_is_never_guessed(fake: FakeAtsApi) -> None:
    path = f"/archive_reasons/{fake_ats.LEVER_NON_HIRED_REASON}"
    fake.put("lever", path, {"data": {"id": "r", "text": "Other", "type": "mystery"}})
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))


def test_an_opportunity_unarchived_since_is_ignored(fake: FakeAtsApi) -> None:
    _opportunity(fake)["archived"] = None
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    assert meaning == Ignored(why="the opportunity is no longer archived")


def test_the_key_follows_the_apis_archived_at(fake: FakeAtsApi) -> None:
    # Archived again later: a retry of the first delivery logs the current archive under its
    # own time, and that archive's own delivery then collapses into it.
    later = fake_ats.LEVER_ARCHIVED_AT_MS + 86_400_000
    _opportunity(fake)["archived"]["archivedAt"] = later
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.dedupe_key == f"lever:{OPPORTUNITY}:{later}"
    assert meaning.rejection.rejected_at == datetime.fromtimestamp(later / 1000, tz=UTC)


def test_an_unarchive_confirmed_by_the_api_withdraws_the_rejection(fake: FakeAtsApi) -> None:
    _opportunity(fake)["archived"] = None
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.unarchive"))
    assert meaning == RejectionWithdrawn(
        dedupe_key=f"lever:{OPPORTUNITY}:unarchived:{int(NOW.timestamp() * 1000)}",
        emails=("ada@example.com",),
        application_key=f"lever:{OPPORTUNITY}",
    )
    # One call: an unarchive needs neither the posting nor the reason.
    assert len(fake.requests) == 1


def test_an_unarchive_the_api_contradicts_is_ignored(fake: FakeAtsApi) -> None:
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.unarchive"))
    assert meaning == Ignored(why="the opportunity is archived again")


def test_applications_given_as_ids_are_listed(fake: FakeAtsApi) -> None:
    opportunity = _opportunity(fake)
    application = opportunity["applications"][0]
    opportunity["applications"] = [application["id"]]
    fake.put("lever", f"/opportunities/{OPPORTUNITY}/applications", {"data": [application]})
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.role == "Senior Data Engineer"


def test_an_expanded_posting_with_its_text_needs_no_further_call(fake: FakeAtsApi) -> None:
    _opportunity(fake)["applications"][0]["posting"] = {"id": "p", "text": "Staff Engineer"}
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.role == "Staff Engineer"
    assert not any(r.path.startswith("/postings") for r in fake.requests)


def test_every_address_of_the_opportunity_is_offered(fake: FakeAtsApi) -> None:
    _opportunity(fake)["emails"] = ["Ada@Example.com", "not-an-address", "ada@work.example.com"]
    meaning = ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
    assert isinstance(meaning, RejectionDelivery)
    assert meaning.rejection.emails == ("ada@example.com", "ada@work.example.com")


@pytest.mark.parametrize(
    "change",
    [
        {"emails": [], "applications": []},  # no address anywhere
        {"applications": []},  # no job
        {"archived": {"archivedAt": fake_ats.LEVER_ARCHIVED_AT_MS, "reason": None}},
    ],
)
def test_an_answer_without_what_a_rejection_needs_is_unusable(
    fake: FakeAtsApi, change: dict[str, Any]
) -> None:
    _opportunity(fake).update(change)
    needed = ADAPTER.interpret({}, delivery({"archivedAt": fake_ats.LEVER_ARCHIVED_AT_MS}))
    assert isinstance(needed, LookupNeeded)
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "lever"), needed)


def test_an_answer_not_wrapped_in_data_is_unusable(fake: FakeAtsApi) -> None:
    fake.put("lever", f"/opportunities/{OPPORTUNITY}", _opportunity(fake))
    with pytest.raises(AtsAnswerInvalidError):
        ADAPTER.lookup(client(fake, "lever"), sample_needed("lever.rejection"))
