"""Schedule expressions as the local scheduler reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bounceback_local.scheduler import UnsupportedScheduleError, parse_at


def test_at_is_utc_by_default() -> None:
    assert parse_at("at(2026-12-01T09:30:00)") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected_hour"),
    [("Europe/Paris", 8), ("America/New_York", 14), ("UTC", 9)],
)
def test_at_is_read_in_its_timezone(zone: str, expected_hour: int) -> None:
    # 1 December: Paris is UTC+1, New York UTC-5.
    assert parse_at("at(2026-12-01T09:00:00)", zone).hour == expected_hour


def test_summer_time_is_honoured() -> None:
    assert parse_at("at(2026-07-01T09:00:00)", "Europe/Paris").hour == 7


@pytest.mark.parametrize(
    "expression", ["rate(5 minutes)", "cron(0 9 * * ? *)", "at(2026-12-01 09:00)", "at()"]
)
def test_other_expressions_are_not_run_locally(expression: str) -> None:
    with pytest.raises(UnsupportedScheduleError):
        parse_at(expression)
