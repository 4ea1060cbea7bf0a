"""Bounceback's own format, for job boards that integrate directly: Standard Webhooks.

Signing follows the Standard Webhooks specification (standardwebhooks.com): headers
``webhook-id``, ``webhook-timestamp`` (unix seconds) and ``webhook-signature`` — space-separated
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` entries, any of which may match (senders
list several while rotating secrets). The secret is ``whsec_<base64 key>``. A delivery whose
timestamp is more than five minutes from now (either way) is refused, so a captured delivery
cannot be replayed later.

The body is ``StandardRejectionBody`` (published in the OpenAPI document). The dedupe key is the
``webhook-id`` header, which the specification requires to stay the same across retries. Success
is 204: the specification accepts any 2xx and Bounceback has nothing to say back.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.providers._common import (
    hmac_sha256,
    parse_json_object,
    read_model,
    recruiter,
    require_emails,
    require_header,
    require_role,
    text,
)
from bounceback.providers.base import (
    CandidateRejection,
    HandshakeReply,
    Headers,
    Ignored,
    Interpretation,
    RejectionDelivery,
)

_ID = "webhook-id"
_TIMESTAMP = "webhook-timestamp"
_SIGNATURE = "webhook-signature"
_SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
_TOLERANCE = timedelta(minutes=5)
_EVENT_TYPE = "candidate.rejected"
_TIMESTAMP_FORMAT = re.compile(r"^[0-9]{1,12}$")  # integer unix seconds, as the spec sends
_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class _Schema(BaseModel):
    # Unknown fields are ignored so that senders may add their own without breaking delivery.
    model_config = ConfigDict(extra="ignore", frozen=True)


class StandardCandidate(_Schema):
    email: str = Field(
        max_length=254,
        pattern=_EMAIL_PATTERN,
        description="The candidate's email address. Bounceback finds the user by it "
        "(case-insensitively); an address no user has registered is accepted and ignored.",
        examples=["ada@example.com"],
    )
    name: str | None = Field(
        default=None,
        max_length=200,
        description="The candidate's name as the job board knows it.",
        examples=["Ada Lovelace"],
    )


class StandardRecruiter(_Schema):
    name: str | None = Field(
        default=None, max_length=200, description="The recruiter's name.", examples=["Grace Hopper"]
    )
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=_EMAIL_PATTERN,
        description="Where the candidate may send a feedback request.",
        examples=["grace@example.com"],
    )


class StandardRejection(_Schema):
    candidate: StandardCandidate = Field(description="Who was rejected.")
    company: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The hiring company. Omit it when the connection is for a single company: "
        "Bounceback then uses the company the connection was created for.",
        examples=["Analytical Engines Ltd"],
    )
    role: str = Field(
        min_length=1,
        max_length=200,
        description="The job the candidate applied for.",
        examples=["Backend Engineer"],
    )
    stage: str | None = Field(
        default=None,
        max_length=200,
        description="The furthest stage the candidate reached (e.g. 'Phone screen', 'Onsite'). "
        "Some companies' reapply waiting periods depend on it.",
        examples=["Onsite"],
    )
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="The rejection reason as the recruiter chose it (a category or short text).",
        examples=["Another candidate matched the experience more closely"],
    )
    message: str | None = Field(
        default=None,
        max_length=20000,
        description="The rejection message exactly as the candidate received it. A waiting "
        "period stated in it ('you are welcome to reapply in 6 months') sets the reapply date.",
    )
    rejected_at: AwareDatetime | None = Field(
        default=None,
        description="When the candidate was rejected (RFC 3339 with an offset). Defaults to the "
        "time Bounceback receives the delivery.",
        examples=["2025-03-14T10:15:00Z"],
    )
    recruiter: StandardRecruiter | None = Field(
        default=None, description="The recruiter to address a feedback request to, when known."
    )


class StandardRejectionBody(_Schema):
    """A candidate rejection sent in Bounceback's own format, signed per Standard Webhooks."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "type": "candidate.rejected",
                    "timestamp": "2025-03-14T10:15:00Z",
                    "data": {
                        "candidate": {"email": "ada@example.com", "name": "Ada Lovelace"},
                        "company": "Analytical Engines Ltd",
                        "role": "Backend Engineer",
                        "stage": "Onsite",
                        "reason": "Another candidate matched the experience more closely",
                        "rejected_at": "2025-03-14T10:00:00Z",
                    },
                }
            ]
        },
    )

    type: Literal["candidate.rejected"] = Field(
        description="The event type. Deliveries with any other type are acknowledged and ignored, "
        "so future event types never fail on an older Bounceback."
    )
    timestamp: AwareDatetime | None = Field(
        default=None,
        description="When the event happened (the Standard Webhooks payload convention).",
    )
    data: StandardRejection = Field(description="The rejection.")


class StandardAdapter:
    name = "standard"
    success_status = 204  # any 2xx succeeds per the specification; there is no body to return
    secret_is_generated = True  # Bounceback issues the whsec_ secret

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        return None

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        msg_id = require_header(headers, _ID)
        timestamp = require_header(headers, _TIMESTAMP)
        signatures = require_header(headers, _SIGNATURE)
        if not _TIMESTAMP_FORMAT.match(timestamp):
            raise InvalidSignatureError("malformed webhook-timestamp header")
        # Compared as numbers: a far-off timestamp must fail the check, not datetime's range.
        if abs(_aware(now).timestamp() - int(timestamp)) > _TOLERANCE.total_seconds():
            raise InvalidSignatureError("webhook-timestamp is outside the tolerance")
        received = _v1_signatures(signatures)
        expected = hmac_sha256(_key(secret), f"{msg_id}.{timestamp}.".encode() + raw_body)
        # Check every entry (no early exit) so timing does not reveal which one matched.
        matched = False
        for candidate in received:
            matched |= hmac.compare_digest(expected, candidate)
        if not matched:
            raise InvalidSignatureError("webhook-signature does not match the body")

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation:
        body = parse_json_object(raw_body)
        event_type = body.get("type")
        if isinstance(event_type, str) and event_type != _EVENT_TYPE:
            return Ignored(why=f"event type {event_type[:60]!r} is not {_EVENT_TYPE}")
        data = read_model(StandardRejectionBody, body, "body").data
        msg_id = (headers.get(_ID) or "").strip()
        if not msg_id:
            raise InvalidPayloadError("missing webhook-id header")
        sender_recruiter = data.recruiter
        rejection = CandidateRejection(
            emails=require_emails([data.candidate.email]),
            candidate_name=text(data.candidate.name),
            role=require_role(data.role),
            stage=text(data.stage),
            reason=text(data.reason),
            message=text(data.message),
            rejected_at=data.rejected_at,
            company=text(data.company),
            recruiter=recruiter(sender_recruiter.name, sender_recruiter.email)
            if sender_recruiter
            else None,
        )
        return RejectionDelivery(dedupe_key=f"standard:{msg_id}", rejection=rejection)

    def new_secret(self) -> str:
        return _SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        timestamp = str(int(_aware(now).timestamp()))
        digest = hmac_sha256(_key(secret), f"{delivery_id}.{timestamp}.".encode() + raw_body)
        return {
            _ID: delivery_id,
            _TIMESTAMP: timestamp,
            _SIGNATURE: "v1," + base64.b64encode(digest).decode(),
        }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _key(secret: str) -> bytes:
    """The HMAC key: the base64 part of ``whsec_<base64>`` decoded (the prefix is optional, as
    in the reference implementation)."""
    encoded = secret.strip().removeprefix(_SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        # A connection secret we cannot use: nothing can be verified, so nothing is stored.
        raise InvalidSignatureError("the connection secret is not a whsec_ secret")
    return key


def _v1_signatures(header: str) -> list[bytes]:
    """The decoded ``v1`` signatures; other versions (e.g. asymmetric ``v1a``) are skipped."""
    found: list[bytes] = []
    for entry in header.split():
        version, _, signature = entry.partition(",")
        if version != "v1":
            continue
        try:
            found.append(base64.b64decode(signature, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not found:
        raise InvalidSignatureError("malformed webhook-signature header")
    return found


ADAPTER = StandardAdapter()

__all__ = [
    "ADAPTER",
    "StandardAdapter",
    "StandardCandidate",
    "StandardRecruiter",
    "StandardRejection",
    "StandardRejectionBody",
]
