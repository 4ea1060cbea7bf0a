"""Ashby webhooks.

Signature: ``Ashby-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw body keyed with the
webhook's secret token. Ashby only signs when a secret token is set; every Bounceback connection
has one, so an unsigned delivery is always refused.

A rejection is an application with ``status == "Archived"`` and an ``archiveReason``, delivered as
``applicationUpdate`` and/or ``candidateStageChange`` (both carry the same ``webhookActionId``, the
dedupe key). ``reasonType == "RejectedByCandidate"`` is the candidate's own withdrawal, not a
rejection. Any 2xx is success.
"""

from __future__ import annotations

from datetime import datetime

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.providers._common import (
    CamelLenient,
    check_digest,
    decode_hex_digest,
    hmac_sha256,
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

_SIGNATURE = "ashby-signature"
_APPLICATION_ACTIONS = ("applicationUpdate", "candidateStageChange")
_CANDIDATE_WITHDREW = "RejectedByCandidate"


class _Email(CamelLenient):
    value: str | None = None


class _Candidate(CamelLenient):
    name: str | None = None
    primary_email_address: _Email | None = None
    email_addresses: list[_Email] | None = None


class _Titled(CamelLenient):
    title: str | None = None


class _ArchiveReason(CamelLenient):
    text: str | None = None
    reason_type: str | None = None


class _Application(CamelLenient):
    id: str | int | None = None
    status: str | None = None
    candidate: _Candidate | None = None
    job: _Titled | None = None
    current_interview_stage: _Titled | None = None
    archive_reason: _ArchiveReason | None = None
    archived_at: str | None = None
    updated_at: str | None = None


class _Data(CamelLenient):
    application: _Application


class _Envelope(CamelLenient):
    webhook_action_id: str | int | None = None
    data: _Data


class AshbyAdapter:
    name = "ashby"
    success_status = 200  # any 2xx counts; 200 is the plainest
    secret_is_generated = True  # the customer pastes our secret into Ashby's "Secret Token"

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        # Ashby's ping is signed and answered through verify → interpret → Ignored.
        return None

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        value = require_header(headers, _SIGNATURE)
        algorithm, separator, digest = value.partition("=")
        if not separator or algorithm.strip().lower() != "sha256":
            raise InvalidSignatureError("malformed ashby-signature header")
        received = decode_hex_digest(digest.strip(), _SIGNATURE)
        check_digest(hmac_sha256(secret.encode(), raw_body), received, _SIGNATURE)

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation:
        body = parse_json_object(raw_body)
        action = body.get("action")
        if not isinstance(action, str):
            raise InvalidPayloadError("body has no action")
        if action not in _APPLICATION_ACTIONS:
            return Ignored(why=f"ashby action {action[:60]!r} is not an application change")
        envelope = read_model(_Envelope, body, "body")
        application = envelope.data.application
        if application.status != "Archived":
            return Ignored(why="application is not archived")
        reason = application.archive_reason
        if reason is None:
            return Ignored(why="archived without a reason: not known to be a rejection")
        if reason.reason_type == _CANDIDATE_WITHDREW:
            return Ignored(why="the candidate withdrew")
        if envelope.webhook_action_id is None or not key_part(envelope.webhook_action_id):
            raise InvalidPayloadError("archived application without webhookActionId")
        candidate = application.candidate or _Candidate()
        primary = candidate.primary_email_address
        others = [e.value for e in candidate.email_addresses or []]
        rejection = CandidateRejection(
            emails=require_emails([primary.value if primary else None, *others]),
            candidate_name=text(candidate.name),
            role=require_role(application.job.title if application.job else None),
            stage=text(application.current_interview_stage.title)
            if application.current_interview_stage
            else None,
            reason=text(reason.text),
            rejected_at=parse_datetime(application.archived_at)
            or parse_datetime(application.updated_at),
        )
        return RejectionDelivery(
            # The same underlying action sends applicationUpdate and candidateStageChange with
            # one webhookActionId, so both collapse into one rejection.
            dedupe_key=f"ashby:{key_part(envelope.webhook_action_id)}",
            rejection=rejection,
            application_key=f"ashby:{key_part(application.id)}"
            if application.id is not None
            else None,
        )

    def new_secret(self) -> str:
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        # Ashby has no delivery-id header: webhookActionId lives in the body.
        return {_SIGNATURE: f"sha256={hmac_sha256(secret.encode(), raw_body).hex()}"}


ADAPTER = AshbyAdapter()

__all__ = ["ADAPTER", "AshbyAdapter"]
