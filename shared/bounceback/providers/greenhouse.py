"""Greenhouse Recruiting web hooks.

Signature: ``Signature: sha256 <hex>`` — the lowercase hex HMAC-SHA256 of the whole raw body, keyed
with the secret the customer typed into Greenhouse. No timestamp. Greenhouse escapes characters
such as ``<`` as ``\\u003c`` before signing, so only the bytes as received verify: never re-encode.

A rejection is ``action = "reject_candidate"``; ``unreject_candidate`` takes it back. Bulk rejects
send one hook per application. Success is exactly 200 (anything else is retried for ~15 hours,
and a failed ping on save disables the hook).
"""

from __future__ import annotations

from datetime import datetime

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.providers._common import (
    Lenient,
    check_digest,
    decode_hex_digest,
    hmac_sha256,
    join_name,
    key_part,
    new_url_safe_secret,
    parse_datetime,
    parse_json_object,
    read_model,
    recruiter,
    require_emails,
    require_header,
    require_role,
    text,
    usable_emails,
)
from bounceback.providers.base import (
    CandidateRejection,
    HandshakeReply,
    Headers,
    Ignored,
    Interpretation,
    RejectionDelivery,
    RejectionWithdrawn,
)

_SIGNATURE = "signature"
_EVENT_ID = "greenhouse-event-id"
_REJECT = "reject_candidate"
_UNREJECT = "unreject_candidate"


class _Named(Lenient):
    name: str | None = None


class _RejectionReason(Lenient):
    name: str | None = None
    type: _Named | None = None  # the reason's category, e.g. "Wrong skill set"


class _Value(Lenient):
    value: str | None = None


class _User(Lenient):
    name: str | None = None
    email: str | None = None


class _Candidate(Lenient):
    first_name: str | None = None
    last_name: str | None = None
    email_addresses: list[_Value] | None = None
    recruiter: _User | None = None
    # ``company`` is the candidate's current employer, not the hiring company: never read it.


class _Application(Lenient):
    id: int | str
    status: str | None = None
    rejected_at: str | None = None
    last_activity_at: str | None = None
    candidate: _Candidate | None = None
    jobs: list[_Named] | None = None
    current_stage: _Named | None = None
    rejection_reason: _RejectionReason | None = None


class _Payload(Lenient):
    application: _Application


class GreenhouseAdapter:
    name = "greenhouse"
    success_status = 200  # exactly 200: Greenhouse treats any other code as a failure
    secret_is_generated = True  # the customer pastes our secret into Greenhouse's "Secret key"

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        # Greenhouse's ping on save is signed like any hook: verify → interpret → Ignored.
        return None

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        value = require_header(headers, _SIGNATURE)
        algorithm, _, digest = value.partition(" ")
        if algorithm.strip().lower() != "sha256":
            raise InvalidSignatureError("malformed signature header")
        received = decode_hex_digest(digest.strip(), _SIGNATURE)
        check_digest(hmac_sha256(secret.encode(), raw_body), received, _SIGNATURE)

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation:
        body = parse_json_object(raw_body)
        action = body.get("action")
        if not isinstance(action, str):
            raise InvalidPayloadError("body has no action")
        if action not in (_REJECT, _UNREJECT):
            return Ignored(why=f"greenhouse action {action[:60]!r} is not a rejection")
        application = read_model(_Payload, body.get("payload"), "payload").application
        if action == _UNREJECT:
            return _withdrawal(application)
        return _rejection(application)

    def new_secret(self) -> str:
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        digest = hmac_sha256(secret.encode(), raw_body).hex()
        return {_SIGNATURE: f"sha256 {digest}", _EVENT_ID: delivery_id}


def application_key(application_id: int | str) -> str:
    """The application a rejection and its undo share: how an unreject finds the rejection."""
    return f"greenhouse:{key_part(application_id)}"


def _emails(application: _Application) -> list[str | None]:
    candidate = application.candidate or _Candidate()
    return [e.value for e in candidate.email_addresses or []]


def _rejection(application: _Application) -> RejectionDelivery:
    if not application.rejected_at:
        # rejected_at is part of the key: without it a later re-rejection would be dropped.
        raise InvalidPayloadError("reject_candidate without rejected_at")
    candidate = application.candidate or _Candidate()
    reason = application.rejection_reason
    hiring_recruiter = candidate.recruiter
    rejection = CandidateRejection(
        emails=require_emails(_emails(application)),
        candidate_name=join_name(candidate.first_name, candidate.last_name),
        role=require_role(next((j.name for j in application.jobs or [] if text(j.name)), None)),
        stage=text(application.current_stage.name) if application.current_stage else None,
        # The reason as the recruiter chose it; its category only when no name was given.
        reason=(text(reason.name) or (text(reason.type.name) if reason.type else None))
        if reason
        else None,
        rejected_at=parse_datetime(application.rejected_at),
        recruiter=recruiter(hiring_recruiter.name, hiring_recruiter.email)
        if hiring_recruiter
        else None,
    )
    return RejectionDelivery(
        # PROVIDERS.md: application.id + action + rejected_at, each exactly as sent.
        dedupe_key=":".join(
            ("greenhouse", key_part(application.id), _REJECT, key_part(application.rejected_at))
        ),
        rejection=rejection,
        application_key=application_key(application.id),
    )


def _withdrawal(application: _Application) -> RejectionWithdrawn:
    # The undo has rejected_at: null, so it cannot name the rejection's key; application_key
    # finds every rejection of this application instead. Its own key uses last_activity_at so
    # that reject → unreject → reject → unreject keeps both undos apart while retries collapse.
    return RejectionWithdrawn(
        dedupe_key=":".join(
            (
                "greenhouse",
                key_part(application.id),
                _UNREJECT,
                key_part(application.last_activity_at),
            )
        ),
        emails=usable_emails(_emails(application)),
        application_key=application_key(application.id),
    )


ADAPTER = GreenhouseAdapter()

__all__ = ["ADAPTER", "GreenhouseAdapter", "application_key"]
