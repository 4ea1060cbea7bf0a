"""Provider name → adapter. Adding a provider is one module and one line in ``_ADAPTERS``.

The name is the ``{provider}`` segment of ``POST /webhooks/{provider}/{connection_id}`` and the
``source`` of the rejections it logs, so it is each adapter's own ``name``, never repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bounceback.providers import ashby, greenhouse, jazzhr, standard, workable
from bounceback.providers.base import ProviderAdapter

_ADAPTERS: tuple[ProviderAdapter, ...] = (
    greenhouse.ADAPTER,
    ashby.ADAPTER,
    workable.ADAPTER,
    jazzhr.ADAPTER,
    standard.ADAPTER,
)

# Read-only: a request must never be able to change which code verifies a provider.
PROVIDERS: Mapping[str, ProviderAdapter] = MappingProxyType({a.name: a for a in _ADAPTERS})


def get_adapter(name: str) -> ProviderAdapter | None:
    """The adapter for a provider name from the URL, or None for a provider we do not know."""
    return PROVIDERS.get(name)
