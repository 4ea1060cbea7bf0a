"""Parked failures go back through their step: a step's event onto its queue, a timer's event
onto the bus; what cannot be redriven stays parked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from bounceback import dead_letters
from bounceback.events import DomainEvent
from bounceback.queues import QueueMessage
from bounceback.services import Services

TIMER_INPUT = json.dumps(
    {
        "metadata": {"correlation_id": "c", "occurred_at": "2027-05-27T09:15:00Z"},
        "data": {"user_id": "ada", "rejection_id": "r1", "reapply_at": "2027-05-27T09:15:00Z"},
    }
)
SCHEDULE = "arn:aws:scheduler:us-east-1:123456789012:schedule/bounceback-dev/"


@dataclass
class Queues:
    held: dict[str, list[QueueMessage]] = field(default_factory=dict)
    sent: list[tuple[str, str]] = field(default_factory=list)

    def waiting(self, url: str) -> int:
        return len(self.held.get(url, []))

    def drain(self, url: str, limit: int) -> Iterator[QueueMessage]:
        yield from list(self.held.get(url, []))[:limit]

    def send(self, url: str, body: str) -> None:
        self.sent.append((url, body))

    def delete(self, url: str, receipt_handle: str) -> None:
        self.held[url] = [m for m in self.held[url] if m.receipt_handle != receipt_handle]


@dataclass
class Bus:
    published: list[DomainEvent[Any]] = field(default_factory=list)

    def publish(self, *events: DomainEvent[Any]) -> None:
        self.published.extend(events)


@dataclass
class FakeServices:
    queues: Queues
    bus: Bus


SETTING = json.dumps(
    {
        "SchedulerDeadLetterQueue": {"url": "sched-dlq", "back_to": "bus"},
        "PublishEventsDeadLetterQueue": {"url": "publish-dlq", "back_to": ""},
        "EncourageDeadLetterQueue": {"url": "encourage-dlq", "back_to": "encourage-queue"},
    }
)


def parked(body: str, handle: str, **attributes: str) -> QueueMessage:
    return QueueMessage(body=body, attributes=attributes, receipt_handle=handle)


def test_every_parked_failure_goes_back_through_its_step() -> None:
    queues = Queues(
        {
            "encourage-dlq": [parked('{"detail-type": "Rejection Logged"}', "e1")],
            "sched-dlq": [
                parked(TIMER_INPUT, "s1", SCHEDULE_ARN=SCHEDULE + "reapply-r1"),
                parked(TIMER_INPUT.replace("reapply_at", "x"), "s2", SCHEDULE_ARN="?"),
            ],
            "publish-dlq": [parked('{"DDBStreamBatchInfo": {}}', "p1")],
        }
    )
    bus = Bus()
    services = cast(Services, FakeServices(queues, bus))
    configured = dead_letters.configured(SETTING)

    assert dead_letters.waiting(services, configured) == {
        "EncourageDeadLetterQueue": 1,
        "PublishEventsDeadLetterQueue": 1,
        "SchedulerDeadLetterQueue": 2,
    }
    assert dead_letters.redrive(services, configured) == 2

    assert queues.sent == [("encourage-queue", '{"detail-type": "Rejection Logged"}')]
    assert [e.DETAIL_TYPE for e in bus.published] == ["Cooldown Elapsed"]
    # What cannot go back stays parked for an operator to read.
    assert [m.receipt_handle for m in queues.held["sched-dlq"]] == ["s2"]
    assert len(queues.held["publish-dlq"]) == 1
    assert queues.held["encourage-dlq"] == []


def test_a_redrive_moves_at_most_its_limit() -> None:
    many = [parked("{}", f"e{i}") for i in range(dead_letters.REDRIVE_LIMIT + 5)]
    queues = Queues({"encourage-dlq": many})
    services = cast(Services, FakeServices(queues, Bus()))
    configured = dead_letters.configured(SETTING)
    assert dead_letters.redrive(services, configured) == dead_letters.REDRIVE_LIMIT
    assert len(queues.held["encourage-dlq"]) == 5
