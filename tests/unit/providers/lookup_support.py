"""Shared by the lookup tests: the fake ATS API with the samples' documents, and a client to it."""

from __future__ import annotations

from typing import Any

from bounceback.providers.ats_api import AtsApiClient, ClientSettings
from bounceback.providers.base import LookupAdapter, LookupNeeded
from bounceback.providers.registry import get_lookup_adapter
from bounceback_local.fake_ats import FakeAtsApi
from tests.unit.providers.helpers import NOW, load_event, raw_body, sample_secrets

# Quick retries, no real waiting: the client's own tests cover the timing.
FAST = ClientSettings(backoff_base=0.001, backoff_cap=0.002, read_timeout=1.0, budget=8.0)


def adapter(name: str) -> LookupAdapter:
    found = get_lookup_adapter(name)
    assert found is not None
    return found


def client(
    fake: FakeAtsApi, provider: str, *, key: str | None = None, **settings: Any
) -> AtsApiClient:
    lookup_adapter = adapter(provider)
    return AtsApiClient(
        fake.base_url(provider),
        lookup_adapter.auth_headers(fake.key(provider) if key is None else key),
        settings=ClientSettings(**{**FAST.__dict__, **settings}),
        sleep=lambda _: None,
    )


def sample_needed(name: str) -> LookupNeeded:
    """What a sample delivery asks to look up, after the signature check the pipeline makes."""
    event = load_event(name)
    lookup_adapter = adapter(name.split(".")[0])
    headers, body = event["headers"], raw_body(event)
    lookup_adapter.verify(headers, body, sample_secrets()[lookup_adapter.name], NOW)
    needed = lookup_adapter.interpret(headers, body)
    assert isinstance(needed, LookupNeeded)
    return needed
