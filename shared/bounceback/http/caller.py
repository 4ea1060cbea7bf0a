"""Who is calling: the identity the JWT authorizer verified, never a value from the body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bounceback.errors import ForbiddenError, UnauthorizedError

ADMIN_GROUP = "admin"


@dataclass(frozen=True)
class Caller:
    user_id: str
    groups: frozenset[str]

    def require_admin(self) -> None:
        if ADMIN_GROUP not in self.groups:
            raise ForbiddenError("this route needs the admin group")


def parse_groups(value: Any) -> frozenset[str]:
    """``cognito:groups`` as the HTTP API JWT authorizer passes it: a list claim arrives as a
    string like ``"[admin user]"``; a raw token (tests, other authorizers) has a real list."""
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple):
        return frozenset(str(v) for v in value)
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return frozenset(part for part in text.replace(",", " ").split() if part)


def caller_from_claims(claims: Mapping[str, Any] | None) -> Caller:
    subject = (claims or {}).get("sub")
    if not isinstance(subject, str) or not subject or "#" in subject or len(subject) > 128:
        raise UnauthorizedError("no valid token")
    return Caller(user_id=subject, groups=parse_groups((claims or {}).get("cognito:groups")))
