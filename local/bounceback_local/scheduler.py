"""A local EventBridge Scheduler: fires moto's one-time schedules by the local clock.

moto stores schedules but never runs them. Here every `at(...)` schedule that has come due
on the local clock is fired as EventBridge Scheduler would: its target is invoked (PutEvents
for an event bus, SendMessage for a queue, an async invoke for a function of the template),
`ActionAfterCompletion: DELETE` removes it, and a failure goes to its dead-letter queue.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bounceback_local.aws import EmbeddedAws
from bounceback_local.clock import LocalClock

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef

log = logging.getLogger("bounceback_local.scheduler")

_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


class UnsupportedScheduleError(ValueError):
    """rate() and cron() schedules are not run locally."""


def parse_at(expression: str, timezone: str | None = None) -> datetime:
    """The UTC instant of an ``at(yyyy-mm-ddThh:mm:ss)`` expression in ``timezone``."""
    found = _AT.fullmatch(expression.strip())
    if found is None:
        raise UnsupportedScheduleError(f"only at(...) expressions run locally, not {expression!r}")
    local = datetime.strptime(
        found.group(1), "%Y-%m-%dT%H:%M:%S"
    )  # naive: the zone is applied below
    return local.replace(tzinfo=ZoneInfo(timezone or "UTC")).astimezone(UTC)


# Invokes a function of the template asynchronously (through the router's delivery path).
FunctionInvoker = Callable[[str, Any], None]


class LocalScheduler:
    def __init__(
        self,
        aws: EmbeddedAws,
        clock: LocalClock,
        function_arns: Mapping[str, str],
        invoke_function: FunctionInvoker,
    ) -> None:
        self._aws = aws
        self._clock = clock
        self._function_arns = dict(function_arns)  # arn -> logical id
        self._invoke_function = invoke_function
        self._lock = threading.Lock()
        self._fired: set[tuple[str, str, str]] = set()
        self._warned: set[str] = set()
        self._scheduler = aws.scheduler()

    def fire_due(self) -> list[str]:
        """Fire every schedule due by the local clock; returns their names."""
        with self._lock:
            now = self._clock.now()
            fired: list[str] = []
            for group in self._groups():
                for name in self._schedule_names(group):
                    try:
                        schedule = self._scheduler.get_schedule(GroupName=group, Name=name)
                    except self._scheduler.exceptions.ResourceNotFoundException:
                        continue  # deleted by a handler meanwhile
                    if self._fire_if_due(group, schedule, now):
                        fired.append(name)
            return fired

    def _groups(self) -> list[str]:
        groups: list[str] = []
        for page in self._scheduler.get_paginator("list_schedule_groups").paginate():
            groups.extend(g["Name"] for g in page.get("ScheduleGroups", []))
        return groups

    def _schedule_names(self, group: str) -> list[str]:
        names: list[str] = []
        paginator = self._scheduler.get_paginator("list_schedules")
        for page in paginator.paginate(GroupName=group):
            names.extend(s["Name"] for s in page.get("Schedules", []))
        return names

    def _fire_if_due(self, group: str, schedule: Mapping[str, Any], now: datetime) -> bool:
        name = str(schedule["Name"])
        expression = str(schedule.get("ScheduleExpression", ""))
        if schedule.get("State", "ENABLED") != "ENABLED":
            return False
        try:
            due = parse_at(expression, schedule.get("ScheduleExpressionTimezone"))
        except UnsupportedScheduleError as error:
            if schedule["Arn"] not in self._warned:
                self._warned.add(schedule["Arn"])
                log.warning("schedule %s/%s is not run locally: %s", group, name, error)
            return False
        # A schedule is identified by what it would fire: recreating or updating it with a
        # new expression makes it due again, as it would on AWS.
        key = (str(schedule["Arn"]), expression, str(schedule.get("LastModificationDate")))
        if due > now or key in self._fired:
            return False
        self._fired.add(key)
        target = schedule["Target"]
        try:
            self._invoke_target(target, due)
            log.info("schedule %s/%s fired (due %s)", group, name, due.isoformat())
        except Exception as error:
            log.warning("schedule %s/%s failed: %s", group, name, error)
            self._dead_letter(schedule, target, error)
        if schedule.get("ActionAfterCompletion") == "DELETE":
            with contextlib.suppress(self._scheduler.exceptions.ResourceNotFoundException):
                self._scheduler.delete_schedule(GroupName=group, Name=name)
        return True

    def _invoke_target(self, target: Mapping[str, Any], due: datetime) -> None:
        arn = str(target["Arn"])
        payload = target.get("Input")
        service = arn.split(":")[2]
        resource = arn.split(":", 5)[5]
        if service == "events" and resource.startswith("event-bus/"):
            parameters = target.get("EventBridgeParameters") or {}
            result = self._aws.events().put_events(
                Entries=[
                    {
                        "Source": parameters["Source"],
                        "DetailType": parameters["DetailType"],
                        "Detail": payload if payload is not None else "{}",
                        "EventBusName": arn,
                        # The event is stamped with the time the schedule was due.
                        "Time": due,
                    }
                ]
            )
            if result.get("FailedEntryCount"):
                raise RuntimeError(json.dumps(result.get("Entries")))
        elif service == "sqs":
            sqs = self._aws.sqs()
            url = sqs.get_queue_url(QueueName=resource)["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=payload or "{}")
        elif service == "lambda" and arn in self._function_arns:
            self._invoke_function(self._function_arns[arn], json.loads(payload) if payload else {})
        else:
            raise RuntimeError(f"target {arn} is not supported by the local scheduler")

    def _dead_letter(
        self, schedule: Mapping[str, Any], target: Mapping[str, Any], error: Exception
    ) -> None:
        dead_letter_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not dead_letter_arn:
            log.warning(
                "schedule %s has no dead-letter queue: the event is dropped", schedule["Name"]
            )
            return
        sqs = self._aws.sqs()
        url = sqs.get_queue_url(QueueName=str(dead_letter_arn).rsplit(":", 1)[-1])["QueueUrl"]

        def attribute(value: str) -> MessageAttributeValueTypeDef:
            return {"DataType": "String", "StringValue": value}

        # Scheduler sends the target's input with what went wrong as message attributes.
        sqs.send_message(
            QueueUrl=url,
            MessageBody=target.get("Input") or "{}",
            MessageAttributes={
                "ERROR_CODE": attribute(type(error).__name__),
                "ERROR_MESSAGE": attribute(str(error)[:1000] or "error"),
                "RETRY_ATTEMPTS": attribute("0"),
                "SCHEDULE_ARN": attribute(str(schedule["Arn"])),
                "TARGET_ARN": attribute(str(target["Arn"])),
            },
        )
