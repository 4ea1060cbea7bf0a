"""Rejections and their feedback: written once, read alone or with everything under them,
listed newest first, changed, and deleted with everything under them.

Idempotency lives here as conditional writes keyed on business keys: a rejection and a
feedback are each written with ``attribute_not_exists(PK)``, so a retried request or a
duplicated event finds the first write instead of making a second. Nothing here publishes: a
committed rejection or feedback reaches the bus through the table's stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from bounceback.errors import ConflictError, NotFoundError
from bounceback.model import AreaFinding, Feedback, Notification, Rejection
from bounceback.store import keys
from bounceback.store.items import FeedbackItem, NotificationItem, RejectionItem, parse
from bounceback.store.table import NEW, Check, ConditionFailed, Page, Put, Table

T = TypeVar("T")


@dataclass(frozen=True)
class Written(Generic[T]):
    """The outcome of a write-once: the stored item, and whether this call created it."""

    item: T
    created: bool


@dataclass(frozen=True)
class RejectionDetail:
    rejection: Rejection
    feedback: list[Feedback]
    notifications: list[Notification]


# A rejection is live while it exists and is not being deleted. Every write a step makes
# about a rejection is conditioned on it (``live``), and a delete first marks the rejection
# (``mark_deleting``): from then on no such write succeeds, and what one wrote before is found
# and deleted with the rejection. So nothing written for a deleted rejection survives.
LIVE = "attribute_exists(PK) AND attribute_not_exists(deleted_at)"


class GuardFailed(Exception):  # noqa: N818 (an outcome the caller acts on)
    """A write's guard did not hold (e.g. the user no longer owns the address a webhook's
    rejection was routed by): nothing was written."""


class RejectionStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def live(self, user_id: str, rejection_id: str) -> Check:
        """A transaction's condition that the rejection exists and is not being deleted."""
        return Check(keys.rejection(user_id, rejection_id), LIVE)

    # ---------------------------------------------------------------- rejections
    def add(
        self, rejection: Rejection, *, correlation_id: str, guard: Check | None = None
    ) -> Written[Rejection]:
        """Write the rejection once; a retry with the same id gets the first write back. The
        write itself is what announces it: the table's stream carries it to the bus
        ("Rejection Logged", ``functions/publish_events``).

        With ``guard``, only while the guard holds (else ``GuardFailed``)."""
        item = RejectionItem.of(rejection, correlation_id)
        if guard is None:
            created = self._table.put_new(item)
        else:
            try:
                self._table.transact([Put(item, NEW), guard])
                created = True
            except ConditionFailed as error:
                if 0 not in error.failed:
                    raise GuardFailed from error
                created = False
        if created:
            return Written(rejection, created=True)
        existing = self._table.get(item.key, RejectionItem)
        if existing is None or not existing.live:  # deleted between the two calls
            raise ConflictError("the rejection was deleted while it was being logged")
        return Written(existing.to_rejection(), created=False)

    def get(self, user_id: str, rejection_id: str) -> Rejection | None:
        """The rejection, or None when there is none or it is being deleted."""
        item = self._table.get(keys.rejection(user_id, rejection_id), RejectionItem)
        return None if item is None or not item.live else item.to_rejection()

    def get_detail(self, user_id: str, rejection_id: str) -> RejectionDetail | None:
        """The rejection with its feedback and notifications: one Query on its key prefix."""
        under = self._table.query_partition(
            keys.user_pk(user_id), sk_prefix=keys.rejection_sk(rejection_id)
        )
        return _details(under).get(rejection_id)

    def details(self, user_id: str) -> list[RejectionDetail]:
        """Every rejection of the user with its feedback and notifications, newest first:
        one Query over the user's rejections' key prefix (for the export)."""
        under = self._table.query_partition(keys.user_pk(user_id), sk_prefix=keys.REJECTION_PREFIX)
        return sorted(
            _details(under).values(),
            key=lambda d: (d.rejection.rejected_at, d.rejection.id),
            reverse=True,
        )

    def page(self, user_id: str, *, limit: int, next_token: str | None) -> Page[Rejection]:
        """One page of the user's rejections, newest first."""
        page = self._table.query_collection(
            keys.rejections_of(user_id), RejectionItem, limit=limit, next_token=next_token
        )
        live = [item.to_rejection() for item in page.items if item.live]
        return Page(live, page.next_token)

    def iter_all(self, user_id: str) -> Iterator[Rejection]:
        """Every rejection of the user, newest first."""
        for item in self._table.iter_collection(keys.rejections_of(user_id), RejectionItem):
            if item.live:
                yield item.to_rejection()

    def update(self, rejection: Rejection) -> None:
        """Write a rejection's new state over one that exists (the PATCH path, withdrawals).

        An update, not a put: bookkeeping the domain does not carry (its correlation id)
        stays, and fields that became empty are removed."""
        item = RejectionItem.of(rejection)
        present = {
            name: value for name, value in item.attributes().items() if name not in {"PK", "SK"}
        }
        absent = sorted(set(Rejection.model_fields) - set(present))
        try:
            self._table.update(item.key, set_values=present, remove=absent, condition=LIVE)
        except ConditionFailed as error:
            raise ConflictError("the rejection no longer exists") from error

    def delete(self, user_id: str, rejection_id: str, at: datetime) -> bool:
        """Delete the rejection with its feedback and notifications; False: there was none.

        Marked first (see ``LIVE``), then read and deleted with everything under it."""
        if not mark_deleting(self._table, user_id, rejection_id, at):
            return False
        doomed = [
            keys.Key(item["PK"], item["SK"])
            for item in self._table.query_partition(
                keys.user_pk(user_id), sk_prefix=keys.rejection_sk(rejection_id)
            )
            if keys.belongs_to_rejection(item["SK"], rejection_id)
        ]
        self._table.delete_many(doomed)
        return True

    # ---------------------------------------------------------------- feedback
    def add_feedback(
        self,
        user_id: str,
        feedback: Feedback,
        *,
        company: str,
        role: str,
        recorded_at: datetime,
        correlation_id: str,
    ) -> Written[Feedback]:
        """Write the feedback once, like ``add`` (its stream record becomes "Feedback
        Received"), only while its rejection is live."""
        item = FeedbackItem.of(
            user_id,
            feedback,
            company=company,
            role=role,
            recorded_at=recorded_at,
            correlation_id=correlation_id,
        )
        try:
            self._table.transact([Put(item, NEW), self.live(user_id, feedback.rejection_id)])
        except ConditionFailed as error:
            if 0 not in error.failed:
                raise NotFoundError("rejection not found") from error
        else:
            return Written(feedback, created=True)
        existing = self._table.get(item.key, FeedbackItem)
        if existing is None:
            raise ConflictError("the feedback was deleted while it was being recorded")
        return Written(existing.to_feedback(), created=False)

    def get_feedback(self, user_id: str, rejection_id: str, feedback_id: str) -> Feedback | None:
        item = self._table.get(keys.feedback(user_id, rejection_id, feedback_id), FeedbackItem)
        return None if item is None else item.to_feedback()

    def set_feedback_areas(
        self, user_id: str, rejection_id: str, feedback_id: str, areas: Sequence[AreaFinding]
    ) -> None:
        try:
            self._table.update(
                keys.feedback(user_id, rejection_id, feedback_id),
                set_values={"areas": [area.model_dump(mode="json") for area in areas]},
            )
        except ConditionFailed as error:
            raise ConflictError("the feedback no longer exists") from error

    def iter_feedback(self, user_id: str) -> Iterator[tuple[Feedback, str, str]]:
        """All of a user's feedback, newest first, with the company and role it was about."""
        for item in self._table.iter_collection(keys.feedback_of(user_id), FeedbackItem):
            yield item.to_feedback(), item.company, item.role


def mark_deleting(table: Table, user_id: str, rejection_id: str, at: datetime) -> bool:
    """Mark a rejection as being deleted (see ``RejectionStore.live``); False: it is gone."""
    try:
        table.update(keys.rejection(user_id, rejection_id), set_values={"deleted_at": keys.iso(at)})
    except ConditionFailed:
        return False
    return True


def _details(under: Iterable[Mapping[str, Any]]) -> dict[str, RejectionDetail]:
    """Rejections with their feedback and notifications, from the items under their keys."""
    rejections: dict[str, Rejection] = {}
    feedback: dict[str, list[Feedback]] = {}
    notifications: dict[str, list[Notification]] = {}
    for attributes in under:
        item = parse(attributes)
        if isinstance(item, RejectionItem):
            if item.live:
                rejections[item.id] = item.to_rejection()
        elif isinstance(item, FeedbackItem):
            feedback.setdefault(item.rejection_id, []).append(item.to_feedback())
        elif isinstance(item, NotificationItem) and item.rejection_id:
            notifications.setdefault(item.rejection_id, []).append(item.to_notification())
    return {
        rejection_id: RejectionDetail(
            rejection,
            sorted(feedback.get(rejection_id, []), key=lambda f: f.received_at),
            sorted(notifications.get(rejection_id, []), key=lambda n: n.created_at),
        )
        for rejection_id, rejection in rejections.items()
    }
