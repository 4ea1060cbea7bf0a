"""The local stack's event sources and faults, over a small template of their own
(tests/e2e/fixtures/sources): rules that target queues, a function fed by a queue with a
redrive policy, a function fed by the table's stream, and faults at the embedded AWS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import SourcesStack

pytestmark = pytest.mark.e2e

BUS = "sources-e2e"
TABLE = "sources-e2e"


@pytest.fixture(autouse=True)
def no_faults_left(sources_stack: SourcesStack) -> Iterator[None]:
    yield
    sources_stack.stack.clear_faults()


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _put(sources: SourcesStack, *details: dict[str, Any], kind: str = "Work Requested") -> None:
    result = sources.stack.client("events").put_events(
        Entries=[
            {"Source": "e2e", "DetailType": kind, "Detail": json.dumps(d), "EventBusName": BUS}
            for d in details
        ]
    )
    assert result["FailedEntryCount"] == 0


def _sightings(sources: SourcesStack, work_id: str) -> list[dict[str, Any]]:
    """What the queue consumer was given for one piece of work, in the order it saw it."""
    return [
        seen
        for seen in sources.seen("consumer")
        if json.loads(seen["record"]["body"])["detail"].get("id") == work_id
    ]


def _orders_relayed(sources: SourcesStack, order: str) -> list[dict[str, Any]]:
    return [
        seen["record"]
        for seen in sources.seen("relay")
        if seen["record"]["dynamodb"]["Keys"]["PK"]["S"] == order
    ]


def _write_order(sources: SourcesStack, order: str, **attributes: dict[str, Any]) -> None:
    item = {"PK": {"S": order}, "type": {"S": "order"}, **attributes}
    sources.stack.client("dynamodb").put_item(TableName=TABLE, Item=item)


# ---------------------------------------------------------------------------- queues


def test_a_rule_delivers_to_its_queue_and_the_consumer_gets_lambdas_sqs_event(
    sources_stack: SourcesStack,
) -> None:
    work = _id("shape")
    _put(sources_stack, {"id": work})
    sources_stack.stack.drain()
    (seen,) = _sightings(sources_stack, work)
    record = seen["record"]
    assert list(record) == [
        "messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
        "eventSource", "eventSourceARN", "awsRegion",
    ]  # fmt: skip
    assert list(record["attributes"]) == [
        "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
    ]  # fmt: skip
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":bounceback-local-WorkQueue")
    assert record["awsRegion"] == "us-east-1"
    event = json.loads(record["body"])
    assert list(event) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    ]  # fmt: skip
    assert (event["detail-type"], event["account"], event["detail"]) == (
        "Work Requested",
        "123456789012",
        {"id": work},
    )


def test_rule_targets_get_their_input_input_path_or_transformed_input(
    sources_stack: SourcesStack,
) -> None:
    who = _id("ada")
    _put(sources_stack, {"who": who}, kind="Inputs Wanted")
    sqs = sources_stack.stack.client("sqs")
    url = sqs.get_queue_url(QueueName="bounceback-local-InputsQueue")["QueueUrl"]
    bodies: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        bodies += [m["Body"] for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert '{"constant": true}' in bodies
    assert json.dumps({"who": who}) in bodies
    assert json.dumps({"kind": "Inputs Wanted", "greeting": f"hello {who}"}) in bodies


def test_only_the_reported_failures_come_back(sources_stack: SourcesStack) -> None:
    ok, failing = _id("ok"), _id("partial")
    _put(sources_stack, {"id": ok}, {"id": failing, "fail_until": 2, "backoff": 1})
    sources_stack.stack.drain()
    assert [s["count"] for s in _sightings(sources_stack, ok)] == [1]
    assert [s["count"] for s in _sightings(sources_stack, failing)] == [1, 2]


def test_a_failed_invocation_gets_its_messages_back(sources_stack: SourcesStack) -> None:
    work = _id("raise")
    _put(sources_stack, {"id": work, "raise_until": 2, "backoff": 1})
    sources_stack.stack.drain()
    assert [s["count"] for s in _sightings(sources_stack, work)] == [1, 2]


def test_a_message_that_keeps_failing_is_redriven_to_the_dead_letter_queue(
    sources_stack: SourcesStack,
) -> None:
    work = _id("redrive")
    _put(sources_stack, {"id": work, "fail_until": 99, "backoff": 1})
    sources_stack.stack.drain()
    assert [s["count"] for s in _sightings(sources_stack, work)] == [1, 2, 3]  # maxReceiveCount
    parked = [
        event
        for event in sources_stack.stack.dead_letters()["WorkDeadLetterQueue"]
        if event["detail"].get("id") == work
    ]
    assert len(parked) == 1
    assert parked[0]["detail-type"] == "Work Requested"


def test_drain_waits_for_a_message_backing_off(sources_stack: SourcesStack) -> None:
    work = _id("backoff")
    _put(sources_stack, {"id": work, "fail_until": 2, "backoff": 3})
    started = time.monotonic()
    sources_stack.stack.drain()
    assert time.monotonic() - started >= 2.5
    assert [s["count"] for s in _sightings(sources_stack, work)] == [1, 2]


def test_function_faults_still_fail_the_invocation(sources_stack: SourcesStack) -> None:
    stack = sources_stack.stack
    stack.inject_faults("Consumer", times=1)
    assert {"function": "Consumer", "times": 1} in stack.info()["faults"]
    work = _id("function-fault")
    _put(sources_stack, {"id": work})
    stack.drain()
    # The first invocation failed before the handler ran: it saw the message once it came back.
    assert [s["count"] for s in _sightings(sources_stack, work)] == [2]
    assert stack.info()["faults"] == []


# ---------------------------------------------------------------------------- the stream


def test_new_orders_are_relayed_from_the_stream_to_the_bus(sources_stack: SourcesStack) -> None:
    order, other = _id("order"), _id("other")
    _write_order(sources_stack, order)
    dynamodb = sources_stack.stack.client("dynamodb")
    dynamodb.put_item(TableName=TABLE, Item={"PK": {"S": other}, "type": {"S": "other"}})
    dynamodb.update_item(
        TableName=TABLE,
        Key={"PK": {"S": order}},
        UpdateExpression="SET shipped = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    sources_stack.stack.drain()
    (record,) = _orders_relayed(sources_stack, order)  # the update is filtered out
    assert _orders_relayed(sources_stack, other) == []
    assert list(record) == [
        "eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb",
        "eventSourceARN",
    ]  # fmt: skip
    assert (record["eventName"], record["eventVersion"], record["eventSource"]) == (
        "INSERT",
        "1.1",
        "aws:dynamodb",
    )
    assert record["eventSourceARN"].startswith(
        "arn:aws:dynamodb:us-east-1:123456789012:table/sources-e2e/stream/"
    )
    change = record["dynamodb"]
    assert list(change) == [
        "ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes",
        "StreamViewType",
    ]  # fmt: skip
    assert change["Keys"] == {"PK": {"S": order}}
    assert change["NewImage"] == {"PK": {"S": order}, "type": {"S": "order"}}
    assert change["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(change["ApproximateCreationDateTime"], int)
    # Relayed to the bus, routed to the queue, consumed: drain waited for all of it.
    (seen,) = _sightings(sources_stack, order)
    assert json.loads(seen["record"]["body"])["detail"] == {"id": order, "from": "stream"}


def test_writes_after_a_failed_transaction_still_reach_the_stream_consumer(
    sources_stack: SourcesStack,
) -> None:
    # A transaction that fails its condition leaves the table as it was (moto puts back a copy
    # of it); the stream's consumer must go on reading the table's stream all the same.
    before, after = _id("order"), _id("order")
    _write_order(sources_stack, before)
    sources_stack.stack.drain()
    dynamodb = sources_stack.stack.client("dynamodb")
    failing = {
        "TableName": TABLE,
        "Item": {"PK": {"S": before}, "type": {"S": "order"}},
        "ConditionExpression": "attribute_not_exists(PK)",
    }
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[{"Put": failing}])
    _write_order(sources_stack, after)
    sources_stack.stack.drain()
    assert len(_orders_relayed(sources_stack, after)) == 1


def test_a_poison_record_is_isolated_and_parked_while_the_rest_flows_in_order(
    sources_stack: SourcesStack,
) -> None:
    orders = [_id(f"o{n}") for n in range(5)]
    for n, order in enumerate(orders):
        _write_order(sources_stack, order, **({"poison": {"BOOL": True}} if n == 2 else {}))
    sources_stack.stack.drain()
    first_seen = list(
        dict.fromkeys(
            seen["record"]["dynamodb"]["Keys"]["PK"]["S"]
            for seen in sources_stack.seen("relay")
            if seen["record"]["dynamodb"]["Keys"]["PK"]["S"] in orders
        )
    )
    assert first_seen == orders  # the shard's order
    relayed = {o for o in orders if _sightings(sources_stack, o)}
    assert relayed == set(orders) - {orders[2]}
    poison_sequence = _orders_relayed(sources_stack, orders[2])[0]["dynamodb"]["SequenceNumber"]
    (parked,) = [
        record
        for record in sources_stack.stack.dead_letters()["StreamDeadLetterQueue"]
        if record["DDBStreamBatchInfo"]["startSequenceNumber"] == poison_sequence
    ]
    assert parked["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert parked["requestContext"]["functionArn"].endswith(
        ":function:bounceback-local-Relay:$LATEST"
    )
    assert parked["responseContext"]["functionError"] == "Unhandled"
    info = parked["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["endSequenceNumber"]) == (1, poison_sequence)
    assert info["streamArn"] == _orders_relayed(sources_stack, orders[2])[0]["eventSourceARN"]


def test_a_reported_record_is_retried_from_where_it_failed(sources_stack: SourcesStack) -> None:
    stumbling, next_one = _id("stumble"), _id("after")
    _write_order(sources_stack, stumbling, stumble={"BOOL": True})
    _write_order(sources_stack, next_one)
    sources_stack.stack.drain()
    assert len(_orders_relayed(sources_stack, stumbling)) == 2
    assert len(_sightings(sources_stack, stumbling)) == 1
    assert len(_sightings(sources_stack, next_one)) == 1


# ---------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"service": "s3", "operation": "PutObject", "rate": 1}, "service must be one of"),
        ({"service": "dynamodb", "operation": "put_item", "rate": 1}, "operation must be"),
        ({"service": "dynamodb", "operation": "PutItem", "rate": 2}, "rate"),
        ({"service": "dynamodb", "operation": "PutItem"}, "rate"),
        ({"service": "dynamodb", "operation": "PutItem", "rate": 1, "times": 0}, "times"),
        ({"service": "dynamodb", "operation": "PutItem", "rate": 1, "error": "slow"}, "error"),
        ({"service": "dynamodb", "operation": "PutItem", "rate": 1, "delay": 3}, "unknown"),
        ({"function": "Nobody", "times": 1}, "function must be one of"),
    ],
)
def test_a_fault_the_stack_cannot_set_is_a_400_that_says_why(
    sources_stack: SourcesStack, body: dict[str, Any], message: str
) -> None:
    response = sources_stack.stack.request("POST", "/_local/faults", json=body)
    assert response.status == 400
    assert message in response.json()["message"]
    assert sources_stack.stack.info()["faults"] == []


SEND_EMAIL = {
    "FromEmailAddress": "no-reply@example.com",
    "Destination": {"ToAddresses": ["someone@example.com"]},
    "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}},
}
SCHEDULE = {
    "Name": "e2e-fault",
    "ScheduleExpression": "at(2030-01-01T00:00:00)",
    "FlexibleTimeWindow": {"Mode": "OFF"},
    "Target": {
        "Arn": "arn:aws:events:us-east-1:123456789012:event-bus/sources-e2e",
        "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
    },
}


@pytest.mark.parametrize(
    ("service", "operation", "method", "params", "error"),
    [
        ("dynamodb", "PutItem", "put_item", {"TableName": TABLE, "Item": {"PK": {"S": "x"}}},
         "ThrottlingException"),
        ("events", "PutEvents", "put_events",
         {"Entries": [{"Source": "e2e", "DetailType": "X", "Detail": "{}", "EventBusName": BUS}]},
         "ThrottlingException"),
        ("sesv2", "SendEmail", "send_email", SEND_EMAIL, "TooManyRequestsException"),
        ("scheduler", "CreateSchedule", "create_schedule", SCHEDULE, "ThrottlingException"),
        ("sqs", "ListQueues", "list_queues", {}, "RequestThrottled"),
    ],
)  # fmt: skip
def test_a_client_meets_the_throttling_error_aws_gives(
    sources_stack: SourcesStack,
    service: str,
    operation: str,
    method: str,
    params: dict[str, Any],
    error: str,
) -> None:
    stack = sources_stack.stack
    if service == "sesv2":  # SES sends from verified addresses only
        stack.client("sesv2").create_email_identity(EmailIdentity="no-reply@example.com")
    fault = stack.fault(service, operation, 1.0)
    assert fault == {
        "service": service,
        "operation": operation,
        "rate": 1.0,
        "times": None,
        "error": "throttle",
        "injected": 0,
    }
    client = stack.client(service, retries={"total_max_attempts": 1})
    with pytest.raises(getattr(client.exceptions, error)):
        getattr(client, method)(**params)
    (listed,) = stack.info()["faults"]
    assert (listed["operation"], listed["injected"]) == (operation, 1)
    stack.clear_faults()
    assert stack.info()["faults"] == []
    getattr(client, method)(**params)  # answered again once the faults are cleared


def test_botocore_retries_an_injected_throttle_as_it_would_aws(
    sources_stack: SourcesStack,
) -> None:
    stack = sources_stack.stack
    stack.fault("dynamodb", "PutItem", 1.0, times=3)
    item = {"PK": {"S": _id("retried")}}
    stack.client("dynamodb").put_item(TableName=TABLE, Item=item)  # the fourth attempt passes
    assert stack.info()["faults"] == []  # spent
    got = stack.client("dynamodb").get_item(TableName=TABLE, Key=item)
    assert got["Item"] == item


def test_an_internal_failure_is_a_500(sources_stack: SourcesStack) -> None:
    stack = sources_stack.stack
    stack.fault("dynamodb", "GetItem", 1.0, error="internal")
    client = stack.client("dynamodb", retries={"total_max_attempts": 1})
    with pytest.raises(client.exceptions.InternalServerError) as raised:
        client.get_item(TableName=TABLE, Key={"PK": {"S": "x"}})
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_the_stacks_own_plumbing_is_never_faulted(sources_stack: SourcesStack) -> None:
    stack = sources_stack.stack
    for service, operation in [
        ("sqs", "ReceiveMessage"),
        ("sqs", "DeleteMessageBatch"),
        ("dynamodbstreams", "GetRecords"),
    ]:
        stack.fault(service, operation, 1.0)
    work, order = _id("plumbing"), _id("plumbing-order")
    _put(sources_stack, {"id": work})
    _write_order(sources_stack, order)
    stack.drain()
    assert len(_sightings(sources_stack, work)) == 1
    assert len(_sightings(sources_stack, order)) == 1
    # A client of the embedded AWS does meet them.
    sqs = stack.client("sqs", retries={"total_max_attempts": 1})
    url = sqs.get_queue_url(QueueName="bounceback-local-InputsQueue")["QueueUrl"]
    with pytest.raises(sqs.exceptions.RequestThrottled):
        sqs.receive_message(QueueUrl=url)
    assert {f["injected"] for f in stack.info()["faults"]} == {0, 1}


def test_a_handler_meets_faults_and_its_retries_get_the_work_through(
    sources_stack: SourcesStack,
) -> None:
    stack = sources_stack.stack
    # The relay's PutEvents is throttled four times: its first invocation fails after
    # botocore's three attempts, the second succeeds on its second attempt.
    stack.fault("events", "PutEvents", 1.0, times=4)
    order = _id("throttled-order")
    _write_order(sources_stack, order)
    stack.drain()
    assert len(_orders_relayed(sources_stack, order)) == 2
    assert len(_sightings(sources_stack, order)) == 1
    assert stack.info()["faults"] == []
