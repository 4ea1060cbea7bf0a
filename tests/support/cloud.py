"""An AWS account in memory (moto) with the resources of template.yaml, for integration tests.

The table is created from the template's own definition, so tests and infrastructure cannot
drift. Everything put on the bus is copied to a "tap" queue by a catch-all rule, so a test can
see what a step published; ``InProcessWorkflow`` delivers those events to the functions whose
rules in template.yaml match them, and fires due timers, as EventBridge and Scheduler would.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import boto3

from bounceback_local.scheduler import parse_at
from bounceback_local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGION = "us-east-1"
TABLE = "bounceback-test"
BUS = "bounceback-test"
GROUP = "bounceback-test"
SENDER = "no-reply@bounceback.test"

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "TABLE_NAME": TABLE,
    "EVENT_BUS_NAME": BUS,
    "EVENT_BUS_ARN": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{BUS}",
    "SCHEDULE_GROUP_NAME": GROUP,
    "SCHEDULER_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/bounceback-scheduler",
    "SCHEDULER_DEAD_LETTER_QUEUE_ARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:scheduler-dlq",
    "SENDER_EMAIL": SENDER,
    "CONNECTION_KEY_ID": "alias/bounceback-test",
}


@cache
def template() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")


def table_definition() -> dict[str, Any]:
    props = template()["Resources"]["Table"]["Properties"]
    keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {key: props[key] for key in keys if key in props}


@dataclass(frozen=True)
class Subscription:
    """A function's EventBridge rule, as template.yaml declares it."""

    function: str
    pattern: dict[str, Any]
    module: str


def subscriptions() -> list[Subscription]:
    found = []
    for logical_id, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        module = "functions." + props["CodeUri"].strip("/").split("/")[-1] + ".app"
        for event in props.get("Events", {}).values():
            if event["Type"] == "EventBridgeRule":
                found.append(Subscription(logical_id, event["Properties"]["Pattern"], module))
    return found


class Cloud:
    """The moto account of one test."""

    def __init__(self) -> None:
        self.dynamodb = boto3.client("dynamodb", region_name=REGION)
        self.events = boto3.client("events", region_name=REGION)
        self.scheduler = boto3.client("scheduler", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.ses = boto3.client("ses", region_name=REGION)
        self.dynamodb.create_table(TableName=TABLE, **table_definition())
        self.events.create_event_bus(Name=BUS)
        self.scheduler.create_schedule_group(Name=GROUP)
        self.ses.verify_email_identity(EmailAddress=SENDER)
        kms = boto3.client("kms", region_name=REGION)
        key_id = kms.create_key(Description="connection secrets")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/bounceback-test", TargetKeyId=key_id)
        self.sqs.create_queue(QueueName="scheduler-dlq")
        tap = self.sqs.create_queue(QueueName="tap")["QueueUrl"]
        tap_arn = self.sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.events.put_rule(
            Name="tap", EventBusName=BUS, EventPattern=json.dumps({"source": ["bounceback"]})
        )
        self.events.put_targets(
            Rule="tap", EventBusName=BUS, Targets=[{"Id": "tap", "Arn": tap_arn}]
        )
        self._tap = tap

    def take_published(self) -> list[dict[str, Any]]:
        """Every event put on the bus since the last call (oldest first)."""
        taken: list[dict[str, Any]] = []
        while True:
            response = self.sqs.receive_message(QueueUrl=self._tap, MaxNumberOfMessages=10)
            messages = response.get("Messages", [])
            if not messages:
                return taken
            for message in messages:
                taken.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self._tap, ReceiptHandle=message["ReceiptHandle"])

    def schedules(self) -> list[dict[str, Any]]:
        names = [
            s["Name"] for s in self.scheduler.list_schedules(GroupName=GROUP).get("Schedules", [])
        ]
        return [self.scheduler.get_schedule(Name=n, GroupName=GROUP) for n in names]

    def emails(self) -> list[Any]:
        from moto.ses.models import ses_backends

        return list(ses_backends[ACCOUNT][REGION].sent_messages)

    def items(self) -> list[dict[str, Any]]:
        # Tests may scan: they look at the whole table to prove what was (not) stored.
        return self.dynamodb.scan(TableName=TABLE)["Items"]  # type: ignore[return-value]


def schedule_due_at(schedule: dict[str, Any]) -> datetime:
    """When a one-time timer is due, read as the local stack's scheduler reads it."""
    return parse_at(schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone"))


@dataclass
class Delivery:
    function: str
    detail_type: str
    outcome: Any


@dataclass
class InProcessWorkflow:
    """EventBridge and Scheduler in miniature, over the same handlers, rules and timers.

    ``copies`` delivers every event that many times (EventBridge delivers at least once).
    """

    cloud: Cloud
    copies: int = 1
    deliveries: list[Delivery] = field(default_factory=list)
    before_invoke: Callable[[str], None] | None = None

    def run_until_quiet(self) -> list[Delivery]:
        from moto.events.models import EventPattern

        done: list[Delivery] = []
        while events := self.cloud.take_published():
            for event in events:
                for sub in subscriptions():
                    if not EventPattern.load(json.dumps(sub.pattern)).matches_event(event):
                        continue
                    for _ in range(self.copies):
                        done.append(self.invoke(sub, event))
        return done

    def invoke(self, sub: Subscription, event: dict[str, Any]) -> Delivery:
        from tests.support.events import LambdaContext

        if self.before_invoke:
            self.before_invoke(sub.function)
        handler = importlib.import_module(sub.module).handler
        outcome = handler(json.loads(json.dumps(event)), LambdaContext(function_name=sub.function))
        delivery = Delivery(sub.function, event["detail-type"], outcome)
        self.deliveries.append(delivery)
        return delivery

    def fire_timers_due_by(self, moment: datetime) -> list[str]:
        """What Scheduler does at ``moment``: put each due timer's event on the bus, then
        delete the timer (ActionAfterCompletion: DELETE)."""
        fired = []
        for schedule in self.cloud.schedules():
            due = schedule_due_at(schedule)
            if due > moment:
                continue
            target = schedule["Target"]
            self.cloud.events.put_events(
                Entries=[
                    {
                        "Source": target["EventBridgeParameters"]["Source"],
                        "DetailType": target["EventBridgeParameters"]["DetailType"],
                        "Detail": target["Input"],
                        "EventBusName": BUS,
                        "Time": due,
                    }
                ]
            )
            self.cloud.scheduler.delete_schedule(Name=schedule["Name"], GroupName=GROUP)
            fired.append(schedule["Name"])
        return fired


def iter_kinds(items: list[dict[str, Any]], kind: str) -> Iterator[dict[str, Any]]:
    return (i for i in items if i.get("type", {}).get("S") == kind)
