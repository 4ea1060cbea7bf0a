"""Who is calling: the identity the JWT authorizer verified, never a value from the body.

The user is the token's ``sub``. Admin is the exact group ``admin`` in ``cognito:groups``. The
HTTP API JWT authorizer hands claims to the function as strings, and a list claim is flattened
Go-style: ``["ops", "admin"]`` and ``["ops admin"]`` both arrive as ``"[ops admin]"``, so the
flattened form alone cannot say whether a group named ``admin`` exists. The authorizer has
verified the token in the request's ``Authorization`` header, and that header reaches the
function unchanged: its payload gives the claim as the list it really is. The groups are read
from there, and only when that payload agrees with what the authorizer passed (same subject,
and the list flattens to exactly the string it passed). Anything else grants no group: a name
with a space, comma or bracket can never become ``admin``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bounceback.errors import ForbiddenError, UnauthorizedError

ADMIN_GROUP = "admin"
GROUPS_CLAIM = "cognito:groups"
# The same shape as the domain's UserId: the subject is a partition key, so no '#', no
# whitespace or control characters, and a bounded length.
_SUBJECT = re.compile(r"^[^#\s\x00-\x1f\x7f]{1,128}$")


@dataclass(frozen=True)
class Caller:
    user_id: str
    groups: frozenset[str]
    email: str | None = None  # the token's email claim, only when the token says it is verified

    def require_admin(self) -> None:
        if ADMIN_GROUP not in self.groups:
            raise ForbiddenError("this route needs the admin group")


def flatten_claim(value: Any) -> str:
    """A claim as the HTTP API JWT authorizer passes it to the function (Go's %v)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(flatten_claim(v) for v in value) + "]"
    return str(value)


def token_payload(authorization: str | None) -> dict[str, Any] | None:
    """The payload of the bearer token in the Authorization header, not verified here: only
    trusted when it agrees with the claims the authorizer verified (see ``caller_from_request``).
    """
    if not authorization:
        return None
    token = authorization.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def exact_groups(claims: Mapping[str, Any], authorization: str | None) -> frozenset[str]:
    """The caller's groups, read exactly, or none when they cannot be read exactly."""
    value = claims.get(GROUPS_CLAIM)
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple):  # a raw token's claims (other authorizers, tests)
        return frozenset(str(v) for v in value)
    payload = token_payload(authorization)
    if payload is None or payload.get("sub") != claims.get("sub"):
        return frozenset()
    raw = payload.get(GROUPS_CLAIM)
    if raw is None or flatten_claim(raw) != str(value):
        return frozenset()
    if isinstance(raw, str):
        return frozenset({raw})
    if isinstance(raw, list) and all(isinstance(g, str) for g in raw):
        return frozenset(raw)
    return frozenset()


def _verified_email(claims: Mapping[str, Any]) -> str | None:
    email = claims.get("email")
    verified = claims.get("email_verified")
    if not isinstance(email, str) or verified not in (True, "true"):
        return None
    email = email.strip().lower()
    return email if email and "@" in email and len(email) <= 254 else None


def caller_from_request(
    claims: Mapping[str, Any] | None, authorization: str | None = None
) -> Caller:
    """The caller of a request the JWT authorizer let through (``claims``: what it passed)."""
    claims = claims or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not _SUBJECT.match(subject):
        raise UnauthorizedError("the token's subject is not a valid user id")
    return Caller(
        user_id=subject,
        groups=exact_groups(claims, authorization),
        email=_verified_email(claims),
    )
