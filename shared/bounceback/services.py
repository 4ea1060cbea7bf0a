"""The adapters a function works with, wired from settings once per container, on first use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from bounceback import aws
from bounceback.connections import Connections
from bounceback.events import DomainEvent, publish
from bounceback.mail import Mailer
from bounceback.settings import settings
from bounceback.store import Store
from bounceback.timers import Timers, TimerTarget


@dataclass(frozen=True)
class Bus:
    name: str

    def publish(self, *events: DomainEvent[Any]) -> None:
        publish(list(events), bus_name=self.name)


@dataclass(frozen=True)
class Services:
    store: Store
    timers: Timers
    mailer: Mailer
    bus: Bus
    connections: Connections


@cache
def services() -> Services:
    config = settings()
    store = Store(aws.dynamodb(), config.table_name)
    return Services(
        store=store,
        timers=Timers(
            aws.scheduler(),
            config.schedule_group_name,
            TimerTarget(
                bus_arn=config.event_bus_arn,
                role_arn=config.scheduler_role_arn,
                dead_letter_queue_arn=config.scheduler_dead_letter_queue_arn,
            ),
        ),
        mailer=Mailer(aws.sesv2(), config.sender_email),
        bus=Bus(config.event_bus_name),
        connections=Connections(store, aws.kms(), config.connection_key_id),
    )


def reset() -> None:
    """Forget the wiring (tests change settings and endpoints between cases)."""
    services.cache_clear()
    settings.cache_clear()
    aws.reset()
