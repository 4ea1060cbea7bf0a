"""Identifiers: random for new things, derived for things a retry must find again."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f1c0c52-7a3e-4f0b-9a59-2f8a1e0b6d41")


def new_id() -> str:
    return uuid.uuid4().hex


def derived_id(*parts: str) -> str:
    """The same parts always give the same id (idempotency keys, provider delivery keys)."""
    return uuid.uuid5(_NAMESPACE, "\x1f".join(parts)).hex
