"""The local clock: real time plus an offset that only grows, until it is reset.

Everything in the local stack reads time from here (the gateway's request time, tokens,
event times, the scheduler), so moving the clock forward moves the whole product at once.
``reset`` puts it back on the machine's time (the demo does, once its journey is told).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class LocalClock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, delta: timedelta) -> datetime:
        # Time never runs backwards: a schedule that fired must not become due again.
        if delta < timedelta():
            raise ValueError("the local clock only moves forward")
        with self._lock:
            self._offset += delta
        return self.now()

    def reset(self) -> datetime:
        """Back to the machine's time. What fired while the clock was ahead stays fired (the
        scheduler remembers it); what was written then keeps its future times."""
        with self._lock:
            self._offset = timedelta()
        return self.now()
