"""Functions fed by a table's stream: Lambda's DynamoDB event, and how batches are retried,
bisected, checkpointed and given up on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback_local.event_sources import Filters
from bounceback_local.stream_source import (
    Discarded,
    ShardConsumer,
    stream_failure_record,
    stream_record,
)
from bounceback_local.template import EventSourceMappingSpec

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/bounceback-dev/stream/2026-12-01"
CREATED = datetime(2026, 12, 1, 9, 30, 15, 678000, tzinfo=UTC)


def _get_records_item(
    sequence: int, name: str = "INSERT", **image: dict[str, Any]
) -> dict[str, Any]:
    """A record as boto3's GetRecords returns it."""
    new_image = {"PK": {"S": f"item-{sequence}"}, **image}
    return {
        "eventID": f"id-{sequence}",
        "eventName": name,
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": CREATED,
            "Keys": {"PK": {"S": f"item-{sequence}"}},
            "NewImage": new_image,
            "SequenceNumber": str(sequence),
            "SizeBytes": 60,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def _record(sequence: int, name: str = "INSERT", **image: dict[str, Any]) -> dict[str, Any]:
    return stream_record(_get_records_item(sequence, name, **image), STREAM_ARN)


def test_a_stream_record_becomes_lambdas_dynamodb_record() -> None:
    item = _get_records_item(
        7, "MODIFY", blob={"B": b"\x00\x01"}, nested={"M": {"x": {"BS": [b"a"]}}}
    )
    item["dynamodb"]["OldImage"] = {"PK": {"S": "item-7"}, "n": {"N": "1"}}
    record = stream_record(item, STREAM_ARN)
    assert record == {
        "eventID": "id-7",
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": int(CREATED.timestamp()),
            "Keys": {"PK": {"S": "item-7"}},
            "NewImage": {
                "PK": {"S": "item-7"},
                "blob": {"B": "AAE="},
                "nested": {"M": {"x": {"BS": ["YQ=="]}}},
            },
            "OldImage": {"PK": {"S": "item-7"}, "n": {"N": "1"}},
            "SequenceNumber": "7",
            "SizeBytes": 60,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM_ARN,
    }


def test_filter_patterns_read_the_record_as_lambda_shapes_it() -> None:
    filters = Filters(
        [{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["rejection"]}}}}]
    )
    assert filters.admit(_record(1, type={"S": "rejection"}))
    assert not filters.admit(_record(2, type={"S": "feedback"}))
    assert not filters.admit(_record(3, "MODIFY", type={"S": "rejection"}))
    assert not filters.admit(_record(4))


# ---------------------------------------------------------------------------- batches


class Function:
    """A stream consumer that fails as told: raises for poison items, reports partial ones
    the first time it sees them."""

    def __init__(self, poison: set[str] = frozenset(), stumble: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.poison = set(poison)
        self.stumble = set(stumble)
        self.batches: list[list[str]] = []
        self.handled: list[str] = []

    def __call__(self, records: list[dict[str, Any]]) -> Any:
        keys = [r["dynamodb"]["Keys"]["PK"]["S"] for r in records]
        self.batches.append(keys)
        for record, key in zip(records, keys, strict=True):
            if key in self.poison:
                raise RuntimeError("poison")
            if key in self.stumble:
                self.stumble.discard(key)
                return {
                    "batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]
                }
            self.handled.append(key)
        return {"batchItemFailures": []}


def _consumer(
    function: Function, **spec: Any
) -> tuple[ShardConsumer, list[Discarded], list[str], list[float]]:
    discarded: list[Discarded] = []
    checkpoints: list[str] = []
    waits: list[float] = []
    mapping = EventSourceMappingSpec(
        **{
            "logical_id": "RelayFromStream",
            "function": "Relay",
            "event_source_arn": STREAM_ARN,
            "batch_size": 10,
            "starting_position": "TRIM_HORIZON",
            **spec,
        }
    )
    consumer = ShardConsumer(
        mapping,
        invoke=function,
        discard=discarded.append,
        checkpoint=checkpoints.append,
        wait=lambda seconds: waits.append(seconds) or False,  # type: ignore[func-returns-value]
        now=lambda: CREATED.timestamp() + 5,
    )
    return consumer, discarded, checkpoints, waits


def _keys(*sequences: int) -> list[str]:
    return [f"item-{n}" for n in sequences]


def test_records_are_handled_in_order_in_batches_of_batch_size() -> None:
    function = Function()
    consumer, discarded, checkpoints, _ = _consumer(function, batch_size=3)
    assert consumer.consume([_record(n) for n in range(1, 8)])
    assert function.batches == [_keys(1, 2, 3), _keys(4, 5, 6), _keys(7)]
    assert checkpoints[-1] == "7"
    assert discarded == []


def test_filtered_records_are_consumed_unseen() -> None:
    function = Function()
    consumer, _, checkpoints, _ = _consumer(
        function, filter_patterns=({"dynamodb": {"NewImage": {"type": {"S": ["order"]}}}},)
    )
    records = [_record(1), _record(2, type={"S": "order"}), _record(3), _record(4)]
    consumer.consume(records)
    assert function.batches == [_keys(2)]
    assert checkpoints[0] == "1"  # before the order: passed over at once
    assert checkpoints[-1] == "4"  # after it: the whole read is done


def test_a_failing_batch_is_retried_until_it_succeeds() -> None:
    function = Function(poison={"item-2"})
    consumer, discarded, _, waits = _consumer(function)

    def heal(seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) == 3:
            function.poison.clear()
        return False

    consumer._wait = heal
    consumer.consume([_record(n) for n in (1, 2, 3)])
    assert function.batches == [_keys(1, 2, 3)] * 4
    assert function.handled[-3:] == _keys(1, 2, 3)
    assert waits == [0.2, 0.4, 0.8]  # backing off
    assert discarded == []


def test_retries_stop_at_maximum_retry_attempts_and_the_batch_is_discarded() -> None:
    function = Function(poison={"item-2"})
    consumer, discarded, checkpoints, _ = _consumer(function, maximum_retry_attempts=2)
    consumer.consume([_record(n) for n in (1, 2, 3)])
    assert len(function.batches) == 3  # the first try and two retries
    (gone,) = discarded
    assert (gone.condition, gone.invoke_count, gone.function_error) == (
        "RetryAttemptsExhausted",
        3,
        "Unhandled",
    )
    assert [r["dynamodb"]["SequenceNumber"] for r in gone.records] == ["1", "2", "3"]
    assert checkpoints[-1] == "3"  # reading moves on


def test_bisection_isolates_the_record_that_fails() -> None:
    function = Function(poison={"item-3"})
    consumer, discarded, _, _ = _consumer(
        function, maximum_retry_attempts=1, bisect_batch_on_error=True
    )
    consumer.consume([_record(n) for n in range(1, 7)])
    assert function.batches == [
        _keys(1, 2, 3, 4, 5, 6),
        _keys(1, 2, 3),
        _keys(1),
        _keys(2, 3),
        _keys(2),
        _keys(3),
        _keys(3),  # its one retry
        _keys(4, 5, 6),
    ]
    (gone,) = discarded
    assert [r["dynamodb"]["SequenceNumber"] for r in gone.records] == ["3"]
    # Everything but the poison record was handled, in the shard's order.
    assert list(dict.fromkeys(function.handled)) == _keys(1, 2, 4, 5, 6)


def test_a_partial_response_retries_from_the_lowest_reported_record() -> None:
    function = Function(stumble={"item-3"})
    consumer, discarded, checkpoints, _ = _consumer(
        function, function_response_types=("ReportBatchItemFailures",)
    )
    consumer.consume([_record(n) for n in range(1, 6)])
    assert function.batches == [_keys(1, 2, 3, 4, 5), _keys(3, 4, 5)]
    assert function.handled == _keys(1, 2, 3, 4, 5)
    assert checkpoints[:2] == ["2", "5"]
    assert discarded == []


def test_a_partial_response_is_ignored_without_report_batch_item_failures() -> None:
    function = Function(stumble={"item-2"})
    consumer, _, _, _ = _consumer(function)
    consumer.consume([_record(n) for n in (1, 2, 3)])
    assert function.batches == [_keys(1, 2, 3)]


def test_an_unreadable_partial_response_fails_the_whole_batch() -> None:
    calls: list[int] = []

    def invoke(records: list[dict[str, Any]]) -> Any:
        calls.append(len(records))
        return {"batchItemFailures": [{"itemIdentifier": "not-in-the-batch"}]}

    consumer, discarded, _, _ = _consumer(
        Function(),
        function_response_types=("ReportBatchItemFailures",),
        maximum_retry_attempts=1,
    )
    consumer._invoke = invoke
    consumer.consume([_record(n) for n in (1, 2)])
    assert calls == [2, 2]
    (gone,) = discarded
    assert gone.function_error is None  # the function answered; its answer failed the batch


def test_records_older_than_maximum_record_age_are_discarded_unseen() -> None:
    function = Function()
    consumer, discarded, _, _ = _consumer(function, maximum_record_age_s=60)
    fresh = _record(2)
    fresh["dynamodb"]["ApproximateCreationDateTime"] = int(CREATED.timestamp())
    old = _record(1)
    old["dynamodb"]["ApproximateCreationDateTime"] = int(CREATED.timestamp()) - 3600
    consumer.consume([old, fresh])
    assert function.batches == [_keys(2)]
    (gone,) = discarded
    assert (gone.condition, gone.invoke_count) == ("RecordAgeExceeded", 0)


def test_stopping_ends_endless_retries() -> None:
    function = Function(poison={"item-1"})
    consumer, _, checkpoints, _ = _consumer(function)  # MaximumRetryAttempts -1: no limit
    waits: list[float] = []

    def stop_after_five(seconds: float) -> bool:
        waits.append(seconds)
        return len(waits) == 5

    consumer._wait = stop_after_five
    assert not consumer.consume([_record(1)])
    assert len(function.batches) == 5
    assert max(waits) <= 5.0
    assert checkpoints == []  # nothing handled: read again from there next time


@pytest.mark.parametrize("error", ["Unhandled", None])
def test_the_on_failure_record_says_where_the_records_are(error: str | None) -> None:
    records = [_record(11), _record(12)]
    record = stream_failure_record(
        records,
        condition="RetryAttemptsExhausted",
        invoke_count=3,
        function_error=error,
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:relay",
        shard_id="shardId-1",
        stream_arn=STREAM_ARN,
        timestamp="2026-12-01T09:31:00.000Z",
    )
    assert list(record) == [
        "requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"
    ]  # fmt: skip
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"].endswith("function:relay:$LATEST")
    assert record["responseContext"].get("functionError") == error
    assert record["DDBStreamBatchInfo"] == {
        "shardId": "shardId-1",
        "startSequenceNumber": "11",
        "endSequenceNumber": "12",
        "approximateArrivalOfFirstRecord": "2026-12-01T09:30:15Z",
        "approximateArrivalOfLastRecord": "2026-12-01T09:30:15Z",
        "batchSize": 2,
        "streamArn": STREAM_ARN,
    }
