"""Drain's view of work in motion: nothing busy, every place empty, nothing moved meanwhile."""

from __future__ import annotations

import threading
import time

import pytest

from bounceback_local.activity import Activity


def test_settles_at_once_when_nothing_is_in_motion() -> None:
    Activity().settle(lambda: True, timeout=1)


def test_waits_for_work_in_hand() -> None:
    activity = Activity()
    activity.enter(changed=True)
    started = time.monotonic()
    threading.Timer(0.2, activity.leave).start()
    activity.settle(lambda: True, timeout=5)
    assert time.monotonic() - started >= 0.2
    assert activity.busy == 0


def test_waits_for_places_to_empty() -> None:
    checks: list[int] = []

    def idle() -> bool:
        checks.append(1)
        return len(checks) >= 3

    Activity().settle(idle, timeout=5)
    assert len(checks) == 3


def test_work_that_moves_while_the_places_are_looked_at_is_looked_for_again() -> None:
    # A message leaves a queue already looked at for a worker, which hands it on to a place
    # not looked at yet and finishes before that place is looked at: every place looks
    # empty, but the generation moved, so drain looks again.
    activity = Activity()
    looks: list[int] = []

    def idle() -> bool:
        looks.append(1)
        if len(looks) == 1:
            activity.enter(changed=True)
            activity.leave()
        return True

    activity.settle(idle, timeout=5)
    assert len(looks) == 2


def test_between_and_nudges_run_on_every_round() -> None:
    activity = Activity()
    nudged: list[int] = []
    fired: list[int] = []
    activity.on_drain(lambda: nudged.append(1))
    activity.settle(lambda: len(fired) >= 2, between=lambda: fired.append(1), timeout=5)
    assert len(fired) == len(nudged) == 2


def test_gives_up_after_the_timeout() -> None:
    with pytest.raises(TimeoutError):
        Activity().settle(lambda: False, timeout=0.2)
