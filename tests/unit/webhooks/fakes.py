"""The services ``ingest`` works with, in memory: a connection per provider, a table that records
every write, and a bus that records every event. No AWS, no network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from bounceback.errors import NotFoundError
from bounceback.model import Connection
from bounceback.services import Services

COMPANY = "Babbage & Co"
CREATED = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class FakeConnections:
    secrets: dict[str, tuple[Connection, str]] = field(default_factory=dict)

    def add(self, connection_id: str, provider: str, secret: str) -> None:
        connection = Connection(
            id=connection_id, provider=provider, company=COMPANY, created_at=CREATED
        )
        self.secrets[connection_id] = (connection, secret)

    def secret(self, connection_id: str) -> tuple[Connection, str]:
        if connection_id not in self.secrets:
            raise NotFoundError("unknown connection")
        return self.secrets[connection_id]


@dataclass
class RecordingStore:
    """Every aggregate store of a table that holds nothing: reads find nothing (no user has
    registered); any other call is recorded as a write."""

    users: dict[str, str] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)

    def find_user_by_email(self, address: str) -> str | None:
        return self.users.get(address.lower())

    def get(self, *key: str) -> None:  # a profile, a rejection
        return None

    def is_completed(self, user_id: str, rejection_id: str) -> bool:
        return False

    def of_application(self, connection_id: str, application_key: str) -> Iterator[Any]:
        return iter(())

    def __getattr__(self, name: str) -> Any:
        def write(*args: Any, **kwargs: Any) -> Any:
            self.writes.append(name)
            raise AssertionError(f"unexpected store call {name}")

        return write


@dataclass
class RecordingBus:
    published: list[Any] = field(default_factory=list)

    def publish(self, *events: Any) -> None:
        self.published.extend(events)


@dataclass
class RecordingTimers:
    calls: list[str] = field(default_factory=list)

    def cancel(self, name: str) -> bool:
        self.calls.append(name)
        return False

    def schedule(self, *args: Any, **kwargs: Any) -> bool:
        self.calls.append("schedule")
        return True


@dataclass
class FakeWorld:
    connections: FakeConnections = field(default_factory=FakeConnections)
    store: RecordingStore = field(default_factory=RecordingStore)
    bus: RecordingBus = field(default_factory=RecordingBus)
    timers: RecordingTimers = field(default_factory=RecordingTimers)

    def services(self) -> Services:
        return Services(
            profiles=cast(Any, self.store),
            rejections=cast(Any, self.store),
            notifications=cast(Any, self.store),
            deliveries=cast(Any, self.store),
            connections=cast(Any, self.connections),
            timers=cast(Any, self.timers),
            mailer=cast(Any, None),
            bus=cast(Any, self.bus),
            queues=cast(Any, None),
            lookups=cast(Any, self.store),
        )

    def nothing_written(self) -> bool:
        return not (self.store.writes or self.bus.published or self.timers.calls)
