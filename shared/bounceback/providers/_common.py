"""Small helpers the adapters share: signing, header parsing, lenient payload reading.

Nothing here knows a provider. Everything that reads untrusted input turns failure into the two
typed errors the webhook function translates (``InvalidSignatureError``, ``InvalidPayloadError``)
so a malformed delivery can never surface as a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.model import Recruiter
from bounceback.providers.base import Headers

_SHA256_SIZE = hashlib.sha256().digest_size

# The same light check the domain applies to a user's addresses (model.Email): a webhook's
# address only has to be good enough to find a user by, deliverability is not ours to judge.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Lenient(BaseModel):
    """Base of the payload models: read only the fields we use, ignore everything else.

    Providers add fields without notice; a new field must never make a delivery unreadable.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


class CamelLenient(Lenient):
    """For camelCase payloads (Ashby, HR Open): snake_case names in Python, camelCase in JSON."""

    model_config = ConfigDict(alias_generator=to_camel, extra="ignore", frozen=True)


ModelT = TypeVar("ModelT", bound=BaseModel)


# --- signing -----------------------------------------------------------------------------------


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def new_url_safe_secret() -> str:
    """A long random secret that survives being pasted into any ATS form or URL field."""
    return secrets.token_urlsafe(32)


def require_header(headers: Headers, name: str) -> str:
    value = headers.get(name)
    if value is None or not value.strip():
        raise InvalidSignatureError(f"missing {name} header")
    return value.strip()


def decode_hex_digest(value: str, header: str) -> bytes:
    """A SHA-256 HMAC written as 64 hex digits (either case)."""
    if len(value) != 2 * _SHA256_SIZE:
        raise InvalidSignatureError(f"malformed {header} header")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidSignatureError(f"malformed {header} header") from None


def decode_base64_digest(value: str, header: str) -> bytes:
    """A SHA-256 HMAC written as standard base64 (padding optional)."""
    try:
        digest = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSignatureError(f"malformed {header} header") from None
    if len(digest) != _SHA256_SIZE:
        raise InvalidSignatureError(f"malformed {header} header")
    return digest


def check_digest(expected: bytes, received: bytes, header: str) -> None:
    # Compare bytes, never the header text: compare_digest on str rejects non-ASCII input with a
    # TypeError, and the header is attacker-controlled.
    if not hmac.compare_digest(expected, received):
        raise InvalidSignatureError(f"{header} does not match the body")


# --- payloads ----------------------------------------------------------------------------------


def parse_json_object(raw_body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or ``InvalidPayloadError``."""
    try:
        parsed = json.loads(raw_body)
    # UnicodeDecodeError is a ValueError; RecursionError comes from very deep nesting.
    except (ValueError, RecursionError):
        raise InvalidPayloadError("body is not JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidPayloadError("body is not a JSON object")
    return parsed


def read_model(model: type[ModelT], data: object, what: str) -> ModelT:
    """Validate ``data`` against a payload model; any mismatch is the sender's fault."""
    try:
        return model.model_validate(data)
    except ValidationError:
        raise InvalidPayloadError(f"{what} does not have the expected shape") from None
    except RecursionError:
        raise InvalidPayloadError(f"{what} is nested too deeply") from None


def text(value: str | None) -> str | None:
    """Trimmed text, or None when there is nothing in it."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def join_name(*parts: str | None) -> str | None:
    return text(" ".join(p.strip() for p in parts if p and p.strip()))


def usable_emails(candidates: Iterable[str | None]) -> tuple[str, ...]:
    """Every plausible address, trimmed and lower-cased (users are matched case-insensitively),
    without repeats, in the order the payload gave them."""
    found: list[str] = []
    for value in candidates:
        address = (value or "").strip().lower()
        if _EMAIL.match(address) and len(address) <= 254 and address not in found:
            found.append(address)
    return tuple(found)


def require_emails(candidates: Iterable[str | None]) -> tuple[str, ...]:
    emails = usable_emails(candidates)
    if not emails:
        # The caller decides the answer (the sender cannot fix it by retrying).
        raise InvalidPayloadError("rejection has no usable candidate email")
    return emails


def require_role(value: str | None) -> str:
    role = text(value)
    if role is None:
        raise InvalidPayloadError("rejection names no job")
    return role


def recruiter(name: str | None, email: str | None) -> Recruiter | None:
    """A recruiter when the payload names one; an unusable address is dropped, not fatal."""
    addresses = usable_emails([email])
    clean_name = text(name)
    if clean_name is None and not addresses:
        return None
    return Recruiter(
        name=clean_name[:200] if clean_name else None, email=next(iter(addresses), None)
    )


def parse_datetime(value: str | int | float | None) -> datetime | None:
    """An aware datetime from an ISO 8601 string, or None when absent or unreadable.

    Times without an offset are taken as UTC: that is what every provider here sends, and a
    missing time is better than a rejected delivery (the time is informative, not a key).
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            parsed = datetime.fromtimestamp(value, tz=UTC)
        else:
            parsed = datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def key_part(value: str | int | None) -> str:
    """One component of a dedupe key, exactly as sent (so a retry of the same body yields the
    same key), with an absent value written as the empty string."""
    return "" if value is None else str(value).strip()
