"""Committed rejections and feedback become their events: the transactional outbox.

The API and the webhooks only write. The table's stream hands each committed rejection and
feedback, in commit order, to ``functions/publish_events``, which puts "Rejection Logged" or
"Feedback Received" on the bus from what was committed (and "ATS Lookup Needed" for each
delivery whose rejection must be read back from an ATS). A write and its event can therefore
never diverge: there is no event without its item, and no item whose event is lost while the
stream holds it (24 hours of retries). The stream may hand a record over more than once; the
steps are idempotent, so an event published twice acts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bounceback.events import (
    PUT_EVENTS_BATCH,
    AtsLookupNeeded,
    AtsLookupNeededData,
    DomainEvent,
    EventMetadata,
    FeedbackReceived,
    FeedbackReceivedData,
    RejectionLogged,
    RejectionLoggedData,
)
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.services import Services
from bounceback.store.items import AtsLookupItem, RejectionItem
from bounceback.store.stream import CommittedItem, committed_item, sequence_number

# A write made before items carried their request's correlation id.
UNKNOWN_CORRELATION = "unknown"


def event_of(item: CommittedItem) -> DomainEvent[Any]:
    """The event a committed item announces, with the moment and request that made it."""
    correlation_id = item.correlation_id or UNKNOWN_CORRELATION
    if isinstance(item, AtsLookupItem):
        return AtsLookupNeeded(
            metadata=EventMetadata(correlation_id=correlation_id, occurred_at=item.received_at),
            data=AtsLookupNeededData(
                lookup_id=item.id, connection_id=item.connection_id, provider=item.provider
            ),
        )
    if isinstance(item, RejectionItem):
        return RejectionLogged(
            metadata=EventMetadata(correlation_id=correlation_id, occurred_at=item.logged_at),
            data=RejectionLoggedData(
                user_id=item.user_id,
                rejection_id=item.id,
                company=item.company,
                source=item.source,
            ),
        )
    return FeedbackReceived(
        metadata=EventMetadata(
            correlation_id=correlation_id, occurred_at=item.recorded_at or item.received_at
        ),
        data=FeedbackReceivedData(
            user_id=item.user_id, rejection_id=item.rejection_id, feedback_id=item.id
        ),
    )


def publish_committed(services: Services, records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Publish the events of a batch of stream records, in order, 10 per PutEvents call.

    Returns the sequence numbers to resume from (Lambda's partial batch response for a
    stream: the first record whose event is not surely on the bus); empty when all are."""
    pending: list[tuple[str, DomainEvent[Any]]] = []
    for record in records:
        item = committed_item(record)
        if item is not None:
            pending.append((sequence_number(record), event_of(item)))
    for start in range(0, len(pending), PUT_EVENTS_BATCH):
        batch: Sequence[tuple[str, DomainEvent[Any]]] = pending[start : start + PUT_EVENTS_BATCH]
        try:
            services.bus.publish(*(event for _, event in batch))
        except Exception as error:
            # What was published of this batch will be published again: consumers are
            # idempotent. What follows waits, so events keep their commit order.
            logger.warning(
                "publishing committed items failed; the stream will hand them over again",
                extra={"error": type(error).__name__, "events": len(pending) - start},
            )
            return [batch[0][0]]
        metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(batch))
    return []
