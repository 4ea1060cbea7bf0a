"""Provider name → adapter. Adding a provider is one module and one line in ``_ADAPTERS``.

The name is the ``{provider}`` segment of ``POST /webhooks/{provider}/{connection_id}`` and the
``source`` of the rejections it logs, so it is each adapter's own ``name``, never repeated here.

Providers whose webhooks carry ids only (``LookupAdapter``: their deliveries mean
``LookupNeeded`` until the ATS API is read) are listed apart, in ``LOOKUP_PROVIDERS``: the webhook
stores their deliveries for the ATS lookup function, which reads the rejection back
(``bounceback.workflow.ats_lookup``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bounceback.providers import (
    ashby,
    greenhouse,
    jazzhr,
    lever,
    smartrecruiters,
    standard,
    teamtailor,
    workable,
)
from bounceback.providers.base import LookupAdapter, ProviderAdapter

_ADAPTERS: tuple[ProviderAdapter, ...] = (
    greenhouse.ADAPTER,
    ashby.ADAPTER,
    workable.ADAPTER,
    jazzhr.ADAPTER,
    standard.ADAPTER,
)

_LOOKUP_ADAPTERS: tuple[LookupAdapter, ...] = (
    lever.ADAPTER,
    teamtailor.ADAPTER,
    smartrecruiters.ADAPTER,
)

# Read-only: a request must never be able to change which code verifies a provider.
PROVIDERS: Mapping[str, ProviderAdapter] = MappingProxyType({a.name: a for a in _ADAPTERS})
LOOKUP_PROVIDERS: Mapping[str, LookupAdapter] = MappingProxyType(
    {a.name: a for a in _LOOKUP_ADAPTERS}
)


def get_adapter(name: str) -> ProviderAdapter | None:
    """The adapter for a provider name from the URL, or None for a provider we do not know."""
    return PROVIDERS.get(name)


def get_lookup_adapter(name: str) -> LookupAdapter | None:
    """The adapter of a provider whose deliveries need a lookup, or None."""
    return LOOKUP_PROVIDERS.get(name)
