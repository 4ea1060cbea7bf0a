"""A sample delivery of ``events/webhooks/`` as its provider would send it now.

For ``bounceback-local send-webhook``. The samples were signed once, when they were written
(their ``requestContext.timeEpoch``). Sent as they are, a verifier with a replay window refuses
them (Standard Webhooks, Lever, Teamtailor and SmartRecruiters sign a time), and the others log a
rejection from that day whose waiting period may be long over, so the first thing the candidate
hears is "you can reapply now". The same event, as the provider would send it today:

- every date in the body, and in the fake ATS's documents behind it, moves forward by the same
  whole number of days: the sample's latest moment (its delivery, or a later date it names, such
  as Teamtailor's ``transparent_recruiting_visible_at``) lands on the day before the stack's
  date (UTC), so nothing it tells of lies in the future and nothing waits; the time of day and
  the gaps between dates (applied, rejected, visible from) stay. Sent again the same day (UTC),
  the body is the same: the provider retrying it, recorded once;
- the candidate is ``--email``: their address replaces the sample's; where the provider names the
  candidate by an id (``CANDIDATE_IDS``), they get ids of their own, derived from the address, so
  one candidate's delivery is never taken for a retry of another's;
- a delivery id (the header of Greenhouse, Standard Webhooks and SmartRecruiters; Ashby's
  ``webhookActionId``) is derived the same way from the sample's, with the day: another
  candidate or another day is another delivery, the same candidate the same day a retry;
- it is signed as the provider signs: in the body (Lever; Teamtailor's ``signature``) and in the
  headers, with the stack's time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bounceback.providers import lever, teamtailor
from bounceback.providers.base import (
    LookupNeeded,
    ProviderAdapter,
    RejectionDelivery,
    SignedSender,
)
from bounceback.providers.registry import get_adapter, get_lookup_adapter
from bounceback_local import fake_ats

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "webhooks"
# Headers of the sample's API Gateway event that the gateway adds, not the provider.
_GATEWAY_HEADERS = {"host", "content-length", "x-amzn-trace-id", "x-forwarded-for"}
_GATEWAY_PREFIXES = ("x-forwarded-",)
# The ids by which a provider's sample names its candidate (and the fake ATS files them).
CANDIDATE_IDS: Mapping[str, tuple[str, ...]] = {
    "lever": (fake_ats.LEVER_OPPORTUNITY,),
    "teamtailor": (fake_ats.TEAMTAILOR_APPLICATION,),
    "smartrecruiters": (fake_ats.SMARTRECRUITERS_CANDIDATE,),
}
# Delivery ids a provider sends in the body (top-level fields), de-duplicated on like a header's.
_BODY_DELIVERY_IDS: Mapping[str, tuple[str, ...]] = {"ashby": ("webhookActionId",)}
# A JSON string that starts with a date: alone, or followed by a time ("T10:00", " 10:00").
_DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})(?="|[T ]\d{2}:\d{2})')
_DATE_VALUE = re.compile(r'"(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}[^"\\]*)?)"')
# Epoch milliseconds under a key ending in "At" (Lever's archivedAt, triggeredAt).
_EPOCH_MS = re.compile(r'("[A-Za-z_]*At"\s*:\s*)(\d{13})(?![\d.])')
_NAMESPACE = uuid.UUID("5d0a6f8e-2c4b-4e1a-9f3d-7b8c9a0e1f2d")


class SampleError(Exception):
    """The sample cannot be sent as asked (printed for the person running the command)."""


@dataclass(frozen=True)
class Sample:
    """A sample as the provider sent it: the raw body, its own headers, and when."""

    provider: str
    raw: bytes
    headers: dict[str, str]
    delivered_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    """What to send: the body and headers, and for a provider whose delivery names ids only,
    the fake ATS's documents about the candidate (path → JSON)."""

    raw: bytes
    headers: dict[str, str]
    documents: dict[str, Any] | None = None


def load(provider: str) -> Sample:
    """The provider's sample rejection: the raw body, and the headers the provider sent with it
    other than the gateway's own (the signature headers are replaced when signing)."""
    event = json.loads((SAMPLES / f"{provider}.rejection.json").read_text(encoding="utf-8"))
    body = str(event["body"])
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    headers = {
        name.lower(): str(value)
        for name, value in (event.get("headers") or {}).items()
        if name.lower() not in _GATEWAY_HEADERS and not name.lower().startswith(_GATEWAY_PREFIXES)
    }
    epoch_ms = (event.get("requestContext") or {}).get("timeEpoch")
    delivered = datetime.fromtimestamp(epoch_ms / 1000, UTC) if epoch_ms else None
    return Sample(provider, raw, headers, delivered)


def latest(texts: Iterable[str], delivered_at: datetime | None) -> datetime | None:
    """The latest moment ``texts`` (JSON) name, or the delivery's if later: ISO dates and
    date-times (without an offset: UTC) and epoch milliseconds under a key ending in ``At``."""
    found = [] if delivered_at is None else [delivered_at]
    for text in texts:
        for match in _DATE_VALUE.finditer(text):
            try:
                moment = datetime.fromisoformat(match.group(1))
            except ValueError:
                continue
            found.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        found += [
            datetime.fromtimestamp(int(m.group(2)) / 1000, UTC) for m in _EPOCH_MS.finditer(text)
        ]
    return max(found, default=None)


def days_to(moment: datetime | None, now: datetime) -> int:
    """The whole days that put ``moment`` on the day before ``now``'s (UTC): in the past, and the
    same number all day long."""
    if moment is None:
        return 0
    return (now.astimezone(UTC).date() - moment.astimezone(UTC).date()).days - 1


def shift_dates(text: str, days: int) -> str:
    """``text`` (JSON) with every date moved ``days`` days: ISO dates and date-times (their time
    and offset kept as written) and epoch milliseconds under a key ending in ``At``."""
    if days == 0:
        return text

    def moved_date(match: re.Match[str]) -> str:
        return '"' + (date.fromisoformat(match.group(1)) + timedelta(days=days)).isoformat()

    def moved_ms(match: re.Match[str]) -> str:
        return match.group(1) + str(int(match.group(2)) + days * 86_400_000)

    return _EPOCH_MS.sub(moved_ms, _DATE.sub(moved_date, text))


def derived_id(original: str, *parts: str) -> str:
    """An id standing in for ``original`` in a variant of the sample (``parts`` name the
    variant), of the same kind: as many digits for a number, else a UUID. The same variant always
    gets the same id."""
    seed = "\x1f".join((original, *parts))
    if original.isdigit():
        number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
        width = len(original)
        return str(10 ** (width - 1) + number % (9 * 10 ** (width - 1)))
    return str(uuid.uuid5(_NAMESPACE, seed))


def replace_ids(text: str, ids: Mapping[str, str]) -> str:
    """``text`` with each id in ``ids`` replaced where it stands alone (not inside a longer id)."""
    for old, new in ids.items():
        text = re.sub(rf"(?<![0-9A-Za-z-]){re.escape(old)}(?![0-9A-Za-z-])", new, text)
    return text


def for_candidate(
    adapter: ProviderAdapter, raw: bytes, headers: Mapping[str, str], email: str
) -> bytes:
    """The sample body with its candidate's first address replaced by ``email``."""
    sample_address = _rejection(adapter, raw, headers).rejection.emails[0]
    # As it is spelled in JSON (escapes included), so the body stays the provider's JSON.
    quoted = json.dumps(email)[1:-1].encode()
    replaced = raw.replace(sample_address.encode(), quoted)
    if email not in _rejection(adapter, replaced, headers).rejection.emails:
        raise SampleError(f"cannot put {email!r} in the {adapter.name} sample")
    return replaced


def ats_documents(provider: str, email: str | None, ids: Mapping[str, str], days: int) -> Any:
    """What the fake ATS answers about the candidate of this delivery: the documents behind the
    samples (``fake_ats.demo_documents``), with the candidate's address, ids and dates."""
    text = json.dumps(fake_ats.demo_documents()[provider])
    if email is not None:
        text = text.replace(json.dumps(fake_ats.SAMPLE_EMAIL), json.dumps(email))
    return json.loads(shift_dates(replace_ids(text, ids), days))


def sample_delivery_id(adapter: SignedSender, headers: Mapping[str, str]) -> str | None:
    """The sample's own delivery id, where the provider sends one in a header: the header is
    the one the adapter fills with the delivery id it is given."""
    marker = uuid.uuid4().hex
    named = adapter.signature_headers(b"{}", "x" * 32, datetime.now(UTC), marker)
    header = next((name for name, value in named.items() if value == marker), None)
    return None if header is None else headers.get(header)


def prepare(sample: Sample, *, secret: str, now: datetime, email: str | None) -> Delivery:
    """``sample`` as its provider would send it at ``now`` to ``email`` (None: the sample's own
    candidate), signed with ``secret``."""
    provider = sample.provider
    direct, lookup = get_adapter(provider), get_lookup_adapter(provider)
    adapter: SignedSender | None = direct or lookup
    if adapter is None:
        raise SampleError(f"no adapter for {provider!r}")
    behind = [json.dumps(fake_ats.demo_documents()[provider])] if lookup is not None else []
    days = days_to(latest([sample.raw.decode("utf-8"), *behind], sample.delivered_at), now)
    candidate = None if email is None or email.lower() == _sample_email(sample).lower() else email
    raw = sample.raw
    if direct is not None and candidate is not None:
        raw = for_candidate(direct, raw, sample.headers, candidate)
    ids = _variant_ids(provider, raw, candidate, days)
    raw = shift_dates(replace_ids(raw.decode("utf-8"), ids), days).encode("utf-8")
    raw = _signed_body(provider, raw, secret, now)
    delivery_id = _variant_delivery_id(adapter, sample.headers, candidate, days)
    headers = sample.headers | adapter.signature_headers(raw, secret, now, delivery_id)
    if direct is not None:
        _rejection(direct, raw, headers)  # still a rejection
        return Delivery(raw, headers)
    if lookup is None or not isinstance(lookup.interpret(headers, raw), LookupNeeded):
        raise SampleError(f"the {provider} sample is not a delivery to look up")
    return Delivery(raw, headers, ats_documents(provider, candidate, ids, days))


def _variant_ids(provider: str, raw: bytes, candidate: str | None, days: int) -> dict[str, str]:
    """The sample's ids this variant replaces: the candidate's own (one set per candidate), and
    a delivery id in the body (one per candidate and day)."""
    if candidate is None:
        ids = {}
    else:
        ids = {old: derived_id(old, candidate) for old in CANDIDATE_IDS.get(provider, ())}
    if candidate is not None or days:
        body = json.loads(raw)
        for field in _BODY_DELIVERY_IDS.get(provider, ()):
            ids[str(body[field])] = derived_id(str(body[field]), candidate or "", str(days))
    return ids


def _variant_delivery_id(
    adapter: SignedSender, headers: Mapping[str, str], candidate: str | None, days: int
) -> str:
    """The delivery id header's value: the sample's, or one of this candidate and day's own."""
    sample_id = sample_delivery_id(adapter, headers)
    if sample_id is None:
        return uuid.uuid4().hex  # the provider sends none: not used
    if candidate is None and not days:
        return sample_id
    return derived_id(sample_id, candidate or "", str(days))


def _sample_email(sample: Sample) -> str:
    direct = get_adapter(sample.provider)
    if direct is None:
        return fake_ats.SAMPLE_EMAIL  # the fake ATS's candidate: the lookup reads it there
    return _rejection(direct, sample.raw, sample.headers).rejection.emails[0]


def _rejection(
    adapter: ProviderAdapter, raw: bytes, headers: Mapping[str, str]
) -> RejectionDelivery:
    meaning = adapter.interpret(headers, raw)
    if not isinstance(meaning, RejectionDelivery):
        raise SampleError(f"the {adapter.name} sample is not a rejection")
    return meaning


def _signed_body(provider: str, raw: bytes, secret: str, now: datetime) -> bytes:
    """The body re-signed where the provider signs inside it; other bodies as they are."""
    if provider == "lever":
        # token + triggeredAt are signed; the token is Lever's per delivery: the sample's stays.
        payload = json.loads(raw)
        token = str(payload.pop("token"))
        for field in ("triggeredAt", "signature"):
            payload.pop(field, None)
        return lever.sign_body(payload, secret, token=token, now=now)
    if provider == "teamtailor":
        payload_text = json.dumps(
            json.loads(raw)["payload"], separators=(",", ":"), ensure_ascii=False
        )
        return teamtailor.signed_body(payload_text, secret, now)
    return raw


__all__ = [
    "CANDIDATE_IDS",
    "SAMPLES",
    "Delivery",
    "Sample",
    "SampleError",
    "ats_documents",
    "days_to",
    "derived_id",
    "for_candidate",
    "latest",
    "load",
    "prepare",
    "replace_ids",
    "sample_delivery_id",
    "shift_dates",
]
