"""A sample of events/webhooks/ as its provider would send it now: verified at the stack's time,
its rejection from the last day (not from the day the sample was written), for the candidate
asked for, and (for the providers that send ids) read back from documents that name them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bounceback.errors import InvalidSignatureError
from bounceback.providers.ats_api import AtsApiClient
from bounceback.providers.base import LookupNeeded, RejectionDelivery, SignedSender
from bounceback.providers.registry import LOOKUP_PROVIDERS, PROVIDERS
from bounceback_local.fake_ats import SAMPLE_EMAIL, FakeAtsApi
from bounceback_local.sample_delivery import (
    SAMPLES,
    Delivery,
    days_to,
    latest,
    load,
    prepare,
    shift_dates,
)
from tests.unit.providers.lookup_support import FAST

ALL = sorted({*PROVIDERS, *LOOKUP_PROVIDERS})
NOW = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)  # the samples were delivered on 2025-03-14
# Verifiers that sign a time refuse a stale signature: the sample file, sent as it is, fails.
CHECKS_TIME = {"standard", "lever", "teamtailor", "smartrecruiters"}


def _adapter(provider: str) -> SignedSender:
    found: SignedSender | None = PROVIDERS.get(provider) or LOOKUP_PROVIDERS.get(provider)
    assert found is not None
    return found


# A secret of the form each provider's connections hold (Standard Webhooks: whsec_...).
SECRETS = {provider: _adapter(provider).new_secret() for provider in ALL}


def _rejection(provider: str, delivery: Delivery) -> RejectionDelivery:
    """What the stack makes of the delivery: read from the body, or looked up in the documents
    a fake ATS answers."""
    direct = PROVIDERS.get(provider)
    if direct is not None:
        meaning = direct.interpret(delivery.headers, delivery.raw)
        assert isinstance(meaning, RejectionDelivery)
        return meaning
    lookup = LOOKUP_PROVIDERS[provider]
    needed = lookup.interpret(delivery.headers, delivery.raw)
    assert isinstance(needed, LookupNeeded)
    assert delivery.documents is not None
    with FakeAtsApi({provider: delivery.documents}) as fake:
        client = AtsApiClient(
            fake.base_url(provider),
            lookup.auth_headers(fake.key(provider)),
            settings=FAST,
            sleep=lambda _: None,
        )
        found = lookup.lookup(client, needed)
    assert isinstance(found, RejectionDelivery), found
    return found


@pytest.mark.parametrize("provider", ALL)
def test_the_sample_is_sent_as_the_provider_would_send_it_now(provider: str) -> None:
    sample = load(provider)
    adapter = _adapter(provider)

    # When the sample is made ready to send now, to another candidate
    delivery = prepare(sample, secret=SECRETS[provider], now=NOW, email="grace@example.com")

    # Then it verifies at the stack's time with the connection's secret, and not with another
    adapter.verify(delivery.headers, delivery.raw, SECRETS[provider], NOW)
    with pytest.raises(InvalidSignatureError):
        adapter.verify(delivery.headers, delivery.raw, adapter.new_secret(), NOW)
    # ... and it is the same rejection, for that candidate, from yesterday (Teamtailor: three
    # days before, as the candidate may hear of it since yesterday), not from 2025
    rejection = _rejection(provider, delivery).rejection
    assert "grace@example.com" in rejection.emails
    assert SAMPLE_EMAIL not in rejection.emails
    assert rejection.rejected_at is not None
    days_before = 4 if provider == "teamtailor" else 1
    assert rejection.rejected_at.astimezone(UTC).date() == NOW.date() - timedelta(days_before)


@pytest.mark.parametrize("provider", sorted(CHECKS_TIME))
def test_the_sample_file_as_it_is_would_be_refused_now(provider: str) -> None:
    # The reason the dates move: a signature from 2025 is outside every replay window
    sample = load(provider)
    secret = json.loads((SAMPLES / "secrets.json").read_text(encoding="utf-8"))[provider]
    adapter = _adapter(provider)
    assert sample.delivered_at is not None
    adapter.verify(sample.headers, sample.raw, secret, sample.delivered_at)
    with pytest.raises(InvalidSignatureError):
        adapter.verify(sample.headers, sample.raw, secret, NOW)


@pytest.mark.parametrize("provider", ALL)
def test_sent_again_the_same_day_it_is_the_same_delivery(provider: str) -> None:
    sample = load(provider)
    first = prepare(sample, secret=SECRETS[provider], now=NOW, email="grace@example.com")
    later = prepare(
        sample, secret=SECRETS[provider], now=NOW + timedelta(hours=15), email="grace@example.com"
    )
    before, again = _rejection(provider, first), _rejection(provider, later)
    # A retry: the provider's de-duplication key is the same
    assert again.dedupe_key == before.dedupe_key
    assert again.rejection == before.rejection


@pytest.mark.parametrize("provider", ALL)
def test_another_candidate_or_another_day_is_another_delivery(provider: str) -> None:
    sample = load(provider)
    grace = prepare(sample, secret=SECRETS[provider], now=NOW, email="grace@example.com")
    bob = prepare(sample, secret=SECRETS[provider], now=NOW, email="bob@example.com")
    next_week = prepare(
        sample, secret=SECRETS[provider], now=NOW + timedelta(days=7), email="bob@example.com"
    )
    keys = {
        name: _rejection(provider, delivery)
        for name, delivery in {"grace": grace, "bob": bob, "next_week": next_week}.items()
    }
    assert keys["bob"].rejection.emails[0] == "bob@example.com"
    assert keys["next_week"].rejection.rejected_at == keys["bob"].rejection.rejected_at + timedelta(
        days=7
    )
    # Another week: always another rejection; another candidate: another delivery where the
    # provider keys on its ids (the others are told apart by the candidate they find)
    assert keys["next_week"].dedupe_key != keys["bob"].dedupe_key
    if provider in LOOKUP_PROVIDERS:
        assert keys["bob"].dedupe_key != keys["grace"].dedupe_key
        assert keys["bob"].application_key != keys["grace"].application_key


def test_without_an_address_the_sample_keeps_its_candidate() -> None:
    delivery = prepare(load("lever"), secret=SECRETS["lever"], now=NOW, email=None)
    assert _rejection("lever", delivery).rejection.emails == (SAMPLE_EMAIL,)


def test_dates_move_by_whole_days_as_written() -> None:
    text = json.dumps(
        {
            "iso": "2025-03-14T10:00:00Z",
            "fraction": "2025-03-14T10:00:00.000Z",
            "offset": "2025-03-14T11:00:00.000+01:00",
            "jazzhr": "2025-03-14 10:00:00",
            "day": "2025-03-14",
            "archivedAt": 1741946400000,
            "not_a_date": "order 2025-03-14 ref",
            "count": 1741946400000,
            "note": "2025-03-14 was a Friday",
        }
    )
    moved = json.loads(shift_dates(text, 630))
    assert moved == {
        "iso": "2026-12-04T10:00:00Z",
        "fraction": "2026-12-04T10:00:00.000Z",
        "offset": "2026-12-04T11:00:00.000+01:00",
        "jazzhr": "2026-12-04 10:00:00",
        "day": "2026-12-04",
        "archivedAt": 1741946400000 + 630 * 86_400_000,
        "not_a_date": "order 2025-03-14 ref",
        "count": 1741946400000,
        "note": "2025-03-14 was a Friday",
    }


def test_the_latest_moment_a_sample_names_lands_in_the_last_day() -> None:
    delivered = datetime(2025, 3, 14, 10, 15, tzinfo=UTC)
    visible = '{"rejected_at": "2025-03-14T10:00:00Z", "visible_at": "2025-03-17T09:00:00.000Z"}'
    assert latest([visible], delivered) == datetime(2025, 3, 17, 9, tzinfo=UTC)
    assert latest(['{"at": "2025-03-14 10:00:00"}'], None) == datetime(2025, 3, 14, 10, tzinfo=UTC)
    moved = delivered + timedelta(days=days_to(delivered, NOW))
    assert moved == datetime(2026, 12, 1, 10, 15, tzinfo=UTC)  # the day before NOW's
    # The same all day (UTC), whatever the time of day
    assert days_to(delivered, NOW.replace(hour=0)) == days_to(delivered, NOW.replace(hour=23))
