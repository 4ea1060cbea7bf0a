"""Deliver a notification: into the inbox once, and by email once when the user allows it.

The inbox write is conditional on the notification's business-key id, so a duplicated event
stores nothing new. The email goes out only while the stored notification says ``pending``;
if SES fails the error propagates, the event is retried, and the retry finds the stored
notification still pending and sends it then — without a second inbox entry.
"""

from __future__ import annotations

from datetime import datetime

from bounceback.model import Notification, NotificationKind
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.services import Services


def deliver(services: Services, notification: Notification, now: datetime) -> bool:
    """Returns True when this call stored the notification (False: it was a duplicate)."""
    stored, created = services.notifications.add(notification)
    if created:
        metrics.add_metric(name="NotificationsCreated", unit=MetricUnit.Count, value=1)
    if stored.email_status != "pending":
        return created
    profile = services.profiles.get(notification.user_id)
    if profile is None or not profile.email_notifications or not profile.emails:
        services.notifications.set_email_status(notification, "skipped", now)
        return created
    services.mailer.send(profile.emails[0], stored.notification, profile.display_name)
    services.notifications.set_email_status(notification, "sent", now)
    metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)
    logger.info("notification emailed", extra={"notification_id": notification.id})
    return created


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
