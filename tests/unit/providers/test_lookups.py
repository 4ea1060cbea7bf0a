"""What every lookup promises, per provider, against the fake ATS API: the samples read back as the
rejection they stand for, each API failure is its typed error, the key goes only where it
belongs, and nothing personal is logged."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from bounceback.errors import (
    AtsAnswerInvalidError,
    AtsApiError,
    AtsKeyRefusedError,
    AtsNotFoundError,
    AtsRateLimitedError,
    AtsUnavailableError,
    AtsUnreachableError,
)
from bounceback.providers.ats_api import AtsApiClient
from bounceback.providers.base import (
    CandidateRejection,
    LookupNeeded,
    RejectionDelivery,
)
from bounceback.providers.registry import LOOKUP_PROVIDERS, get_adapter
from bounceback_local.fake_ats import FakeAtsApi, Fault, refused_base_url
from tests.unit.providers.lookup_support import FAST, adapter, client, sample_needed

PROVIDERS = sorted(LOOKUP_PROVIDERS)

# What each sample delivery reads back as (the connection supplies the company).
EXPECTED: dict[str, tuple[str, CandidateRejection]] = {
    "lever": (
        "lever:8c2f6a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b:1741946400000",
        CandidateRejection(
            emails=("ada@example.com",),
            candidate_name="Ada Lovelace",
            role="Senior Data Engineer",
            reason="Underqualified",
            rejected_at=datetime(2025, 3, 14, 10, 0, tzinfo=UTC),
        ),
    ),
    "teamtailor": (
        "teamtailor:48151623:2025-03-14T10:00:00.000Z",
        CandidateRejection(
            emails=("ada@example.com",),
            candidate_name="Ada Lovelace",
            role="Frontend Developer",
            stage="Interview",
            reason="Another candidate had more relevant experience",
            rejected_at=datetime(2025, 3, 14, 10, 0, tzinfo=UTC),
        ),
    ),
    "smartrecruiters": (
        "smartrecruiters:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        CandidateRejection(
            emails=("ada@example.com",),
            candidate_name="Ada Lovelace",
            role="Product Designer",
            stage="Final interview",
            reason="Position filled",
            rejected_at=datetime(2025, 3, 14, 10, 0, tzinfo=UTC),
        ),
    ),
}
APPLICATION_KEYS = {
    "lever": "lever:8c2f6a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b",
    "teamtailor": "teamtailor:48151623",
    "smartrecruiters": "smartrecruiters:3b6a1e2f-5c7d-4e8f-9a0b-1c2d3e4f5a6b:744000012345678",
}


def test_lookup_providers_are_listed_apart_from_the_webhook_pipeline() -> None:
    # The pipeline cannot handle LookupNeeded yet: their URLs must keep answering 404.
    assert set(LOOKUP_PROVIDERS) == {"lever", "teamtailor", "smartrecruiters"}
    for name, lookup_adapter in LOOKUP_PROVIDERS.items():
        assert lookup_adapter.name == name
        assert get_adapter(name) is None


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("lever", "https://api.lever.co/v1"),
        ("teamtailor", "https://api.teamtailor.com/v1"),
        ("smartrecruiters", "https://api.smartrecruiters.com"),
    ],
)
def test_default_api_base_url_is_the_providers_public_api(name: str, base: str) -> None:
    assert adapter(name).default_api_base_url == base


@pytest.mark.parametrize("name", PROVIDERS)
def test_the_sample_reads_back_as_the_rejection_it_stands_for(fake: FakeAtsApi, name: str) -> None:
    # Given the sample delivery, verified and interpreted
    needed = sample_needed(f"{name}.rejection")
    # When the ATS API is read with the employer's key
    meaning = adapter(name).lookup(client(fake, name), needed)
    # Then it is exactly one rejection with the job and reason from the API
    key, rejection = EXPECTED[name]
    assert meaning == RejectionDelivery(
        dedupe_key=key, rejection=rejection, application_key=APPLICATION_KEYS[name]
    )
    assert needed.dedupe_key == key
    assert needed.application_key == APPLICATION_KEYS[name]


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_repeated_lookup_reads_the_same(fake: FakeAtsApi, name: str) -> None:
    needed = sample_needed(f"{name}.rejection")
    first = adapter(name).lookup(client(fake, name), needed)
    assert adapter(name).lookup(client(fake, name), needed) == first


@pytest.mark.parametrize("name", PROVIDERS)
def test_lookup_ids_survive_a_queue(name: str) -> None:
    # The ids are what a queued lookup would carry: they must dump and load losslessly.
    needed = sample_needed(f"{name}.rejection")
    dumped = json.loads(needed.model_dump_json())
    ids_type = type(needed.lookup)
    assert ids_type.model_validate(dumped["lookup"]) == needed.lookup
    assert "@" not in needed.model_dump_json()
    assert "lovelace" not in needed.model_dump_json().lower()


# --- failures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROVIDERS)
@pytest.mark.parametrize(
    ("fault", "error", "retryable"),
    [
        (Fault(status=401), AtsKeyRefusedError, True),
        (Fault(status=403), AtsKeyRefusedError, True),
        (Fault(status=429, retry_after="3600"), AtsRateLimitedError, True),
        (Fault(status=429), AtsRateLimitedError, True),
        (Fault(status=500), AtsUnavailableError, True),
        (Fault(status=503), AtsUnavailableError, True),
        (Fault(disconnect=True), AtsUnreachableError, True),
        (Fault(status=400), AtsAnswerInvalidError, False),
    ],
    ids=["401", "403", "429-long", "429", "500", "503", "dropped", "400"],
)
def test_each_api_failure_is_its_typed_error(
    fake: FakeAtsApi, name: str, fault: Fault, error: type[AtsApiError], retryable: bool
) -> None:
    fake.add_fault(fault)
    with pytest.raises(error) as caught:
        adapter(name).lookup(client(fake, name), sample_needed(f"{name}.rejection"))
    assert caught.value.retryable is retryable


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_key_the_api_refuses_is_key_refused(fake: FakeAtsApi, name: str) -> None:
    with pytest.raises(AtsKeyRefusedError):
        adapter(name).lookup(client(fake, name, key="revoked"), sample_needed(f"{name}.rejection"))
    assert len(fake.requests) == 1  # not retried: the same key gets the same answer


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_slow_api_times_out_as_unreachable(fake: FakeAtsApi, name: str) -> None:
    fake.add_fault(Fault(delay=0.6))
    with pytest.raises(AtsUnreachableError):
        adapter(name).lookup(
            client(fake, name, read_timeout=0.1, attempts=2), sample_needed(f"{name}.rejection")
        )


@pytest.mark.parametrize("name", PROVIDERS)
def test_an_api_that_refuses_connections_is_unreachable(name: str) -> None:
    lookup_adapter = adapter(name)
    unreachable = AtsApiClient(
        refused_base_url(),
        lookup_adapter.auth_headers("key"),
        settings=FAST,
        sleep=lambda _: None,
    )
    with pytest.raises(AtsUnreachableError):
        lookup_adapter.lookup(unreachable, sample_needed(f"{name}.rejection"))


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_transient_failure_is_retried_within_the_lookup(fake: FakeAtsApi, name: str) -> None:
    fake.add_fault(Fault(status=502, times=1))
    fake.add_fault(Fault(status=429, retry_after="0", times=1))
    meaning = adapter(name).lookup(client(fake, name), sample_needed(f"{name}.rejection"))
    assert isinstance(meaning, RejectionDelivery)


@pytest.mark.parametrize("name", PROVIDERS)
def test_an_application_deleted_since_the_delivery_is_not_found(
    fake: FakeAtsApi, name: str
) -> None:
    for path in list(fake.state.documents[name]):
        fake.remove(name, path)
    with pytest.raises(AtsNotFoundError):
        adapter(name).lookup(client(fake, name), sample_needed(f"{name}.rejection"))


# --- the key stays home ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROVIDERS)
def test_the_key_is_sent_in_the_providers_form_and_only_to_the_base(
    fake: FakeAtsApi, name: str
) -> None:
    adapter(name).lookup(client(fake, name), sample_needed(f"{name}.rejection"))
    key = fake.key(name)
    expected = {
        "lever": {"authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()},
        "teamtailor": {
            "authorization": f"Token token={key}",
            "x-api-version": "20240404",
            "accept": "application/vnd.api+json",
        },
        "smartrecruiters": {"x-smarttoken": key},
    }[name]
    assert fake.requests
    for request in fake.requests:
        assert request.provider == name  # every call went under this provider's base
        assert expected.items() <= request.headers.items()


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_lookup_logs_nothing_personal(
    fake: FakeAtsApi, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake.add_fault(Fault(status=503, times=1))
    needed: LookupNeeded = sample_needed(f"{name}.rejection")
    adapter(name).lookup(client(fake, name), needed)
    logged = " ".join(
        json.dumps({k: str(v) for k, v in vars(r).items()})
        for r in caplog.records
        if r.name == "bounceback"
    )
    assert "ats api call retried" in logged
    for secret in ("ada@example.com", "Lovelace", fake.key(name), needed.application_key):
        assert secret not in logged
