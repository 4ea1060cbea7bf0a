"""The in-app inbox: each notification stored once (its id is its business key), its email
sent once (``email_status``), and read newest first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bounceback.errors import ConflictError
from bounceback.model import Notification
from bounceback.store import keys
from bounceback.store.items import EmailStatus, NotificationItem
from bounceback.store.table import Page, Table


@dataclass(frozen=True)
class StoredNotification:
    notification: Notification
    email_status: EmailStatus


class NotificationStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, notification: Notification) -> tuple[StoredNotification, bool]:
        """Store a notification once; returns the stored one and whether this call stored it."""
        item = NotificationItem.of(notification)
        if self._table.put_new(item):
            return StoredNotification(notification, item.email_status), True
        existing = self._table.get(item.key, NotificationItem)
        if existing is None:
            raise ConflictError("the notification was deleted while it was being stored")
        return StoredNotification(existing.to_notification(), existing.email_status), False

    def set_email_status(
        self, notification: Notification, status: Literal["sent", "skipped"], at: datetime
    ) -> None:
        key = keys.notification(notification.user_id, notification.rejection_id, notification.id)
        self._table.update(key, set_values={"email_status": status, "emailed_at": keys.iso(at)})

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
