"""Work in motion inside the local stack, counted so that drain knows when all of it is done.

Work moves between places drain can look at (queues, a stream, the router's tap) and places
it cannot (a message just received, an invocation under way). Every component that takes
work out of a place it can be seen in ``enter``s before and ``leave``s after, and each move
bumps a generation counter. Drain looks at every place, then checks that nothing was busy
and that the counter did not move while it looked: then nothing was in motion between two
places it had already passed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Activity:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._busy = 0
        self._generation = 0
        self._waiters: list[Callable[[], None]] = []

    def enter(self, changed: bool = False) -> None:
        with self._condition:
            self._busy += 1
            if changed:
                self._generation += 1

    def leave(self, changed: bool = True) -> None:
        with self._condition:
            self._busy -= 1
            if changed:
                self._generation += 1
            self._condition.notify_all()

    def moved(self) -> None:
        """Work changed place without anyone being busy with it (e.g. a checkpoint)."""
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def on_drain(self, nudge: Callable[[], None]) -> None:
        """Call ``nudge`` on every drain round (pollers that sleep between polls wake up)."""
        self._waiters.append(nudge)

    @property
    def busy(self) -> int:
        with self._condition:
            return self._busy

    def settle(
        self,
        idle: Callable[[], bool],
        between: Callable[[], None] = lambda: None,
        timeout: float = 300,
    ) -> None:
        """Return once nothing is busy and ``idle()`` (every place is empty) holds across a
        generation that did not move. ``between`` runs on every round first (the scheduler
        fires what came due meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            between()
            for nudge in self._waiters:
                nudge()
            with self._condition:
                generation = self._generation
                busy = self._busy
            if busy == 0 and idle():
                with self._condition:
                    if self._busy == 0 and self._generation == generation:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError("work still in motion after the drain timeout")
            with self._condition:
                self._condition.wait(timeout=0.05)
