"""Bounceback: the package every function imports (the shared layer)."""

from __future__ import annotations

import os
import sys
import types


def _no_pydantic_plugins() -> None:
    """With ``PYDANTIC_DISABLE_PLUGINS`` set as the template sets it, pydantic finds no plugins,
    yet its plugin loader still imports ``importlib.metadata`` (zipfile, email, csv...) on the
    first model: a tenth of a cold start's imports. Its one function, as pydantic's own returns
    it for that setting, stands in for the loader instead."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in ("__all__", "1", "true"):
        return
    if "pydantic.plugin._loader" in sys.modules:
        return
    loader = types.ModuleType("pydantic.plugin._loader")
    loader.get_plugins = tuple  # type: ignore[attr-defined]  # no plugins: ()
    sys.modules["pydantic.plugin._loader"] = loader


_no_pydantic_plugins()
