"""What EventBridge sends to a rule's target, and the embedded EventBridge delivering it to
the template's queues."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.events.models import Rule

from bounceback_local.aws import _deliver_to_queues_as_eventbridge_does
from bounceback_local.eventbridge import (
    normalise_event,
    render_input_template,
    target_payload,
    value_at,
)

EVENT = {
    "version": "0",
    "id": "e-1",
    "detail-type": "Rejection Logged",
    "source": "bounceback",
    "account": "123456789012",
    "time": "2026-11-02T09:15:00Z",
    "region": "us-east-1",
    "resources": ["arn:one"],
    "detail": {"user_id": "u1", "days": 30, "tags": ["a", "b"], "quote": 'say "hi"'},
}


def test_moto_bookkeeping_becomes_the_eventbridge_shape() -> None:
    raw = {**EVENT, "account": "", "time": 1793606400.0, "ingestion-time": 1.0}
    event = normalise_event(raw)
    assert list(event) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    ]  # fmt: skip
    assert event["account"] == "123456789012"
    assert event["time"] == "2026-11-02T08:00:00Z"


def test_json_paths_reach_into_the_event() -> None:
    assert value_at(EVENT, "$.detail.user_id") == (True, "u1")
    assert value_at(EVENT, "$.resources[0]") == (True, "arn:one")
    assert value_at(EVENT, "$['detail-type']") == (True, "Rejection Logged")
    assert value_at(EVENT, "$") == (True, EVENT)
    assert value_at(EVENT, "$.detail.missing") == (False, None)
    assert value_at(EVENT, "$.resources[3]") == (False, None)


def test_a_target_without_input_gets_the_event() -> None:
    assert json.loads(target_payload({"Arn": "q"}, EVENT)) == EVENT


def test_input_is_sent_as_written_and_input_path_as_json() -> None:
    assert target_payload({"Input": '{"constant": 1}'}, EVENT) == '{"constant": 1}'
    assert json.loads(target_payload({"InputPath": "$.detail"}, EVENT)) == EVENT["detail"]
    assert target_payload({"InputPath": "$.detail.user_id"}, EVENT) == '"u1"'


def test_an_input_template_quotes_values_as_json_where_they_stand() -> None:
    paths = {
        "kind": "$.detail-type",
        "user": "$.detail.user_id",
        "days": "$.detail.days",
        "tags": "$.detail.tags",
        "quote": "$.detail.quote",
        "absent": "$.detail.nothing",
    }
    template = (
        '{"kind": <kind>, "line": "<user> waits <days> days", "days": <days>, '
        '"tags": <tags>, "quote": "<quote>", "absent": <absent>, "rule": "<aws.events.rule-name>"}'
    )
    rendered = json.loads(render_input_template(template, paths, EVENT, "my-rule"))
    assert rendered == {
        "kind": "Rejection Logged",
        "line": "u1 waits 30 days",
        "days": 30,
        "tags": ["a", "b"],
        "quote": 'say "hi"',
        "absent": None,
        "rule": "my-rule",
    }


def test_a_text_template_stays_text() -> None:
    rendered = render_input_template('"<user> was rejected"', {"user": "$.detail.user_id"}, EVENT)
    assert rendered == '"u1 was rejected"'


# ---------------------------------------------------------------------------- delivery


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    # The delivery is patched into moto for this test only.
    monkeypatch.setattr(Rule, "send_to_targets", Rule.send_to_targets)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        _deliver_to_queues_as_eventbridge_does()
        _deliver_to_queues_as_eventbridge_does()  # once is enough: twice changes nothing
        sqs = boto3.client("sqs", region_name="us-east-1")
        events = boto3.client("events", region_name="us-east-1")
        events.create_event_bus(Name="bus")
        yield {"sqs": sqs, "events": events}


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _bodies(sqs: Any, url: str) -> list[str]:
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_the_embedded_eventbridge_sends_queues_what_eventbridge_sends(
    aws: dict[str, Any],
) -> None:
    sqs, events = aws["sqs"], aws["events"]
    url, arn = _queue(sqs, "steps")
    events.put_rule(Name="r", EventBusName="bus", EventPattern='{"source": ["bounceback"]}')
    events.put_targets(
        Rule="r",
        EventBusName="bus",
        Targets=[
            {"Id": "whole", "Arn": arn},
            {"Id": "constant", "Arn": arn, "Input": '{"constant": true}'},
            {"Id": "path", "Arn": arn, "InputPath": "$.detail"},
            {
                "Id": "transformed",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"user": "$.detail.user_id"},
                    "InputTemplate": '{"user": <user>}',
                },
            },
        ],
    )
    events.put_events(
        Entries=[
            {
                "Source": "bounceback",
                "DetailType": "Rejection Logged",
                "Detail": '{"user_id": "u1"}',
                "EventBusName": "bus",
            },
            {"Source": "other", "DetailType": "X", "Detail": "{}", "EventBusName": "bus"},
        ]
    )
    bodies = _bodies(sqs, url)
    assert bodies[:3] == ['{"constant": true}', '{"user": "u1"}', '{"user_id": "u1"}']
    event = json.loads(bodies[3])
    assert list(event) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    ]  # fmt: skip
    assert event["account"] == "123456789012"
    assert event["detail"] == {"user_id": "u1"}


def test_a_disabled_rule_delivers_nothing(aws: dict[str, Any]) -> None:
    sqs, events = aws["sqs"], aws["events"]
    url, arn = _queue(sqs, "quiet")
    events.put_rule(Name="off", EventBusName="bus", EventPattern='{"source": ["s"]}')
    events.put_targets(Rule="off", EventBusName="bus", Targets=[{"Id": "q", "Arn": arn}])
    events.disable_rule(Name="off", EventBusName="bus")
    events.put_events(
        Entries=[{"Source": "s", "DetailType": "X", "Detail": "{}", "EventBusName": "bus"}]
    )
    assert _bodies(sqs, url) == []


def test_an_undeliverable_event_goes_to_the_targets_dead_letter_queue(
    aws: dict[str, Any],
) -> None:
    sqs, events = aws["sqs"], aws["events"]
    dead_url, dead_arn = _queue(sqs, "rule-dlq")
    missing = "arn:aws:sqs:us-east-1:123456789012:deleted"
    events.put_rule(Name="r", EventBusName="bus", EventPattern='{"source": ["s"]}')
    events.put_targets(
        Rule="r",
        EventBusName="bus",
        Targets=[{"Id": "gone", "Arn": missing, "DeadLetterConfig": {"Arn": dead_arn}}],
    )
    result = events.put_events(
        Entries=[{"Source": "s", "DetailType": "X", "Detail": "{}", "EventBusName": "bus"}]
    )
    assert result["FailedEntryCount"] == 0  # EventBridge took the event
    (message,) = sqs.receive_message(QueueUrl=dead_url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"])["detail-type"] == "X"
    attributes = message["MessageAttributes"]
    assert attributes["TARGET_ARN"]["StringValue"] == missing
    assert attributes["RULE_ARN"]["StringValue"].endswith("rule/bus/r")
    assert attributes["ERROR_CODE"]["StringValue"] == "SDK_CLIENT_ERROR"
