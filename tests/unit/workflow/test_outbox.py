"""The outbox relay: committed rejections and feedback, read from the stream, become their
events in commit order; a failed PutEvents resumes exactly where it failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from boto3.dynamodb.types import TypeSerializer

from bounceback.errors import PublishError
from bounceback.events import DomainEvent
from bounceback.model import Cooldown, CooldownBasis, Feedback, Rejection
from bounceback.services import Services
from bounceback.store.items import FeedbackItem, ProfileItem, RejectionItem
from bounceback.workflow.publish import UNKNOWN_CORRELATION, publish_committed

LOGGED = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)


def rejection(number: int, correlation_id: str | None = "req-1") -> RejectionItem:
    return RejectionItem.of(
        Rejection(
            id=f"r{number}",
            user_id="ada",
            company="Northwind",
            role="Engineer",
            rejected_at=LOGGED,
            logged_at=LOGGED,
            source="app",
            cooldown=Cooldown(days=30, basis=CooldownBasis.DEFAULT),
            reapply_at=LOGGED,
        ),
        correlation_id,
    )


def feedback() -> FeedbackItem:
    return FeedbackItem.of(
        "ada",
        Feedback(id="f1", rejection_id="r1", text="Too brief.", received_at=LOGGED),
        company="Northwind",
        role="Engineer",
        recorded_at=datetime(2026, 11, 5, 14, 2, tzinfo=UTC),
        correlation_id="req-2",
    )


def record(item: Any, sequence: int, event_name: str = "INSERT") -> dict[str, Any]:
    serialise = TypeSerializer().serialize
    image = {name: serialise(value) for name, value in item.attributes().items()}
    return {
        "eventName": event_name,
        "dynamodb": {"NewImage": image, "SequenceNumber": str(sequence)},
    }


@dataclass
class Bus:
    fail_on_call: int | None = None
    calls: list[list[DomainEvent[Any]]] = field(default_factory=list)

    def publish(self, *events: DomainEvent[Any]) -> None:
        self.calls.append(list(events))
        if self.fail_on_call == len(self.calls):
            raise PublishError("1 of 10 events refused")


@dataclass
class FakeServices:
    bus: Bus


def publish(records: list[dict[str, Any]], bus: Bus) -> list[str]:
    return publish_committed(cast(Services, FakeServices(bus)), records)


def test_each_committed_item_becomes_its_event_with_its_moment_and_request() -> None:
    bus = Bus()
    assert publish([record(rejection(1), 100), record(feedback(), 101)], bus) == []

    (logged, received) = bus.calls[0]
    assert logged.DETAIL_TYPE == "Rejection Logged"
    assert logged.model_dump(mode="json")["data"] == {
        "user_id": "ada",
        "rejection_id": "r1",
        "company": "Northwind",
        "source": "app",
    }
    assert logged.metadata.occurred_at == LOGGED
    assert logged.metadata.correlation_id == "req-1"
    assert received.DETAIL_TYPE == "Feedback Received"
    assert received.metadata.occurred_at == datetime(2026, 11, 5, 14, 2, tzinfo=UTC)
    assert received.model_dump(mode="json")["data"]["feedback_id"] == "f1"


def test_other_records_publish_nothing() -> None:
    bus = Bus()
    profile = ProfileItem(
        PK="USER#ada",
        SK="PROFILE",
        user_id="ada",
        display_name="Ada",
        emails=("ada@example.com",),
        timezone="UTC",
        email_notifications=True,
        created_at=LOGGED,
        updated_at=LOGGED,
    )
    records = [record(profile, 1), record(rejection(1), 2, "MODIFY"), {"eventName": "REMOVE"}]
    assert publish(records, bus) == []
    assert bus.calls == []


def test_an_item_written_before_correlation_ids_still_gets_its_event() -> None:
    bus = Bus()
    publish([record(rejection(1, correlation_id=None), 1)], bus)
    assert bus.calls[0][0].metadata.correlation_id == UNKNOWN_CORRELATION


def test_a_failed_put_resumes_from_the_first_event_not_surely_published() -> None:
    bus = Bus(fail_on_call=2)
    records = [record(rejection(n), 1000 + n) for n in range(25)]

    resume = publish(records, bus)

    # Ten per call: the first ten went out, the second call failed, the rest waited.
    assert [len(call) for call in bus.calls] == [10, 10]
    assert resume == ["1010"]
