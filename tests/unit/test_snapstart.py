"""SnapStart hooks (``bounceback.snapstart``): registered with the runtime's module where there
is one; priming leaves the lexicon compiled and the clients made, a restore refreshes what must
be unique to each environment."""

from __future__ import annotations

import random
import re
import sys
import types
from collections.abc import Callable

import pytest

from bounceback import aws, services, snapstart, tracing
from bounceback.analysis.lexicon import lexicon


def test_nothing_is_registered_outside_lambda() -> None:
    assert "snapshot_restore_py" not in sys.modules
    assert snapstart.register() is False


def test_the_hooks_are_registered_with_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    before: list[Callable[[], None]] = []
    after: list[Callable[[], None]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = before.append  # type: ignore[attr-defined]
    runtime.register_after_restore = after.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    assert snapstart.register() is True
    assert before == [snapstart.prime]
    assert after == [snapstart.refresh]


def test_priming_compiles_the_lexicon_and_makes_the_table_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "TABLE_NAME",
        "EVENT_BUS_NAME",
        "EVENT_BUS_ARN",
        "SCHEDULE_GROUP_NAME",
        "SCHEDULER_ROLE_ARN",
        "SCHEDULER_DEAD_LETTER_QUEUE_ARN",
        "SENDER_EMAIL",
        "CONNECTION_KEY_ID",
    ):
        monkeypatch.setenv(name, "bounceback-test")
    services.reset()
    try:
        snapstart.prime()
        assert aws.dynamodb.cache_info().currsize == 1
        loaded = lexicon()
        pending = getattr(loaded, "_pending", {})
        for name in pending:
            assert isinstance(object.__getattribute__(loaded, name), re.Pattern)
    finally:
        services.reset()


def test_a_restore_reseeds_random_and_counts_as_a_cold_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tracing, "_cold", [False])
    random.seed(7)
    snapshot_draw = random.random()
    random.seed(7)
    snapstart.refresh()
    assert random.random() != snapshot_draw
    assert tracing._cold == [True]
