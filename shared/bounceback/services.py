"""The adapters a function works with, wired from settings once per container, on first use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from bounceback import aws
from bounceback.connections import Connections
from bounceback.events import DomainEvent, publish
from bounceback.mail import Mailer
from bounceback.queues import Queues
from bounceback.settings import settings
from bounceback.store.connections import ConnectionStore
from bounceback.store.deliveries import DeliveryStore
from bounceback.store.lookups import LookupStore
from bounceback.store.notifications import NotificationStore
from bounceback.store.profiles import ProfileStore
from bounceback.store.rejections import RejectionStore
from bounceback.store.table import Table
from bounceback.timers import Timers, TimerTarget


@dataclass(frozen=True)
class Bus:
    name: str

    def publish(self, *events: DomainEvent[Any]) -> None:
        publish(list(events), bus_name=self.name)


@dataclass(frozen=True)
class Services:
    """The table by aggregate (``profiles``, ``rejections``, ``notifications``,
    ``deliveries``, ``lookups``; connections behind their KMS sealing), the timers, the mailer,
    the bus, the queues."""

    profiles: ProfileStore
    rejections: RejectionStore
    notifications: NotificationStore
    deliveries: DeliveryStore
    connections: Connections
    timers: Timers
    mailer: Mailer
    bus: Bus
    queues: Queues
    lookups: LookupStore


@cache
def services() -> Services:
    config = settings()
    table = Table(aws.dynamodb(), config.table_name)
    return Services(
        profiles=ProfileStore(table),
        rejections=RejectionStore(table),
        notifications=NotificationStore(table),
        deliveries=DeliveryStore(table),
        connections=Connections(ConnectionStore(table), aws.kms(), config.connection_key_id),
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
        queues=Queues(aws.sqs()),
        lookups=LookupStore(table),
    )


def reset() -> None:
    """Forget the wiring (tests change settings and endpoints between cases)."""
    services.cache_clear()
    settings.cache_clear()
    aws.reset()
