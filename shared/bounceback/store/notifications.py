"""The in-app inbox: each notification stored once (its id is its business key), its email
sent once, and read newest first.

A notification about a rejection is stored only while the rejection is live (see
``rejections.LIVE``). Its email goes out once even when two copies of a step run at the same
time: a sender first *claims* it (``pending`` -> ``sending``, with a lease, in a transaction
that also requires the rejection to be live; a new notification is stored claimed), sends,
then marks it ``sent``. A copy that finds
it claimed does not send; one that finds the lease run out (the holder died) claims it again.
The window left: the holder's process dies after SES accepted the email and before it is
marked sent; when the lease runs out a retry sends it a second time (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bounceback.model import Notification
from bounceback.store import keys
from bounceback.store.items import EmailStatus, NotificationItem
from bounceback.store.rejections import LIVE
from bounceback.store.table import NEW, Check, ConditionFailed, Page, Put, Table, Update


@dataclass(frozen=True)
class StoredNotification:
    notification: Notification
    email_status: EmailStatus


EmailClaim = Literal["claimed", "in_flight", "done", "gone"]


class NotificationStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(
        self,
        notification: Notification,
        *,
        email: Literal["claim", "skip"] | None = None,
        now: datetime | None = None,
        lease: timedelta | None = None,
    ) -> tuple[StoredNotification, bool] | None:
        """Store a notification once; returns the stored one and whether this call stored it,
        or None when its rejection is no longer live (nothing stored).

        ``email`` settles its email in the same write when this call stores it: ``claim``
        stores it claimed for ``lease`` from ``now`` (as ``claim_email`` would, one write
        fewer), ``skip`` stores it skipped (as ``set_email_status`` would). A notification
        already stored is returned as it is: its email is settled the usual way."""
        item = NotificationItem.of(notification)
        if email == "claim" and now is not None and lease is not None:
            until = int((now + lease).timestamp())
            item = item.model_copy(update={"email_status": "sending", "email_lease_until": until})
        elif email == "skip" and now is not None:
            item = item.model_copy(update={"email_status": "skipped", "emailed_at": now})
        guard = self._live(notification)
        try:
            self._table.transact([Put(item, NEW), *guard])
        except ConditionFailed as error:
            if 0 not in error.failed:
                return None
        else:
            return StoredNotification(notification, item.email_status), True
        existing = self._table.get(item.key, NotificationItem)
        if existing is None:
            return None  # deleted with its rejection between the two calls
        return StoredNotification(existing.to_notification(), existing.email_status), False

    def claim_email(
        self, notification: Notification, now: datetime, lease: timedelta
    ) -> EmailClaim:
        """Take the right to send the notification's email, for ``lease``."""
        key = _key(notification)
        until = int((now + lease).timestamp())
        claim = Update(
            key,
            set_values={"email_status": "sending", "email_lease_until": until},
            condition="email_status = :pending OR "
            "(email_status = :sending AND email_lease_until < :now)",
            values={":pending": "pending", ":sending": "sending", ":now": int(now.timestamp())},
        )
        try:
            self._table.transact([claim, *self._live(notification)])
        except ConditionFailed as error:
            if 0 not in error.failed:
                return "gone"
            current = self._table.get(key, NotificationItem)
            if current is None:
                return "gone"
            return "in_flight" if current.email_status == "sending" else "done"
        return "claimed"

    def release_email(self, notification: Notification) -> None:
        """The send failed: give the claim back at once, so a retry need not wait the lease."""
        try:
            self._table.update(
                _key(notification),
                set_values={"email_status": "pending"},
                remove=["email_lease_until"],
                condition="email_status = :sending",
                values={":sending": "sending"},
            )
        except ConditionFailed:
            return

    def set_email_status(
        self, notification: Notification, status: Literal["sent", "skipped"], at: datetime
    ) -> None:
        """The email went out (or will not: no address). A notification deleted meanwhile
        (with its rejection) has nothing to record."""
        try:
            self._table.update(
                _key(notification),
                set_values={"email_status": status, "emailed_at": keys.iso(at)},
                remove=["email_lease_until"],
            )
        except ConditionFailed:
            return

    def _live(self, notification: Notification) -> list[Check]:
        if notification.rejection_id is None:
            return []
        return [Check(keys.rejection(notification.user_id, notification.rejection_id), LIVE)]

    def page(self, user_id: str, *, limit: int, next_token: str | None) -> Page[Notification]:
        """One page of the user's inbox, newest first."""
        page = self._table.query_collection(
            keys.notifications_of(user_id), NotificationItem, limit=limit, next_token=next_token
        )
        return Page([item.to_notification() for item in page.items], page.next_token)

    def iter_all(self, user_id: str) -> Iterator[Notification]:
        """The user's whole inbox, newest first."""
        for item in self._table.iter_collection(keys.notifications_of(user_id), NotificationItem):
            yield item.to_notification()


def _key(notification: Notification) -> keys.Key:
    return keys.notification(notification.user_id, notification.rejection_id, notification.id)
