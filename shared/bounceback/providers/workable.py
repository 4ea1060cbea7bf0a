"""Workable webhook subscriptions.

Signature: ``X-Workable-Signature``, the HMAC-SHA256 of the raw body keyed with the account's API
token (or the OAuth app's secret) — so Workable, not Bounceback, issues the secret. Public
integrations read it as hex; Workable's own documentation does not state the encoding, so both
hex and base64 are accepted (both are the same 32 bytes: neither form weakens the check).

A rejection is a candidate event (``candidate_moved``) whose ``data.disqualified`` is true. The
payload is the candidate as it is at delivery time. Workable expects 200 and replays otherwise.
"""

from __future__ import annotations

from datetime import datetime

from bounceback.errors import InvalidPayloadError
from bounceback.providers._common import (
    Lenient,
    check_digest,
    decode_base64_digest,
    decode_hex_digest,
    hmac_sha256,
    join_name,
    key_part,
    new_url_safe_secret,
    parse_datetime,
    parse_json_object,
    read_model,
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

_SIGNATURE = "x-workable-signature"
_MOVED = "candidate_moved"
_HEX_LENGTH = 64


class _Named(Lenient):
    name: str | None = None


class _Job(Lenient):
    title: str | None = None


class _Candidate(Lenient):
    id: str | int | None = None
    name: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    job: _Job | None = None
    account: _Named | None = None  # the hiring account: the one payload here naming the company
    stage: str | _Named | None = None  # a stage name (older payloads) or an object with one
    disqualified: bool | None = None
    disqualification_reason: str | None = None
    disqualified_at: str | None = None


class _Envelope(Lenient):
    event_type: str | None = None
    data: _Candidate


class WorkableAdapter:
    name = "workable"
    success_status = 200  # Workable replays anything else
    secret_is_generated = False  # the key is the account's API token (or OAuth app secret)

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        return None

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        value = require_header(headers, _SIGNATURE)
        # Unconfirmed encoding (PROVIDERS.md): 64 hex digits as integrations see it, else base64.
        if len(value) == _HEX_LENGTH:
            received = decode_hex_digest(value, _SIGNATURE)
        else:
            received = decode_base64_digest(value, _SIGNATURE)
        check_digest(hmac_sha256(secret.encode(), raw_body), received, _SIGNATURE)

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation:
        body = parse_json_object(raw_body)
        event_type = body.get("event_type")
        if isinstance(event_type, str) and event_type != _MOVED:
            return Ignored(why=f"workable event {event_type[:60]!r} is not a candidate move")
        candidate = read_model(_Envelope, body, "body").data
        if candidate.disqualified is not True:
            return Ignored(why="candidate is not disqualified")
        if candidate.id is None or not key_part(candidate.id) or not candidate.disqualified_at:
            # Both are the dedupe key; without them a retry could not be told from a new event.
            raise InvalidPayloadError("disqualified candidate without id or disqualified_at")
        stage = candidate.stage.name if isinstance(candidate.stage, _Named) else candidate.stage
        rejection = CandidateRejection(
            emails=require_emails([candidate.email]),
            candidate_name=text(candidate.name)
            or join_name(candidate.firstname, candidate.lastname),
            role=require_role(candidate.job.title if candidate.job else None),
            stage=text(stage),
            reason=text(candidate.disqualification_reason),
            rejected_at=parse_datetime(candidate.disqualified_at),
            company=text(candidate.account.name) if candidate.account else None,
        )
        return RejectionDelivery(
            dedupe_key=":".join(
                ("workable", key_part(candidate.id), key_part(candidate.disqualified_at))
            ),
            rejection=rejection,
            # A Workable "candidate" is one person's application to one job.
            application_key=f"workable:{key_part(candidate.id)}",
        )

    def new_secret(self) -> str:
        # Only for tests and the local demo: a real connection stores the account's API token.
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        return {_SIGNATURE: hmac_sha256(secret.encode(), raw_body).hex()}


ADAPTER = WorkableAdapter()

__all__ = ["ADAPTER", "WorkableAdapter"]
