"""An AWS account in memory (moto) with the resources of template.yaml, for integration tests.

template.yaml is read as the local stack reads it (through CloudFormation's transforms, see
``bounceback_local.template``): the table, bus, schedule group, queues, key and sender are
created from its resources, the functions' environment is its own, and ``InProcessWorkflow``
delivers events to the functions whose rules match them - so tests and infrastructure cannot
drift. Everything put on the bus is also copied to a "tap" queue by a catch-all rule, so a test
can see what a step published; due timers are fired as Scheduler would.
"""

from __future__ import annotations

import copy
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
from bounceback_local.template import ACCOUNT_ID, REGION, LocalDeployment, read_deployment

ROOT = Path(__file__).resolve().parents[2]
# The stage the tests deploy: their own names for the table, bus, group and sender.
PARAMETERS = {
    "Stage": "test",
    "SenderEmail": "no-reply@bounceback.test",
    "JwtIssuer": "https://issuer.bounceback.test",
    "JwtAudience": "bounceback-test",
    "Tracing": "PassThrough",
}
# What every test process needs to reach moto: fake credentials in the template's region.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@cache
def deployment() -> LocalDeployment:
    """template.yaml with the tests' parameter values (read once: the SAM transform is slow)."""
    return read_deployment(ROOT / "template.yaml", PARAMETERS)


def table_definition() -> dict[str, Any]:
    """The table's CreateTable arguments, as the template declares them."""
    (table,) = deployment().tables
    return {key: value for key, value in table.create_args.items() if key != "TableName"}


@dataclass(frozen=True)
class Subscription:
    """A function's EventBridge rule, as template.yaml declares it."""

    function: str
    pattern: dict[str, Any]
    module: str
    handler: str = "handler"


def subscriptions() -> list[Subscription]:
    found = []
    built = deployment()
    for rule in built.rules:
        spec = built.functions[rule.function]
        module, _, handler = spec.handler.rpartition(".")
        package = ".".join(spec.code_dir.relative_to(ROOT).parts)
        found.append(Subscription(rule.function, rule.pattern, f"{package}.{module}", handler))
    return found


class Cloud:
    """The moto account of one test, with the template's resources in it."""

    def __init__(self) -> None:
        self.dynamodb = boto3.client("dynamodb", region_name=REGION)
        self.events = boto3.client("events", region_name=REGION)
        self.scheduler = boto3.client("scheduler", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.ses = boto3.client("ses", region_name=REGION)
        built = copy.deepcopy(deployment())
        kms = boto3.client("kms", region_name=REGION)
        created: dict[str, str] = {}
        for key in built.kms_keys:
            metadata = kms.create_key(**key.create_args)["KeyMetadata"]
            created[f"{{kms:{key.logical_id}}}"] = metadata["KeyId"]
            created[f"{{kms-arn:{key.logical_id}}}"] = metadata["Arn"]
        built.fill_in(created)
        (table,) = built.tables
        self.table = table.name
        self.dynamodb.create_table(**table.create_args)
        (self.bus,) = built.buses.values()
        self.events.create_event_bus(Name=self.bus)
        (self.group,) = built.schedule_groups.values()
        self.scheduler.create_schedule_group(Name=self.group)
        self.queue_arns = {queue.logical_id: queue.arn for queue in built.queues}
        for queue in built.queues:
            self.sqs.create_queue(QueueName=queue.name, Attributes=dict(queue.attributes))  # type: ignore[arg-type]
        for identity in built.sender_identities:
            self.ses.verify_email_identity(EmailAddress=identity)
        # What the functions find in their environment on Lambda, resolved for this account.
        self.environment = built.environment()
        tap = self.sqs.create_queue(QueueName="tap")["QueueUrl"]
        tap_arn = self.sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self.events.put_rule(
            Name="tap", EventBusName=self.bus, EventPattern=json.dumps({"source": ["bounceback"]})
        )
        self.events.put_targets(
            Rule="tap", EventBusName=self.bus, Targets=[{"Id": "tap", "Arn": tap_arn}]
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
        found = self.scheduler.list_schedules(GroupName=self.group).get("Schedules", [])
        return [self.scheduler.get_schedule(Name=s["Name"], GroupName=self.group) for s in found]

    def emails(self) -> list[Any]:
        from moto.ses.models import ses_backends

        return list(ses_backends[ACCOUNT_ID][REGION].sent_messages)

    def items(self) -> list[dict[str, Any]]:
        # Tests may scan: they look at the whole table to prove what was (not) stored.
        return self.dynamodb.scan(TableName=self.table)["Items"]  # type: ignore[return-value]


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
        handler = getattr(importlib.import_module(sub.module), sub.handler)
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
                        "EventBusName": self.cloud.bus,
                        "Time": due,
                    }
                ]
            )
            self.cloud.scheduler.delete_schedule(Name=schedule["Name"], GroupName=self.cloud.group)
            fired.append(schedule["Name"])
        return fired


def iter_kinds(items: list[dict[str, Any]], kind: str) -> Iterator[dict[str, Any]]:
    return (i for i in items if i.get("type", {}).get("S") == kind)
