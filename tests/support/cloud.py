"""An AWS account in memory (moto) with the resources of template.yaml, for integration tests.

template.yaml is read as the local stack reads it (through CloudFormation's transforms, see
``bounceback_local.template``): the table (with its stream), bus, rules, schedule group,
queues, key and sender are created from its resources, and the functions' environment is its
own, so tests and infrastructure cannot drift. What the table commits reaches the bus through
the outbox relay (``Cloud.relay``); the rules put events on the steps' queues (moto delivers
them); ``InProcessWorkflow`` feeds each queue to its function as Lambda's event source mapping
would, and fires due timers as Scheduler would. Everything put on the bus is also copied to a
"tap" queue by a catch-all rule, so a test can see what was published.
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
    queue: str = ""  # logical id of the queue the rule fills and the function reads


def _module_of(function: str) -> tuple[str, str]:
    spec = deployment().functions[function]
    module, _, handler = spec.handler.rpartition(".")
    package = ".".join(spec.code_dir.relative_to(ROOT).parts)
    return f"{package}.{module}", handler


def subscriptions() -> list[Subscription]:
    """Each step's rule, with the function its queue feeds."""
    built = deployment()
    fed_by = {m.event_source_arn: m.function for m in built.event_source_mappings}
    found = []
    for rule in built.queue_rules:
        function = fed_by[rule.queue_arn]
        module, handler = _module_of(function)
        found.append(Subscription(function, rule.pattern, module, handler, rule.queue))
    return found


def stream_consumer() -> tuple[Subscription, list[dict[str, Any]]]:
    """The function the table's stream feeds, and the filter patterns of its mapping."""
    (mapping,) = [
        m for m in deployment().event_source_mappings if ":dynamodb:" in m.event_source_arn
    ]
    module, handler = _module_of(mapping.function)
    return Subscription(mapping.function, {}, module, handler), list(mapping.filter_patterns)


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
        self.queue_urls: dict[str, str] = {}
        # Dead-letter queues first: a queue's redrive policy names one that must exist.
        for queue in sorted(built.queues, key=lambda q: "RedrivePolicy" in q.attributes):
            self.queue_urls[queue.logical_id] = self.sqs.create_queue(
                QueueName=queue.name,
                Attributes=dict(queue.attributes),  # type: ignore[arg-type]
            )["QueueUrl"]
        for rule in built.queue_rules:  # moto delivers matching events to the queues itself
            self.events.put_rule(
                Name=rule.name, EventBusName=rule.bus_name, EventPattern=json.dumps(rule.pattern)
            )
            self.events.put_targets(
                Rule=rule.name,
                EventBusName=rule.bus_name,
                Targets=[{"Id": rule.target_id, "Arn": rule.queue_arn}],
            )
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
        self._relayed = 0  # how much of the table's stream the relay has handled

    def stream_records(self) -> list[dict[str, Any]]:
        """The table's stream so far, as Lambda hands it to a function (moto keeps it in
        this process; its server-only stream API is not needed here)."""
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[ACCOUNT_ID][REGION].get_table(self.table)
        shard = table.stream_shard
        return (
            []
            if shard is None
            else [json.loads(json.dumps(r.to_json(), default=str)) for r in shard.items]
        )

    def relay(self) -> list[str]:
        """Hand the stream's new records (those its mapping's filter lets in) to the outbox
        relay, as Lambda would: what the table committed goes on the bus. When the relay
        reports a record failed, the stream resumes from it next time, as Lambda's does.
        Returns the sequence numbers reported failed (none when all went out)."""
        from moto.events.models import EventPattern

        from tests.support.events import LambdaContext

        records = self.stream_records()
        consumer, patterns = stream_consumer()
        matchers = [EventPattern.load(json.dumps(p)) for p in patterns]
        start = self._relayed
        wanted = [
            r for r in records[start:] if not matchers or any(m.matches_event(r) for m in matchers)
        ]
        self._relayed = len(records)
        if not wanted:
            return []
        handler = getattr(importlib.import_module(consumer.module), consumer.handler)
        answer = handler({"Records": wanted}, LambdaContext(function_name=consumer.function))
        failed = [str(f["itemIdentifier"]) for f in answer.get("batchItemFailures", [])]
        if failed:
            numbers = [str(r["dynamodb"]["SequenceNumber"]) for r in records]
            self._relayed = numbers.index(min(failed, key=int))
        return failed

    def take_published(self) -> list[dict[str, Any]]:
        """Every event put on the bus since the last call (oldest first), the table's newly
        committed rejections and feedback relayed first."""
        self.relay()
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
    """EventBridge, SQS and Scheduler in miniature, over the same handlers, rules and queues.

    The table's commits are relayed to the bus, the rules fill the steps' queues, and each
    queue's messages are handed to its function one at a time, as an event source mapping
    would: a message the function reports failed stays in its queue and comes again.
    ``copies`` hands every message over that many times (SQS delivers at least once).
    """

    cloud: Cloud
    copies: int = 1
    deliveries: list[Delivery] = field(default_factory=list)
    before_invoke: Callable[[str], None] | None = None
    max_rounds: int = 20

    def run_until_quiet(self) -> list[Delivery]:
        done: list[Delivery] = []
        for _ in range(self.max_rounds):
            self.cloud.take_published()  # relays, and empties the tap
            handed = 0
            for sub in subscriptions():
                for message in self._receive(sub.queue):
                    for _ in range(self.copies):
                        done.append(self.invoke(sub, message))
                    handed += 1
            if handed == 0:
                return done
        raise AssertionError("the workflow did not settle: a message keeps failing")

    def _receive(self, queue: str) -> list[dict[str, Any]]:
        url = self.cloud.queue_urls[queue]
        messages: list[dict[str, Any]] = []
        while batch := self.cloud.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0
        ).get("Messages", []):
            for message in batch:
                self.cloud.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)
        return messages

    def invoke(self, sub: Subscription, message: dict[str, Any] | Any) -> Delivery:
        """Hand one message (or one EventBridge event) to the function, in an SQS batch; a
        failure puts it back on the queue for the next round."""
        from tests.support.events import LambdaContext, sqs_batch

        if self.before_invoke:
            self.before_invoke(sub.function)
        body = message["Body"] if "Body" in message else json.dumps(message)
        handler = getattr(importlib.import_module(sub.module), sub.handler)
        arn = self.cloud.queue_arns[sub.queue]
        outcome = handler(
            sqs_batch(json.loads(body), arn), LambdaContext(function_name=sub.function)
        )
        if outcome.get("batchItemFailures"):
            self.cloud.sqs.send_message(QueueUrl=self.cloud.queue_urls[sub.queue], MessageBody=body)
        delivery = Delivery(sub.function, json.loads(body).get("detail-type", ""), outcome)
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
