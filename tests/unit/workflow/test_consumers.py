"""A step reads its queue a batch at a time: failures are reported one by one and come back
after a backoff that doubles up to a limit; the others are done."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from bounceback.consumers import TIME_TO_START_A_MESSAGE_MS, backoff_seconds, consume
from bounceback.errors import BouncebackError


def message(number: int, receive_count: int = 1, body: Any = None) -> dict[str, Any]:
    event = {"detail-type": "Rejection Logged", "detail": {"metadata": {"correlation_id": "c"}}}
    return {
        "messageId": f"m{number}",
        "receiptHandle": f"h{number}",
        "body": json.dumps(event | {"n": number}) if body is None else body,
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:encourage",
    }


def test_only_the_failed_messages_are_reported_and_delayed() -> None:
    seen: list[int] = []
    delayed: list[tuple[str, int]] = []

    def handle(event: dict[str, Any]) -> None:
        seen.append(event["n"])
        if event["n"] == 2:
            raise RuntimeError("DynamoDB throttled")
        if event["n"] == 3:
            raise BouncebackError("an email is in flight")

    def retry_later(record: Mapping[str, Any], receive_count: int) -> None:
        delayed.append((record["messageId"], receive_count))

    batch = {"Records": [message(1), message(2, receive_count=4), message(3), message(4)]}
    answer = consume(batch, handle, retry_later)

    assert seen == [1, 2, 3, 4]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
    assert delayed == [("m2", 4), ("m3", 1)]


def test_a_message_that_is_not_an_event_fails_alone() -> None:
    answer = consume(
        {"Records": [message(1, body="not json"), message(2)]}, lambda e: None, lambda r, n: None
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_a_failure_to_delay_still_reports_the_message() -> None:
    def cannot_delay(record: Mapping[str, Any], receive_count: int) -> None:
        raise RuntimeError("SQS throttled")

    def fail(event: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    assert consume({"Records": [message(1)]}, fail, cannot_delay) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}]
    }


@pytest.mark.parametrize(
    ("receive_count", "seconds"),
    [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (31, 3600), (0, 30)],
)
def test_the_backoff_doubles_up_to_its_limit(receive_count: int, seconds: int) -> None:
    assert backoff_seconds(receive_count, base=30, limit=3600) == seconds


def test_the_default_schedule_spans_about_a_day() -> None:
    total = sum(backoff_seconds(n, base=30, limit=3600) for n in range(1, 31))
    assert 23 * 3600 <= total <= 26 * 3600


def test_messages_are_not_started_once_too_little_time_is_left() -> None:
    """Lambda stops a step at its Timeout wherever it is; a step stopped between SES accepting
    an email and the email being marked sent would send it again later."""
    seen: list[int] = []
    delayed: list[tuple[str, int]] = []
    clock = iter([19_000, 12_000, TIME_TO_START_A_MESSAGE_MS - 1])

    def retry_later(record: Mapping[str, Any], receive_count: int) -> None:
        delayed.append((record["messageId"], receive_count))

    batch = {"Records": [message(n, receive_count=3) for n in (1, 2, 3, 4)]}
    answer = consume(batch, lambda event: seen.append(event["n"]), retry_later, clock.__next__)

    assert seen == [1, 2]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m4"}]}
    assert delayed == [("m3", 0), ("m4", 0)]
    assert backoff_seconds(0, base=30, limit=3600) == 30  # they come back after the first backoff
