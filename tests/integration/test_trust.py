"""Trust rules at the store and the workflow, deterministically: proven addresses, codes,
writes refused for a deleted rejection, and an email claimed before it is sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bounceback import accounts, verification
from bounceback.errors import ConflictError, InvalidRequestError, TooManyRequestsError
from bounceback.model import Notification, NotificationKind
from bounceback.services import services
from bounceback.workflow.notify import EMAIL_LEASE, EmailInFlightError, deliver
from tests.support.cloud import Cloud, iter_kinds
from tests.support.seed import seed_profile, seed_rejection

NOW = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
ADA = "ada@example.com"


def save(user: str, emails: list[str], token_email: str | None = None) -> object:
    return accounts.save_profile(
        services(),
        user_id=user,
        token_email=token_email,
        display_name=user,
        emails=emails,
        timezone="UTC",
        email_notifications=True,
        now=NOW,
    )


def mails_to(cloud: Cloud, address: str) -> list[str]:
    """The subject and text of every email sent to ``address``."""
    return [
        f"{m.subject}\n{m.body}"
        for m in cloud.emails()
        if address in m.destinations.get("ToAddresses", [])
    ]


def last_code(cloud: Cloud, address: str) -> str:
    found = re.findall(r"\b(\d{6})\b", mails_to(cloud, address)[-1])
    return str(found[0])


# ------------------------------------------------------------------ ownership
def test_only_a_proven_address_finds_its_user(cloud: Cloud) -> None:
    save("mallory", [ADA])
    assert services().profiles.find_user_by_email(ADA) is None
    save("ada", [ADA], token_email=ADA)
    assert services().profiles.find_user_by_email(ADA) == "ada"
    # Mallory's naming it again changes nothing, and is answered the same.
    again = save("mallory", [ADA, "m@example.com"])
    assert again.verified_emails == ()  # type: ignore[attr-defined]
    assert services().profiles.find_user_by_email(ADA) == "ada"


def test_a_token_email_another_account_owns_stays_unverified_silently(cloud: Cloud) -> None:
    save("ada", [ADA], token_email=ADA)
    twin = save("twin", [ADA], token_email=ADA)
    assert twin.verified_emails == ()  # type: ignore[attr-defined]
    assert services().profiles.find_user_by_email(ADA) == "ada"


def test_an_address_stored_before_verification_routes_nothing_until_proved(cloud: Cloud) -> None:
    # An item from before addresses were verified: a claim without ``verified``.
    cloud.dynamodb.put_item(
        TableName=cloud.table,
        Item={
            "PK": {"S": f"EMAIL#{ADA}"},
            "SK": {"S": "EMAIL"},
            "type": {"S": "email"},
            "user_id": {"S": "old-user"},
        },
    )
    assert services().profiles.find_user_by_email(ADA) is None
    save("ada", [ADA], token_email=ADA)  # a proof takes it over
    assert services().profiles.find_user_by_email(ADA) == "ada"


def test_removing_a_verified_address_gives_it_back(cloud: Cloud) -> None:
    save("ada", [ADA, "other@example.com"], token_email=ADA)
    save("ada", ["other@example.com"])
    assert services().profiles.find_user_by_email(ADA) is None


# ------------------------------------------------------------------ codes
def test_a_code_proves_an_address_once(cloud: Cloud) -> None:
    save("ada", [ADA])
    code = last_code(cloud, ADA)
    item = services().profiles.get_code("ada", ADA)
    assert item is not None
    assert code not in item.model_dump_json()  # only its salted hash is kept
    profile = verification.verify_code(services(), "ada", ADA, code, NOW)
    assert profile.verified_emails == (ADA,)
    assert services().profiles.get_code("ada", ADA) is None  # used up


def test_a_wrong_code_counts_and_the_fifth_locks_the_address(cloud: Cloud) -> None:
    save("ada", [ADA])
    code = last_code(cloud, ADA)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidRequestError):
            verification.verify_code(services(), "ada", ADA, wrong, NOW)
    with pytest.raises(TooManyRequestsError):
        verification.verify_code(services(), "ada", ADA, code, NOW)
    verification.request_code(services(), "ada", ADA, NOW + timedelta(seconds=1))
    fresh = last_code(cloud, ADA)
    assert verification.verify_code(services(), "ada", ADA, fresh, NOW).verified_emails == (ADA,)


def test_an_expired_code_is_refused(cloud: Cloud) -> None:
    save("ada", [ADA])
    code = last_code(cloud, ADA)
    later = NOW + verification.CODE_VALID + timedelta(seconds=1)
    with pytest.raises(InvalidRequestError, match="expired"):
        verification.verify_code(services(), "ada", ADA, code, later)


def test_codes_are_bounded_per_address(cloud: Cloud) -> None:
    save("ada", [ADA])
    with pytest.raises(TooManyRequestsError):  # within a minute of the first
        verification.request_code(services(), "ada", ADA, NOW + timedelta(seconds=30))
    moment = NOW
    for _ in range(verification.CODES_PER_DAY - 1):
        moment += timedelta(minutes=2)
        verification.request_code(services(), "ada", ADA, moment)
    with pytest.raises(TooManyRequestsError, match="today"):
        verification.request_code(services(), "ada", ADA, moment + timedelta(minutes=2))
    assert len(mails_to(cloud, ADA)) == verification.CODES_PER_DAY


def test_a_proof_of_an_address_another_account_owns_is_a_conflict(cloud: Cloud) -> None:
    save("mallory", [ADA])
    code = last_code(cloud, ADA)
    save("ada", [ADA], token_email=ADA)
    with pytest.raises(ConflictError, match="another account"):
        verification.verify_code(services(), "mallory", ADA, code, NOW)


# ------------------------------------------------------------------ deletes that stick
def note(kind: NotificationKind = NotificationKind.ENCOURAGEMENT) -> Notification:
    rejection = "r-trust"
    return Notification(
        id=f"{kind.value}-{rejection}",
        user_id="ada",
        kind=kind,
        title="Title",
        body="Body",
        created_at=NOW,
        rejection_id=rejection,
    )


def test_a_step_writes_nothing_for_a_rejection_being_deleted(cloud: Cloud) -> None:
    seed_profile("ada")
    seed_rejection("ada", "r-trust", now=NOW)
    from bounceback.store.rejections import mark_deleting
    from bounceback.store.table import Table

    table = Table(cloud.dynamodb, cloud.table)
    assert mark_deleting(table, "ada", "r-trust", NOW)  # a delete has begun

    assert deliver(services(), note(), NOW) is False
    assert list(iter_kinds(cloud.items(), "notification")) == []
    assert cloud.emails() == []


def test_an_email_claimed_by_one_copy_is_not_sent_by_another(cloud: Cloud) -> None:
    seed_profile("ada")
    seed_rejection("ada", "r-trust", now=NOW)
    notification = note()
    assert services().notifications.add(notification) is not None

    # Leases run on the machine's clock: how long ago the holder started, not the event's time.
    held_at = datetime.now(UTC)
    first = services().notifications.claim_email(notification, held_at, EMAIL_LEASE)
    second = services().notifications.claim_email(notification, held_at, EMAIL_LEASE)
    assert (first, second) == ("claimed", "in_flight")
    with pytest.raises(EmailInFlightError):
        deliver(services(), notification, NOW)
    assert cloud.emails() == []


def test_a_retry_of_the_same_event_takes_over_the_email_of_a_holder_that_died(
    cloud: Cloud,
) -> None:
    seed_profile("ada")
    seed_rejection("ada", "r-trust", now=NOW)
    notification = note()
    assert services().notifications.add(notification) is not None
    # A copy of the step claimed the email a minute ago and died (timed out) before sending.
    died_at = datetime.now(UTC) - timedelta(minutes=1)
    assert services().notifications.claim_email(notification, died_at, EMAIL_LEASE) == "claimed"

    # The retry carries the same event, so the same event time: the lease is over all the same.
    assert deliver(services(), notification, NOW) is False
    assert len(cloud.emails()) == 1
    assert deliver(services(), notification, NOW) is False
    assert len(cloud.emails()) == 1


def test_notifications_go_to_the_first_verified_address_only(cloud: Cloud) -> None:
    save("ada", ["unproved@example.com", ADA], token_email=ADA)
    seed_rejection("ada", "r-trust", now=NOW)
    codes = mails_to(cloud, "unproved@example.com")
    deliver(services(), note(), NOW)
    assert len(mails_to(cloud, ADA)) == 1
    assert mails_to(cloud, "unproved@example.com") == codes  # the code, nothing more


def test_an_email_sent_is_marked_sent_even_through_throttling(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bounceback.store.notifications import NotificationStore
    from bounceback.workflow import notify

    seed_profile("ada")
    seed_rejection("ada", "r-trust", now=NOW)
    real = NotificationStore.set_email_status
    failures = iter([True, True, False])

    def throttled(self: NotificationStore, *args: object, **kwargs: object) -> None:
        if next(failures, False):
            raise RuntimeError("ThrottlingException")
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(NotificationStore, "set_email_status", throttled)
    monkeypatch.setattr(notify.time, "sleep", lambda seconds: None)

    assert deliver(services(), note(), NOW) is True
    # Marked sent: a retry long after the lease sends nothing more.
    assert deliver(services(), note(), NOW + timedelta(hours=1)) is False
    assert len(mails_to(cloud, ADA)) == 1
