"""Provider name → adapter. Adding a provider is one module and its name in ``_ADAPTERS``.

The name is the ``{provider}`` segment of ``POST /webhooks/{provider}/{connection_id}``, the
``source`` of the rejections it logs, the adapter's own ``name`` and the name of its module here:
a function imports the one provider a request names, not all eight with their models (a cold
start's webhook pays for its own provider only; docs/decisions.md, "Cold starts").

Providers whose webhooks carry ids only (``LookupAdapter``: their deliveries mean
``LookupNeeded`` until the ATS API is read) are listed apart, in ``LOOKUP_PROVIDERS``: the webhook
stores their deliveries for the ATS lookup function, which reads the rejection back
(``bounceback.workflow.ats_lookup``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Generic, TypeVar

from bounceback.providers.base import LookupAdapter, ProviderAdapter

_ADAPTERS = ("greenhouse", "ashby", "workable", "jazzhr", "standard")
_LOOKUP_ADAPTERS = ("lever", "teamtailor", "smartrecruiters")

Adapter = TypeVar("Adapter", ProviderAdapter, LookupAdapter)


class _Adapters(Mapping[str, Adapter], Generic[Adapter]):
    """Read-only, and only the names listed: a request must never be able to change which code
    verifies a provider. A provider's module is imported when its adapter is first asked for."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names

    def __getitem__(self, name: str) -> Adapter:
        if name not in self._names:
            raise KeyError(name)
        adapter: Adapter = import_module(f"bounceback.providers.{name}").ADAPTER
        if adapter.name != name:
            raise TypeError(f"bounceback.providers.{name}.ADAPTER is not the {name} adapter")
        return adapter

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


PROVIDERS: Mapping[str, ProviderAdapter] = _Adapters[ProviderAdapter](_ADAPTERS)
LOOKUP_PROVIDERS: Mapping[str, LookupAdapter] = _Adapters[LookupAdapter](_LOOKUP_ADAPTERS)


def get_adapter(name: str) -> ProviderAdapter | None:
    """The adapter for a provider name from the URL, or None for a provider we do not know."""
    return PROVIDERS.get(name)


def get_lookup_adapter(name: str) -> LookupAdapter | None:
    """The adapter of a provider whose deliveries need a lookup, or None."""
    return LOOKUP_PROVIDERS.get(name)
