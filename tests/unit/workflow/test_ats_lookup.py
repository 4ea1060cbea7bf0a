"""Deliveries that carry ids only, without AWS: what the webhook stores and answers, and what the
lookup does with a stored delivery (held back, gone, failed) against the fake ATS API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bounceback.events import AtsLookupNeeded, AtsLookupNeededData, EventMetadata
from bounceback.model import Connection
from bounceback.providers.ats_api import AtsApiClient, ClientSettings
from bounceback.providers.base import LookupNeeded
from bounceback.providers.registry import get_lookup_adapter
from bounceback.services import Services
from bounceback.store.items import AtsLookupItem
from bounceback.workflow.ats_lookup import AtsLookupFailedError, LookupStep, run_lookup
from bounceback.workflow.webhooks import Outcome, ingest
from bounceback_local.fake_ats import FakeAtsApi, Fault, demo_documents
from tests.support.events import load_event
from tests.unit.webhooks.fakes import COMPANY, CREATED, FakeWorld

SECRETS: dict[str, str] = load_event("webhooks/secrets.json")
NOW = datetime.fromtimestamp(1741947300, tz=UTC)  # the samples' clock
SUCCESS = {"lever": 200, "teamtailor": 200, "smartrecruiters": 202}


@dataclass
class FakeLookups:
    stored: dict[str, AtsLookupItem] = field(default_factory=dict)

    def add(self, *, lookup_id: str, **values: Any) -> bool:
        if lookup_id in self.stored:
            return False
        self.stored[lookup_id] = AtsLookupItem.of(lookup_id=lookup_id, expires_at=0, **values)
        return True

    def get(self, lookup_id: str) -> AtsLookupItem | None:
        return self.stored.get(lookup_id)


@dataclass
class KeyedConnections:
    """Connections with a secret and an API key, pointing at the fake API."""

    fake: FakeAtsApi
    deleted: set[str] = field(default_factory=set)

    def _connection(self, connection_id: str) -> Connection:
        provider = connection_id.split("-")[1]
        return Connection(
            id=connection_id,
            provider=provider,
            company=COMPANY,
            created_at=CREATED,
            api_base_url=self.fake.base_url(provider),
        )

    def secret(self, connection_id: str) -> tuple[Connection, str]:
        connection = self._connection(connection_id)
        return connection, SECRETS[connection.provider]

    def api_key(self, connection_id: str) -> tuple[Connection, str]:
        from bounceback.errors import NotFoundError

        if connection_id in self.deleted:
            raise NotFoundError("unknown connection")
        connection = self._connection(connection_id)
        return connection, self.fake.key(connection.provider)


@pytest.fixture
def fake_api() -> Iterator[FakeAtsApi]:
    with FakeAtsApi(demo_documents()) as fake:
        yield fake


def services_with(fake: FakeAtsApi) -> tuple[Services, FakeWorld, FakeLookups, KeyedConnections]:
    world = FakeWorld()
    lookups = FakeLookups()
    connections = KeyedConnections(fake)
    base = world.services()
    wired = Services(**{**base.__dict__, "lookups": lookups, "connections": connections})
    return wired, world, lookups, connections


def deliver(services: Services, provider: str, what: str = "rejection") -> Any:
    event = load_event(f"webhooks/{provider}.{what}.json")
    return ingest(
        services,
        provider=provider,
        connection_id=f"conn-{provider}-sample",
        headers={k.lower(): v for k, v in event["headers"].items()},
        raw_body=event["body"].encode(),
        now=NOW,
        request_id=f"req-{provider}",
    )


def fast_client(base_url: str, headers: Any) -> AtsApiClient:
    settings = ClientSettings(backoff_base=0.001, backoff_cap=0.002, read_timeout=1.0, budget=4.0)
    return AtsApiClient(base_url, headers, settings=settings, sleep=lambda _: None)


def event_for(item: AtsLookupItem, at: datetime = NOW) -> AtsLookupNeeded:
    return AtsLookupNeeded(
        metadata=EventMetadata(correlation_id="req", occurred_at=at),
        data=AtsLookupNeededData(
            lookup_id=item.id, connection_id=item.connection_id, provider=item.provider
        ),
    )


@pytest.mark.parametrize("provider", sorted(SUCCESS))
def test_a_signed_delivery_is_stored_once_and_answered_at_once(
    fake_api: FakeAtsApi, provider: str
) -> None:
    services, world, lookups, _ = services_with(fake_api)

    first = deliver(services, provider)
    again = deliver(services, provider)

    assert (first.status, first.outcome) == (SUCCESS[provider], Outcome.LOOKUP_QUEUED)
    assert (again.status, again.outcome) == (SUCCESS[provider], Outcome.DUPLICATE)
    (item,) = lookups.stored.values()
    adapter = get_lookup_adapter(provider)
    assert adapter is not None
    needed = LookupNeeded.read(item.needed, adapter.lookup_ids)
    assert isinstance(needed.lookup, adapter.lookup_ids)
    assert "ada@" not in item.needed  # ids only
    assert fake_api.requests == []  # nothing is looked up before the answer
    assert not world.store.writes


@pytest.mark.parametrize("provider", sorted(SUCCESS))
def test_a_bad_signature_is_401_and_stores_nothing(fake_api: FakeAtsApi, provider: str) -> None:
    services, world, lookups, _ = services_with(fake_api)
    event = load_event(f"webhooks/{provider}.rejection.json")
    headers = {k.lower(): v for k, v in event["headers"].items()}
    body = event["body"].replace("1741947300000", "1741947300001").replace("Frontend", "Backend")
    headers = {k: (v[:-4] + "AAA=" if "signature" in k else v) for k, v in headers.items()}

    answer = ingest(
        services,
        provider=provider,
        connection_id=f"conn-{provider}-sample",
        headers=headers,
        raw_body=body.encode(),
        now=NOW,
        request_id="req",
    )

    assert answer.status == 401
    assert lookups.stored == {}
    assert world.nothing_written()


def test_smartrecruiters_activation_is_echoed_without_a_signature(fake_api: FakeAtsApi) -> None:
    services, _, lookups, _ = services_with(fake_api)

    answer = deliver(services, "smartrecruiters", "activation")

    assert answer.status == 200
    assert answer.headers == {"X-Hook-Secret": "hs_sample-only-7f3a9c2e5b8d1f4a"}
    assert lookups.stored == {}


def test_teamtailor_is_held_back_until_the_candidate_may_hear_of_it(fake_api: FakeAtsApi) -> None:
    services, world, lookups, _ = services_with(fake_api)
    deliver(services, "teamtailor")
    (item,) = lookups.stored.values()

    outcome = run_lookup(services, event_for(item), now=NOW, client=fast_client)

    assert outcome == LookupStep.HELD_BACK
    assert world.timers.calls == ["schedule"]
    assert fake_api.requests == []


def test_a_lookup_whose_delivery_or_connection_is_gone_does_nothing(
    fake_api: FakeAtsApi,
) -> None:
    services, _, lookups, connections = services_with(fake_api)
    deliver(services, "lever")
    (item,) = lookups.stored.values()
    connections.deleted.add(item.connection_id)

    gone_connection = run_lookup(services, event_for(item), now=NOW, client=fast_client)
    lookups.stored.clear()
    gone_delivery = run_lookup(services, event_for(item), now=NOW, client=fast_client)

    assert gone_connection == gone_delivery == LookupStep.GONE
    assert fake_api.requests == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=401),
        Fault(status=403),
        Fault(status=429, retry_after="3600"),
        Fault(status=503),
        Fault(disconnect=True),
    ],
)
def test_a_failed_lookup_is_retried_and_says_why_without_personal_data(
    fake_api: FakeAtsApi, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    services, world, lookups, _ = services_with(fake_api)
    deliver(services, "smartrecruiters")
    (item,) = lookups.stored.values()
    fake_api.add_fault(fault)

    with pytest.raises(AtsLookupFailedError):
        run_lookup(services, event_for(item), now=NOW, client=fast_client)

    assert not world.store.writes
    logged = " ".join(json.dumps(r.__dict__, default=str) for r in caplog.records)
    assert "ats lookup failed" in logged
    assert "ada@" not in logged.lower()
    assert fake_api.key("smartrecruiters") not in logged
    assert "/candidates/" not in logged  # no URL (it holds ids)


def test_a_lookup_event_round_trips_its_ids() -> None:
    adapter = get_lookup_adapter("lever")
    assert adapter is not None
    needed = LookupNeeded(
        dedupe_key="lever:x:1",
        application_key="lever:x",
        lookup=adapter.lookup_ids.model_validate(
            {"opportunity_id": "x", "archived": True, "triggered_at_ms": 1}
        ),
        not_before=NOW + timedelta(days=1),
    )

    again = LookupNeeded.read(needed.model_dump_json(), adapter.lookup_ids)

    assert again == needed
    assert cast(Any, again.lookup).opportunity_id == "x"
