"""Job-board webhooks: one delivery in, one answer out (``POST /webhooks/{provider}/{id}``).

Plain Python over the provider adapters (``bounceback.providers``) and the services; the function
in ``functions/webhooks`` turns the API Gateway event into these arguments and the answer back into
a response. A delivery goes through, in order:

1. the provider and the connection the URL names (404 when either is unknown, deleted, or the
   connection belongs to another provider) and the body size (413 over ``MAX_BODY_BYTES``);
2. the provider's setup handshake, if this is one (JazzHR's VERIFY);
3. the signature over the raw bytes (401, nothing stored);
4. what the delivery means: ignored (success), unreadable (400, or success where the provider
   would retry an unreadable body for hours: ``ACKNOWLEDGE_INVALID_PAYLOAD``), a rejection, or a
   rejection taken back;
5. a rejection: the user by the candidate's emails (none: success, nothing stored), a claim on the
   delivery so a retried or concurrent duplicate does nothing twice, then the same write path as
   the app (``recording.log_rejection``: one rejection, one ``Rejection Logged``);
6. or, for a provider whose deliveries carry ids only (Lever, Teamtailor, SmartRecruiters), a
   lookup: the delivery is stored once under its de-duplication key and answered with success at
   once (SmartRecruiters wants 202 within 5 s; Teamtailor never retries); the table's stream
   queues it, and ``bounceback.workflow.ats_lookup`` reads the rejection back from the ATS and
   logs it through ``record_rejection`` below, the same path as step 5.

Known and unknown candidates get the same answer, so a sender cannot learn who uses Bounceback.
Logs carry ids, the provider and the outcome: never an address, a name or the payload.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bounceback.errors import (
    ConflictError,
    InvalidPayloadError,
    InvalidSignatureError,
    NotFoundError,
)
from bounceback.ids import derived_id
from bounceback.model import Connection
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.providers.base import (
    CandidateRejection,
    Ignored,
    LookupNeeded,
    RejectionDelivery,
    RejectionWithdrawn,
    SignedSender,
)
from bounceback.providers.registry import get_adapter, get_lookup_adapter
from bounceback.services import Services
from bounceback.store.deliveries import DeliveredRejection
from bounceback.store.rejections import GuardFailed
from bounceback.workflow import recording
from bounceback.workflow.rejection_timers import cancel_timers

# Every provider's real deliveries are a few KiB; anything this large is refused unread.
MAX_BODY_BYTES = 256 * 1024
# How long a delivery being processed keeps its duplicates away: longer than the function's
# timeout (template.yaml: 20 s), so a holder that died is taken over only after it surely stopped.
DELIVERY_LEASE = timedelta(seconds=60)
# Providers whose signed but unreadable deliveries are answered with their success code: they
# retry anything else for hours (Greenhouse ~15 h) or without a stated bound (Workable), and the
# same bytes can never become readable. The others get 400 (see docs/providers.md).
ACKNOWLEDGE_INVALID_PAYLOAD = frozenset({"greenhouse", "workable"})

# Connection ids are ours (hex, or a chosen slug in samples); anything else cannot exist.
_CONNECTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    """What became of one delivery: its log field, and (via ``_METRICS``) its one metric."""

    LOGGED = "logged"
    DUPLICATE = "duplicate"
    IN_PROGRESS = "in_progress"
    WITHDRAWN = "withdrawn"
    NOTHING_TO_WITHDRAW = "nothing_to_withdraw"
    IGNORED = "ignored"
    HANDSHAKE = "handshake"
    CANDIDATE_UNKNOWN = "candidate_unknown"
    BAD_SIGNATURE = "bad_signature"
    BAD_PAYLOAD = "bad_payload"
    TOO_LARGE = "too_large"
    UNKNOWN_URL = "unknown_url"
    LOOKUP_QUEUED = "lookup_queued"


_METRICS: Mapping[Outcome, str] = {
    Outcome.LOGGED: "WebhookRejectionLogged",
    Outcome.DUPLICATE: "WebhookDuplicate",
    Outcome.IN_PROGRESS: "WebhookInProgress",
    Outcome.WITHDRAWN: "WebhookRejectionWithdrawn",
    Outcome.NOTHING_TO_WITHDRAW: "WebhookWithdrawalUnmatched",
    Outcome.IGNORED: "WebhookIgnored",
    Outcome.HANDSHAKE: "WebhookHandshake",
    Outcome.CANDIDATE_UNKNOWN: "WebhookCandidateUnknown",
    Outcome.BAD_SIGNATURE: "WebhookSignatureRejected",
    Outcome.BAD_PAYLOAD: "WebhookPayloadInvalid",
    Outcome.TOO_LARGE: "WebhookBodyTooLarge",
    Outcome.UNKNOWN_URL: "WebhookUnknownConnection",
    Outcome.LOOKUP_QUEUED: "WebhookLookupQueued",
}


@dataclass(frozen=True)
class WebhookAnswer:
    """The HTTP answer to a delivery. ``body`` None means no body (e.g. a 204)."""

    status: int
    body: Mapping[str, str] | None
    outcome: Outcome
    headers: Mapping[str, str] = field(default_factory=dict)


def ingest(
    services: Services,
    *,
    provider: str,
    connection_id: str,
    headers: Mapping[str, str],
    raw_body: bytes,
    now: datetime,
    request_id: str,
) -> WebhookAnswer:
    """Answer one delivery. ``headers`` have lower-cased names; ``raw_body`` is exactly the bytes
    the sender signed; ``now`` is when the delivery arrived (the signature's clock)."""
    adapter: SignedSender | None = get_adapter(provider) or get_lookup_adapter(provider)
    if adapter is None or not _CONNECTION_ID.match(connection_id):
        return _finish(Outcome.UNKNOWN_URL, 404, {"message": "no such webhook URL"}, None)
    delivery = _Delivery(adapter, connection_id)
    if len(raw_body) > MAX_BODY_BYTES:
        message = f"the body is larger than {MAX_BODY_BYTES} bytes"
        return delivery.finish(Outcome.TOO_LARGE, 413, {"message": message})
    try:
        connection, secret = services.connections.secret(connection_id)
    except NotFoundError:
        return delivery.finish(Outcome.UNKNOWN_URL, 404, {"message": "no such webhook URL"})
    if connection.provider != adapter.name:
        return delivery.finish(Outcome.UNKNOWN_URL, 404, {"message": "no such webhook URL"})

    reply = adapter.handshake(headers, raw_body)
    if reply is not None:
        return delivery.finish(Outcome.HANDSHAKE, reply.status, reply.body, headers=reply.headers)
    try:
        adapter.verify(headers, raw_body, secret, now)
    except InvalidSignatureError as error:
        return delivery.finish(Outcome.BAD_SIGNATURE, 401, {"message": str(error)})
    try:
        meaning = _interpret(provider, headers, raw_body)
    except InvalidPayloadError as error:
        if adapter.name in ACKNOWLEDGE_INVALID_PAYLOAD:
            return delivery.success(Outcome.BAD_PAYLOAD, "ignored", {"error": str(error)})
        return delivery.finish(Outcome.BAD_PAYLOAD, 400, {"message": str(error)})

    if isinstance(meaning, Ignored):
        return delivery.success(Outcome.IGNORED, "ignored", {"why": meaning.why})
    if isinstance(meaning, LookupNeeded):
        return _queue_lookup(services, delivery, meaning, raw_body, now=now, request_id=request_id)
    recorded = carry_out(
        services,
        connection,
        meaning,
        source=adapter.name,
        now=now,
        correlation_id=request_id,
        log_fields=delivery.fields(),
    )
    if recorded.outcome is Outcome.IN_PROGRESS:
        # Another request is logging this very delivery right now. Not success: if that one
        # fails, the sender must still retry. It will find the delivery done and get success.
        return delivery.finish(
            Outcome.IN_PROGRESS,
            409,
            {"message": "this delivery is being processed; retry later"},
            headers={"retry-after": str(int(DELIVERY_LEASE.total_seconds()))},
            log=recorded.log,
        )
    return delivery.success(recorded.outcome, log=recorded.log)


def _interpret(
    provider: str, headers: Mapping[str, str], raw_body: bytes
) -> Ignored | RejectionDelivery | RejectionWithdrawn | LookupNeeded:
    adapter = get_adapter(provider)
    if adapter is not None:
        return adapter.interpret(headers, raw_body)
    lookup = get_lookup_adapter(provider)
    if lookup is None:  # pragma: no cover - ingest found one of the two already
        raise InvalidPayloadError("unknown provider")
    return lookup.interpret(headers, raw_body)


def unreadable_body() -> WebhookAnswer:
    """The answer to a body that is not even bytes (invalid base64 from the gateway)."""
    message = {"message": "the body is not valid base64"}
    return _finish(Outcome.BAD_PAYLOAD, 400, message, None)


# ------------------------------------------------------------------ rejections
@dataclass(frozen=True)
class Recorded:
    """What became of a rejection or a withdrawal, for the caller's answer, metric and log."""

    outcome: Outcome
    log: Mapping[str, str] = field(default_factory=dict)


def carry_out(
    services: Services,
    connection: Connection,
    meaning: RejectionDelivery | RejectionWithdrawn,
    *,
    source: str,
    now: datetime,
    correlation_id: str,
    log_fields: Mapping[str, str],
    lease_clock: datetime | None = None,
) -> Recorded:
    """What a delivery meant, done: its rejection logged, or its application withdrawn. The
    same for a webhook that carried it and a lookup that read it back."""
    if isinstance(meaning, RejectionWithdrawn):
        return withdraw(services, connection, meaning)
    return record_rejection(
        services,
        connection,
        meaning,
        source=source,
        now=now,
        correlation_id=correlation_id,
        log_fields=log_fields,
        lease_clock=lease_clock,
    )


def record_rejection(
    services: Services,
    connection: Connection,
    meaning: RejectionDelivery,
    *,
    source: str,
    now: datetime,
    correlation_id: str,
    log_fields: Mapping[str, str],
    lease_clock: datetime | None = None,
) -> Recorded:
    """Log the rejection a delivery carried (or a lookup read back), once per de-duplication
    key: the user by the candidate's emails, a claim on the delivery, the app's write path.

    The claim's lease runs on ``lease_clock`` when given (a lookup's: the machine's clock, since
    every retry of its event carries the same ``now`` and would never see a dead holder's lease
    run out), else on ``now`` (a webhook request's own arrival time)."""
    found = _find_user(services, meaning.rejection.emails)
    if found is None:
        return Recorded(Outcome.CANDIDATE_UNKNOWN)
    user_id, address = found
    # Everything this delivery writes for the user holds only while the address it was
    # routed by is still theirs: a user who deletes their account mid-delivery gets nothing.
    owned = services.profiles.owns(user_id, address)
    rejection_id = derived_id("webhook", connection.id, meaning.dedupe_key)
    try:
        claimed = services.deliveries.claim(
            user_id=user_id,
            rejection_id=rejection_id,
            connection_id=connection.id,
            provider=source,
            application_key=meaning.application_key,
            now=lease_clock or now,
            lease=DELIVERY_LEASE,
            guard=owned,
        )
    except GuardFailed:
        return Recorded(Outcome.CANDIDATE_UNKNOWN)
    if not claimed:
        if services.deliveries.is_completed(user_id, rejection_id):
            return Recorded(Outcome.DUPLICATE, {"rejection_id": rejection_id})
        return Recorded(Outcome.IN_PROGRESS, {"rejection_id": rejection_id})
    try:
        rejection, created = recording.log_rejection(
            services,
            user_id=user_id,
            rejection_id=rejection_id,
            draft=_draft(meaning.rejection, connection, now, log_fields),
            source=source,
            now=now,
            correlation_id=correlation_id,
            guard=owned,
        )
    except GuardFailed:
        services.deliveries.release(user_id, rejection_id)
        return Recorded(Outcome.CANDIDATE_UNKNOWN)
    except BaseException:
        services.deliveries.release(user_id, rejection_id)
        raise
    services.deliveries.complete(user_id, rejection_id, now)
    outcome = Outcome.LOGGED if created else Outcome.DUPLICATE
    return Recorded(outcome, {"rejection_id": rejection.id})


def _find_user(services: Services, emails: tuple[str, ...]) -> tuple[str, str] | None:
    """The user who owns one of the candidate's addresses (verified: naming an address is
    not enough), and that address. In the payload's order: the first owned address wins."""
    for email in emails:
        user_id = services.profiles.find_user_by_email(email)
        if user_id is not None:
            return user_id, email.lower()
    return None


def _draft(
    rejection: CandidateRejection,
    connection: Connection,
    now: datetime,
    log_fields: Mapping[str, str],
) -> recording.RejectionDraft:
    rejected_at = rejection.rejected_at
    if rejected_at is not None and not (
        now - recording.OLDEST_REJECTION <= rejected_at <= now + recording.CLOCK_SKEW
    ):
        # An ATS's clock or time zone is off (JazzHR times without an offset are read as UTC),
        # or a placeholder date: the delivery itself is the best evidence of when it happened.
        logger.info("rejected_at out of range; using the delivery time", extra=dict(log_fields))
        rejected_at = now
    return recording.RejectionDraft(
        company=rejection.company or connection.company,
        role=rejection.role,
        stage=rejection.stage,
        rejected_at=rejected_at,
        reason=rejection.reason,
        message=rejection.message,
        recruiter=rejection.recruiter,
    )


# ------------------------------------------------------------------ withdrawals
def withdraw(services: Services, connection: Connection, meaning: RejectionWithdrawn) -> Recorded:
    """Mark every rejection of the application withdrawn and cancel its timers. Repeating it is
    harmless (already withdrawn rejections are skipped), so it needs no claim of its own."""
    withdrawn = 0
    if meaning.application_key:
        delivered = services.deliveries.of_application(connection.id, meaning.application_key)
        withdrawn = sum(_withdraw_one(services, one) for one in delivered)
    if withdrawn == 0:
        return Recorded(Outcome.NOTHING_TO_WITHDRAW)
    return Recorded(Outcome.WITHDRAWN, {"withdrawn": str(withdrawn)})


def _withdraw_one(services: Services, delivered: DeliveredRejection) -> bool:
    rejection = services.rejections.get(delivered.user_id, delivered.rejection_id)
    if rejection is None or rejection.status == _WITHDRAWN:
        return False
    try:
        services.rejections.update(rejection.model_copy(update={"status": _WITHDRAWN}))
    except ConflictError:  # deleted meanwhile
        return False
    cancel_timers(services, rejection.id)
    return True


# ------------------------------------------------------------------ lookups
def _queue_lookup(
    services: Services,
    delivery: _Delivery,
    meaning: LookupNeeded,
    raw_body: bytes,
    *,
    now: datetime,
    request_id: str,
) -> WebhookAnswer:
    """Store the delivery for its lookup, once: a duplicate (same key) stores and queues
    nothing. A delivery whose key only the lookup can complete (a SmartRecruiters delivery
    without ``event-id``) is keyed on its bytes; its lookup's rejection is still logged once."""
    key = meaning.dedupe_key or "body:" + hashlib.sha256(raw_body).hexdigest()
    lookup_id = derived_id("lookup", delivery.connection_id, key)
    stored = services.lookups.add(
        lookup_id=lookup_id,
        connection_id=delivery.connection_id,
        provider=delivery.adapter.name,
        needed=meaning.model_dump_json(),
        received_at=now,
        correlation_id=request_id,
    )
    outcome = Outcome.LOOKUP_QUEUED if stored else Outcome.DUPLICATE
    return delivery.success(outcome, log={"lookup_id": lookup_id})


# ------------------------------------------------------------------ answers, metrics, logs
@dataclass(frozen=True)
class _Delivery:
    adapter: SignedSender
    connection_id: str

    def fields(self) -> dict[str, str]:
        return {"provider": self.adapter.name, "connection_id": self.connection_id}

    def success(
        self, outcome: Outcome, status: str = "accepted", log: Mapping[str, str] | None = None
    ) -> WebhookAnswer:
        """The provider's success code. Logged, duplicate and unknown-candidate deliveries read
        the same, so the answer never tells a sender whether the candidate uses Bounceback."""
        answer_status = self.adapter.success_status
        body = None if answer_status == 204 else {"status": status}
        return self.finish(outcome, answer_status, body, log=log)

    def finish(
        self,
        outcome: Outcome,
        status: int,
        body: Mapping[str, str] | None,
        *,
        headers: Mapping[str, str] | None = None,
        log: Mapping[str, str] | None = None,
    ) -> WebhookAnswer:
        return _finish(outcome, status, body, self.fields(), headers=headers, log=log)


def _finish(
    outcome: Outcome,
    status: int,
    body: Mapping[str, str] | None,
    fields: Mapping[str, str] | None,
    *,
    headers: Mapping[str, str] | None = None,
    log: Mapping[str, str] | None = None,
) -> WebhookAnswer:
    metrics.add_metric(name=_METRICS[outcome], unit=MetricUnit.Count, value=1)
    # Expected answers, client errors included, are INFO without a stack trace.
    logger.info(
        "webhook delivery answered",
        extra={"outcome": outcome.value, "status": status, **(fields or {}), **(log or {})},
    )
    return WebhookAnswer(status=status, body=body, outcome=outcome, headers=dict(headers or {}))
