"""Webhook deliveries: the claim that makes one delivery log its rejection once, and the
collection of the deliveries one job application produced (to withdraw them together).

A claim holds the delivery's key for a lease while the caller logs it. It is taken when the key
is free, or when an earlier holder's lease ran out (it crashed or timed out) before it
completed; once completed, it is never taken again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bounceback.store import keys
from bounceback.store.items import DeliveryItem
from bounceback.store.rejections import GuardFailed
from bounceback.store.table import Check, ConditionFailed, Put, Table

_FREE_OR_LAPSED = (
    "attribute_not_exists(PK) OR (attribute_not_exists(completed_at) AND lease_until < :now)"
)


@dataclass(frozen=True)
class DeliveredRejection:
    """A rejection one delivery logged, as the application's collection lists it."""

    user_id: str
    rejection_id: str


class DeliveryStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def claim(
        self,
        *,
        user_id: str,
        rejection_id: str,
        connection_id: str,
        provider: str,
        application_key: str | None,
        now: datetime,
        lease: timedelta,
        guard: Check | None = None,
    ) -> bool:
        """Hold the delivery that logs ``rejection_id`` for ``lease``. True when this call
        holds it; False when another holds it or it was completed. With ``guard``, only
        while the guard holds (else ``GuardFailed``, nothing written)."""
        item = DeliveryItem.of(
            user_id=user_id,
            rejection_id=rejection_id,
            connection_id=connection_id,
            provider=provider,
            application_key=application_key,
            received_at=now,
            lease_until=int((now + lease).timestamp()),
        )
        values = {":now": int(now.timestamp())}
        if guard is None:
            return self._table.put(item, condition=_FREE_OR_LAPSED, values=values)
        try:
            self._table.transact([Put(item, _FREE_OR_LAPSED, values), guard])
        except ConditionFailed as error:
            if 0 in error.failed:
                return False
            raise GuardFailed from error
        return True

    def is_completed(self, user_id: str, rejection_id: str) -> bool:
        item = self._table.get(keys.delivery(user_id, rejection_id), DeliveryItem)
        return item is not None and item.completed_at is not None

    def complete(self, user_id: str, rejection_id: str, at: datetime) -> None:
        """The delivery is logged: it is never claimed again."""
        try:
            self._table.update(
                keys.delivery(user_id, rejection_id),
                set_values={"completed_at": keys.iso(at)},
                remove=["lease_until"],
            )
        except ConditionFailed:
            return  # deleted meanwhile (the user deleted their account): nothing to complete

    def release(self, user_id: str, rejection_id: str) -> None:
        """Give a claim back early (logging failed), so a retry need not wait for the lease."""
        try:
            self._table.update(
                keys.delivery(user_id, rejection_id),
                set_values={"lease_until": 0},
                condition="attribute_exists(PK) AND attribute_not_exists(completed_at)",
            )
        except ConditionFailed:
            return

    def of_application(
        self, connection_id: str, application_key: str
    ) -> Iterator[DeliveredRejection]:
        """The rejections the deliveries about one job application logged, newest first."""
        collection = keys.application(connection_id, application_key)
        for item in self._table.iter_collection(collection, DeliveryItem):
            yield DeliveredRejection(item.user_id, item.rejection_id)
