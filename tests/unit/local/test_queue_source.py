"""Functions fed by a queue: Lambda's SQS event, filter criteria and partial batch responses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bounceback_local.event_sources import (
    Filters,
    InvalidBatchResponseError,
    failed_items,
    queue_filter_view,
)
from bounceback_local.queue_source import QueuePoller, handles_to_delete, sqs_record
from bounceback_local.template import EventSourceMappingSpec

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:encourage"


def _message(n: int, body: str = "{}", **extra: Any) -> dict[str, Any]:
    """A message as boto3's ReceiveMessage returns it, with every system attribute."""
    return {
        "MessageId": f"m{n}",
        "ReceiptHandle": f"h{n}",
        "MD5OfBody": "md5",
        "Body": body,
        "Attributes": {
            "SenderId": "AIDAIT2UOQQY3AUEKVGXU",
            "SentTimestamp": "1796161941813",
            "ApproximateReceiveCount": "2",
            "ApproximateFirstReceiveTimestamp": "1796161941827",
        },
        **extra,
    }


def test_a_message_becomes_lambdas_sqs_record() -> None:
    record = sqs_record(_message(1, '{"a": 1}'), QUEUE_ARN)
    assert record == {
        "messageId": "m1",
        "receiptHandle": "h1",
        "body": '{"a": 1}',
        "attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1796161941813",
            "SenderId": "AIDAIT2UOQQY3AUEKVGXU",
            "ApproximateFirstReceiveTimestamp": "1796161941827",
        },
        "messageAttributes": {},
        "md5OfBody": "md5",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1",
    }


def test_message_attributes_take_lambdas_spelling() -> None:
    message = _message(
        1,
        MD5OfMessageAttributes="md5-attributes",
        MessageAttributes={
            "ERROR_CODE": {"DataType": "String", "StringValue": "Throttled"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    record = sqs_record(message, QUEUE_ARN)
    assert record["messageAttributes"] == {
        "ERROR_CODE": {
            "stringValue": "Throttled",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "blob": {
            "binaryValue": "AAE=",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert record["md5OfMessageAttributes"] == "md5-attributes"


def test_fifo_attributes_are_passed_on() -> None:
    message = _message(1)
    message["Attributes"] |= {"MessageGroupId": "u1", "SequenceNumber": "18", "Other": "x"}
    attributes = sqs_record(message, QUEUE_ARN)["attributes"]
    assert (attributes["MessageGroupId"], attributes["SequenceNumber"]) == ("u1", "18")
    assert "Other" not in attributes


# ---------------------------------------------------------------------------- responses


@pytest.mark.parametrize(
    "result",
    [None, {}, "done", {"batchItemFailures": None}, {"batchItemFailures": []}, {"other": 1}],
)
def test_these_responses_mean_the_whole_batch_succeeded(result: Any) -> None:
    assert failed_items(result, ["a", "b"]) == []


@pytest.mark.parametrize(
    "failures",
    [
        [{"itemIdentifier": ""}],
        [{"itemIdentifier": None}],
        [{"messageId": "a"}],
        [{"itemIdentifier": "zzz"}],
        ["a"],
        "a",
    ],
)
def test_these_responses_mean_the_whole_batch_failed(failures: Any) -> None:
    with pytest.raises(InvalidBatchResponseError):
        failed_items({"batchItemFailures": failures}, ["a", "b"])


def test_reported_items_come_back_in_batch_order() -> None:
    result = {"batchItemFailures": [{"itemIdentifier": "c"}, {"itemIdentifier": "a"}]}
    assert failed_items(result, ["a", "b", "c"]) == ["a", "c"]


def test_only_successful_messages_are_deleted() -> None:
    records = [sqs_record(_message(n), QUEUE_ARN) for n in (1, 2, 3)]
    partial = {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert handles_to_delete(records, partial, True) == ["h1", "h3"]
    # Without ReportBatchItemFailures the response is not read: all of them are done.
    assert handles_to_delete(records, partial, False) == ["h1", "h2", "h3"]
    # A response Lambda cannot read fails the whole batch: nothing is deleted.
    assert handles_to_delete(records, {"batchItemFailures": [{"itemIdentifier": "x"}]}, True) == []


# ---------------------------------------------------------------------------- filters


def test_a_json_body_is_filtered_field_by_field() -> None:
    filters = Filters([{"body": {"detail-type": ["Rejection Logged"]}}])
    event = {"detail-type": "Rejection Logged", "detail": {}}
    assert filters.admit(queue_filter_view({"body": json.dumps(event)}))
    assert not filters.admit(queue_filter_view({"body": json.dumps({"detail-type": "Other"})}))
    assert not filters.admit(queue_filter_view({"body": "not json"}))


def test_a_plain_body_is_filtered_as_a_string() -> None:
    filters = Filters([{"body": [{"prefix": "urgent"}]}])
    assert filters.admit(queue_filter_view({"body": "urgent: call back"}))
    assert not filters.admit(queue_filter_view({"body": "later"}))


def test_no_filter_admits_everything_and_any_pattern_is_enough() -> None:
    assert Filters([]).admit({"anything": 1})
    filters = Filters([{"attributes": {"MessageGroupId": ["a"]}}, {"body": ["x"]}])
    assert filters.admit({"body": "x", "attributes": {}})
    assert filters.admit({"body": "y", "attributes": {"MessageGroupId": "a"}})
    assert not filters.admit({"body": "y", "attributes": {"MessageGroupId": "b"}})


# ---------------------------------------------------------------------------- one batch


class _Sqs:
    def __init__(self) -> None:
        self.deleted: list[str] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:  # noqa: N803 - boto3's names
        return {"QueueUrl": f"http://aws/123456789012/{QueueName}"}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:  # noqa: N803
        assert len(Entries) <= 10
        self.deleted.extend(e["ReceiptHandle"] for e in Entries)
        return {"Successful": Entries, "Failed": []}


class _Aws:
    def __init__(self) -> None:
        self.queue = _Sqs()

    def sqs(self) -> _Sqs:
        return self.queue


def _poller(**spec: Any) -> tuple[QueuePoller, _Sqs]:
    aws = _Aws()
    mapping = EventSourceMappingSpec(
        logical_id="StepFromQueue",
        function="Step",
        event_source_arn=QUEUE_ARN,
        batch_size=10,
        function_response_types=("ReportBatchItemFailures",),
        **spec,
    )
    return QueuePoller(mapping, aws, None, None), aws.queue  # type: ignore[arg-type]


def test_a_batch_is_one_invocation_and_reported_failures_stay_in_the_queue() -> None:
    poller, sqs = _poller()
    invocations: list[tuple[str, Any]] = []

    def invoke(function: str, event: Any) -> Any:
        invocations.append((function, event))
        return {"batchItemFailures": [{"itemIdentifier": "m12"}]}

    poller.handle([_message(n) for n in range(1, 13)], invoke)
    ((function, event),) = invocations
    assert function == "Step"
    assert [r["messageId"] for r in event["Records"]] == [f"m{n}" for n in range(1, 13)]
    assert sqs.deleted == [f"h{n}" for n in range(1, 12)]  # in batches of ten at most


def test_a_function_error_deletes_nothing() -> None:
    poller, sqs = _poller()

    def invoke(function: str, event: Any) -> Any:
        raise RuntimeError("boom")

    poller.handle([_message(1), _message(2)], invoke)
    assert sqs.deleted == []


def test_messages_no_filter_admits_are_deleted_unseen() -> None:
    poller, sqs = _poller(filter_patterns=({"body": {"kind": ["wanted"]}},))
    seen: list[str] = []

    def invoke(function: str, event: Any) -> Any:
        seen.extend(r["messageId"] for r in event["Records"])
        raise RuntimeError("the admitted one fails")

    poller.handle([_message(1, '{"kind": "wanted"}'), _message(2, '{"kind": "other"}')], invoke)
    assert seen == ["m1"]
    assert sqs.deleted == ["h2"]


def test_at_most_five_batches_at_once_or_the_mappings_maximum_concurrency() -> None:
    assert _poller()[0].concurrency == 5
    assert _poller(maximum_concurrency=2)[0].concurrency == 2
    assert _poller(maximum_concurrency=50)[0].concurrency == 5
