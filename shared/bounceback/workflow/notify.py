"""Deliver a notification: into the inbox once, and by email once when the user allows it.

The inbox write is conditional on the notification's business-key id, so a duplicated event
stores nothing new, and on its rejection being live, so a step still running after the user
deleted it writes nothing. The email goes to the user's first verified address only, and
goes out once: the sender claims it first (``NotificationStore.claim_email``). If SES fails,
the claim is given back and the error propagates: the event is retried and sends it then.
A copy of the step that finds the email claimed by another raises ``EmailInFlightError``, so
it is retried later and finds it sent (or takes it over if the holder died).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bounceback.errors import BouncebackError
from bounceback.model import Notification, NotificationKind
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.services import Services

# Longer than a step's Timeout (template.yaml: 20 s), so a claim is taken over only once its
# holder has surely stopped.
EMAIL_LEASE = timedelta(seconds=30)
MARK_SENT_ATTEMPTS = 5


class EmailInFlightError(BouncebackError):
    """Another copy of this step is sending this notification's email right now."""


def deliver(services: Services, notification: Notification, now: datetime) -> bool:
    """Returns True when this call stored the notification (False: a duplicate, or its
    rejection was deleted meanwhile)."""
    added = services.notifications.add(notification)
    if added is None:
        return False
    stored, created = added
    if created:
        metrics.add_metric(name="NotificationsCreated", unit=MetricUnit.Count, value=1)
    if stored.email_status in ("sent", "skipped"):
        return created
    profile = services.profiles.get(notification.user_id)
    to = profile.mail_to if profile is not None and profile.email_notifications else None
    if profile is None or to is None:
        services.notifications.set_email_status(notification, "skipped", now)
        return created
    # The lease runs on the machine's clock, not ``now`` (the event's time): every retry of an
    # event carries the same time, and would never see the lease of a holder that died run out.
    claim = services.notifications.claim_email(notification, datetime.now(UTC), EMAIL_LEASE)
    if claim == "in_flight":
        raise EmailInFlightError("another copy of this step is sending this email")
    if claim != "claimed":  # sent meanwhile, or the rejection is being deleted
        return created
    try:
        services.mailer.send(to, stored.notification, profile.display_name)
    except BaseException:
        services.notifications.release_email(notification)
        raise
    _record_sent(services, notification, now)
    metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)
    logger.info("notification emailed", extra={"notification_id": notification.id})
    return created


def _record_sent(services: Services, notification: Notification, now: datetime) -> None:
    """Mark the email sent, insisting: until it is marked, a retry that outlives the claim's
    lease would send it again. A few tries with backoff ride out throttling; beyond them the
    error propagates and the window in docs/decisions.md is what is left."""
    for attempt in range(1, MARK_SENT_ATTEMPTS + 1):
        try:
            services.notifications.set_email_status(notification, "sent", now)
            return
        except Exception:
            if attempt == MARK_SENT_ATTEMPTS:
                raise
            logger.warning("marking an email sent failed; trying again", extra={"attempt": attempt})
            time.sleep(min(2.0, 0.1 * 2**attempt))


def notification_id(kind: str, subject_id: str) -> str:
    """The business key of a notification: one of each kind per rejection (or feedback)."""
    return f"{kind}-{subject_id}"


def notify(
    services: Services,
    *,
    kind: NotificationKind,
    user_id: str,
    rejection_id: str,
    title: str,
    body: str,
    now: datetime,
    subject_id: str | None = None,
) -> bool:
    """Deliver the one notification of ``kind`` about a rejection (or, with ``subject_id``,
    about one thing of it, such as a feedback). Returns True when this call created it."""
    notification = Notification(
        id=notification_id(kind, subject_id or rejection_id),
        user_id=user_id,
        kind=kind,
        title=title,
        body=body,
        created_at=now,
        rejection_id=rejection_id,
    )
    return deliver(services, notification, now)
