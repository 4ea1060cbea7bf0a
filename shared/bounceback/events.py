"""Event contracts on the bus, and the one publisher.

Each event's ``detail`` is ``{"metadata": {...}, "data": {...}}``: the metadata block (contract
version, correlation id, when it happened) beside the data. Details carry ids and the few
non-personal facts consumers route on; consumers read the rest from the table, so a detail
never holds an email address or feedback text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from bounceback.errors import PublishError
from bounceback.model import EntityId, UserId

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

SOURCE = "bounceback"
PUT_EVENTS_BATCH = 10  # EventBridge's limit of entries per PutEvents call


class Contract(BaseModel):
    # Consumers ignore fields they do not know, so a producer can add fields in a minor change.
    model_config = ConfigDict(frozen=True, extra="ignore")


class EventMetadata(Contract):
    event_version: str = "1"
    correlation_id: str = Field(min_length=1, max_length=128)
    occurred_at: datetime


class RejectionLoggedData(Contract):
    user_id: UserId
    rejection_id: EntityId
    company: str
    source: str  # "app" or the provider's name


class FeedbackReceivedData(Contract):
    user_id: UserId
    rejection_id: EntityId
    feedback_id: EntityId


class FeedbackFollowupDueData(Contract):
    user_id: UserId
    rejection_id: EntityId


class CooldownElapsedData(Contract):
    user_id: UserId
    rejection_id: EntityId
    reapply_at: datetime


class AtsLookupNeededData(Contract):
    lookup_id: EntityId
    connection_id: str
    provider: str


DataT = TypeVar("DataT", bound=Contract)


class DomainEvent(Contract, Generic[DataT]):
    DETAIL_TYPE: ClassVar[str]
    metadata: EventMetadata
    data: DataT


class RejectionLogged(DomainEvent[RejectionLoggedData]):
    DETAIL_TYPE: ClassVar[str] = "Rejection Logged"


class FeedbackReceived(DomainEvent[FeedbackReceivedData]):
    DETAIL_TYPE: ClassVar[str] = "Feedback Received"


class FeedbackFollowupDue(DomainEvent[FeedbackFollowupDueData]):
    """Internal: the feedback reminder's timer came due (a week after the rejection)."""

    DETAIL_TYPE: ClassVar[str] = "Feedback Follow-up Due"


class CooldownElapsed(DomainEvent[CooldownElapsedData]):
    DETAIL_TYPE: ClassVar[str] = "Cooldown Elapsed"


class AtsLookupNeeded(DomainEvent[AtsLookupNeededData]):
    """Internal: a verified delivery from a provider that sends ids only waits for its rejection
    to be read back from the ATS API (again at its ``not_before``, from a timer)."""

    DETAIL_TYPE: ClassVar[str] = "ATS Lookup Needed"


class EventBridgeEnvelope(BaseModel):
    """The EventBridge envelope as a consumer receives it. Only what the steps use is required:
    ``time`` is the step's "now"; the detail is parsed into its contract by the subclasses."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    time: datetime
    account: str | None = None
    region: str | None = None


class RejectionLoggedEnvelope(EventBridgeEnvelope):
    detail: RejectionLogged


class FeedbackReceivedEnvelope(EventBridgeEnvelope):
    detail: FeedbackReceived


class FeedbackFollowupDueEnvelope(EventBridgeEnvelope):
    detail: FeedbackFollowupDue


class CooldownElapsedEnvelope(EventBridgeEnvelope):
    detail: CooldownElapsed


class AtsLookupNeededEnvelope(EventBridgeEnvelope):
    detail: AtsLookupNeeded


def detail_json(event: DomainEvent[DataT]) -> str:
    return event.model_dump_json()


def publish(events: Sequence[DomainEvent[Any]], *, bus_name: str) -> None:
    """Put the events on the bus, 10 per call; any refused entry is an error, never ignored.

    The event's ``time`` is the moment it happened (metadata.occurred_at), so consumers take
    "now" from the event rather than from their own clock.
    """
    from bounceback import aws

    client = aws.events()
    trace_header = os.environ.get("_X_AMZN_TRACE_ID")
    for start in range(0, len(events), PUT_EVENTS_BATCH):
        batch = events[start : start + PUT_EVENTS_BATCH]
        entries: list[PutEventsRequestEntryTypeDef] = []
        for event in batch:
            entry: PutEventsRequestEntryTypeDef = {
                "Source": SOURCE,
                "DetailType": event.DETAIL_TYPE,
                "Detail": detail_json(event),
                "EventBusName": bus_name,
                "Time": event.metadata.occurred_at,
            }
            if trace_header:
                entry["TraceHeader"] = trace_header
            entries.append(entry)
        response = client.put_events(Entries=entries)
        if response.get("FailedEntryCount", 0) > 0:
            codes = sorted(
                {e.get("ErrorCode", "unknown") for e in response["Entries"] if e.get("ErrorCode")}
            )
            raise PublishError(
                f"{response['FailedEntryCount']} of {len(entries)} events refused: "
                + json.dumps(codes)
            )
