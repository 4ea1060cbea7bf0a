"""The write side: a rejection or a feedback is stored, once; the store's commit is its event.

Used by the app API and by the job-board webhooks alike, so a rejection typed in the app and
one sent by an ATS go through the same path. Nothing here publishes: the table's stream
carries every committed rejection and feedback to the bus ("Rejection Logged", "Feedback
Received": ``functions/publish_events``), so a write and its event can never diverge. A
retry of the same request (same id) finds the first write and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from bounceback.cooldowns import reapply_date, resolve_cooldown
from bounceback.errors import ConflictError, InvalidRequestError, NotFoundError
from bounceback.ids import derived_id
from bounceback.model import Feedback, Recruiter, Rejection
from bounceback.observability import MetricUnit, metrics
from bounceback.services import Services
from bounceback.store.table import Check

# Clocks of phones and ATSs drift; a date a few minutes ahead is a clock, not a lie.
CLOCK_SKEW = timedelta(minutes=5)
OLDEST_REJECTION = timedelta(days=365 * 10)


class RejectionDraft(BaseModel):
    """What the app or a job board tells us about a rejection."""

    model_config = ConfigDict(frozen=True)

    company: str
    role: str
    stage: str | None = None
    rejected_at: datetime | None = None
    reason: str | None = None
    message: str | None = None
    recruiter: Recruiter | None = None
    cooldown_days: int | None = Field(default=None, ge=0, le=3650)


def _check_date(moment: datetime, now: datetime, what: str) -> None:
    if moment.tzinfo is None:
        raise InvalidRequestError(f"{what} needs a timezone (e.g. 2026-05-01T09:00:00Z)")
    if moment > now + CLOCK_SKEW:
        raise InvalidRequestError(f"{what} is in the future")
    if moment < now - OLDEST_REJECTION:
        raise InvalidRequestError(f"{what} is more than ten years ago")


def log_rejection(
    services: Services,
    *,
    user_id: str,
    rejection_id: str,
    draft: RejectionDraft,
    source: str,
    now: datetime,
    correlation_id: str,
    guard: Check | None = None,
) -> tuple[Rejection, bool]:
    """Store the rejection, once (the stream then announces it: "Rejection Logged").

    Returns the stored rejection and whether this call created it. With ``guard`` (a
    webhook's: the user still owns the address), it is stored only while the guard holds
    (else ``GuardFailed``).
    """
    rejected_at = draft.rejected_at or now
    _check_date(rejected_at, now, "rejected_at")
    cooldown = resolve_cooldown(
        company=draft.company,
        stage=draft.stage,
        message=" ".join(t for t in (draft.message, draft.reason) if t) or None,
        override_days=draft.cooldown_days,
    )
    candidate = Rejection(
        id=rejection_id,
        user_id=user_id,
        company=draft.company,
        role=draft.role,
        stage=draft.stage,
        reason=draft.reason,
        message=draft.message,
        rejected_at=rejected_at,
        logged_at=now,
        source=source,
        recruiter=draft.recruiter,
        cooldown=cooldown,
        reapply_at=reapply_date(rejected_at, cooldown),
    )
    written = services.rejections.add(candidate, correlation_id=correlation_id, guard=guard)
    if written.created:
        metrics.add_metric(name="RejectionsLogged", unit=MetricUnit.Count, value=1)
    return written.item, written.created


def log_app_rejection(
    services: Services,
    *,
    user_id: str,
    draft: RejectionDraft,
    idempotency_key: str | None,
    now: datetime,
    correlation_id: str,
) -> tuple[Rejection, bool]:
    """A rejection the user logs in the app (``POST /rejections``), once per key.

    The id comes from the ``Idempotency-Key`` when there is one; without it, from the natural
    key: the same company, role, stage and day from the same user is the same rejection (a
    client retrying after a lost answer). A key reused for another company or role is a
    conflict; letter case is no difference, in the natural key as in that check ("Acme" and
    "ACME" are one company). Returns the stored rejection and whether this call created it."""
    if idempotency_key:
        rejection_id = derived_id("rejection", user_id, idempotency_key)
    else:
        day = (draft.rejected_at or now).date().isoformat()
        natural = (*_same_rejection(draft.company, draft.role), (draft.stage or "").casefold())
        rejection_id = derived_id("rejection", user_id, *natural, day)
    rejection, created = log_rejection(
        services,
        user_id=user_id,
        rejection_id=rejection_id,
        draft=draft,
        source="app",
        now=now,
        correlation_id=correlation_id,
    )
    if not created and _same_rejection(rejection.company, rejection.role) != _same_rejection(
        draft.company, draft.role
    ):
        raise ConflictError("this Idempotency-Key was used for a different rejection")
    return rejection, created


def _same_rejection(company: str, role: str) -> tuple[str, str]:
    """What makes two logged rejections one, whatever their letter case."""
    return company.casefold(), role.casefold()


def record_app_feedback(
    services: Services,
    *,
    user_id: str,
    rejection_id: str,
    text: str,
    received_at: datetime | None,
    idempotency_key: str | None,
    now: datetime,
    correlation_id: str,
) -> Feedback:
    """Feedback the user adds in the app, once per key; without a key, the same text on the
    same rejection is the same feedback."""
    key = idempotency_key or text
    return record_feedback(
        services,
        user_id=user_id,
        rejection_id=rejection_id,
        feedback_id=derived_id("feedback", user_id, rejection_id, key),
        text=text,
        received_at=received_at,
        now=now,
        correlation_id=correlation_id,
    )


def record_feedback(
    services: Services,
    *,
    user_id: str,
    rejection_id: str,
    feedback_id: str,
    text: str,
    received_at: datetime | None,
    now: datetime,
    correlation_id: str,
) -> Feedback:
    """Store the feedback on the user's rejection, once (announced: "Feedback Received")."""
    rejection = services.rejections.get(user_id, rejection_id)
    if rejection is None:
        raise NotFoundError("rejection not found")
    moment = received_at or now
    _check_date(moment, now, "received_at")
    candidate = Feedback(id=feedback_id, rejection_id=rejection_id, text=text, received_at=moment)
    written = services.rejections.add_feedback(
        user_id,
        candidate,
        company=rejection.company,
        role=rejection.role,
        recorded_at=now,
        correlation_id=correlation_id,
    )
    if written.created:
        metrics.add_metric(name="FeedbackRecorded", unit=MetricUnit.Count, value=1)
    return written.item


def update_rejection(
    services: Services,
    *,
    user_id: str,
    rejection_id: str,
    changes: dict[str, object],
    now: datetime,
    correlation_id: str,
) -> Rejection:
    """Change a rejection (e.g. the user's own waiting period) and move its reapply timer."""
    from bounceback.workflow.reapply import schedule_reapply

    current = services.rejections.get(user_id, rejection_id)
    if current is None:
        raise NotFoundError("rejection not found")
    fields = {name: value for name, value in changes.items() if name != "cooldown_days"}
    merged = Rejection.model_validate(current.model_dump() | fields)
    if "cooldown_days" in changes:  # set, or cleared with null
        override = changes["cooldown_days"]
    else:  # keep an override the user set before
        override = current.cooldown.days if current.cooldown.basis == "user_override" else None
    cooldown = resolve_cooldown(
        company=merged.company,
        stage=merged.stage,
        message=" ".join(t for t in (merged.message, merged.reason) if t) or None,
        override_days=override if isinstance(override, int) else None,
    )
    updated = merged.model_copy(
        update={"cooldown": cooldown, "reapply_at": reapply_date(merged.rejected_at, cooldown)}
    )
    services.rejections.update(updated)
    if updated.reapply_at != current.reapply_at and updated.status == "rejected":
        schedule_reapply(services, updated, now=now, correlation_id=correlation_id)
    return updated


def delete_rejection(services: Services, *, user_id: str, rejection_id: str, now: datetime) -> None:
    """The rejection, everything about it and its timers are gone; what a step still running
    for it would write afterwards is refused (``RejectionStore.delete``)."""
    from bounceback.workflow.rejection_timers import cancel_timers

    if not services.rejections.delete(user_id, rejection_id, now):
        raise NotFoundError("rejection not found")
    cancel_timers(services, rejection_id)
