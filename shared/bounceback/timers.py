"""One-time timers on EventBridge Scheduler: the feedback follow-up, the reapply date, and an
ATS lookup held back until the candidate may hear of the rejection (Teamtailor's transparent
recruiting).

A timer is an ``at()`` schedule in the stage's schedule group whose target puts an event on
the bus (Scheduler's templated EventBridge target) and which deletes itself after it fires.
Names are derived from the rejection, so creating the same timer twice is harmless and
cancelling needs no lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bounceback.events import SOURCE, DomainEvent

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

SCHEDULE_NAME_LIMIT = 64


FOLLOWUP_TIMER = "followup-"
REAPPLY_TIMER = "reapply-"
LOOKUP_TIMER = "lookup-"


def followup_timer_name(rejection_id: str) -> str:
    return f"{FOLLOWUP_TIMER}{rejection_id}"[:SCHEDULE_NAME_LIMIT]


def reapply_timer_name(rejection_id: str) -> str:
    return f"{REAPPLY_TIMER}{rejection_id}"[:SCHEDULE_NAME_LIMIT]


def lookup_timer_name(lookup_id: str) -> str:
    return f"{LOOKUP_TIMER}{lookup_id}"[:SCHEDULE_NAME_LIMIT]


def at_expression(moment: datetime) -> str:
    # at() takes whole seconds in the expression's timezone; we always speak UTC.
    return f"at({moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


@dataclass(frozen=True)
class TimerTarget:
    bus_arn: str
    role_arn: str
    dead_letter_queue_arn: str


class Timers:
    def __init__(
        self, client: EventBridgeSchedulerClient, group_name: str, target: TimerTarget
    ) -> None:
        self._client = client
        self._group = group_name
        self._target = target

    def schedule(self, name: str, at: datetime, event: DomainEvent[Any]) -> bool:
        """Create the timer; False when one of that name already exists (a repeated call)."""
        try:
            self._client.create_schedule(
                Name=name,
                GroupName=self._group,
                ScheduleExpression=at_expression(at),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self._target.bus_arn,
                    "RoleArn": self._target.role_arn,
                    "Input": event.model_dump_json(),
                    "EventBridgeParameters": {"DetailType": event.DETAIL_TYPE, "Source": SOURCE},
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
                    "DeadLetterConfig": {"Arn": self._target.dead_letter_queue_arn},
                },
            )
        except self._client.exceptions.ConflictException:
            return False
        return True

    def cancel(self, name: str) -> bool:
        """Delete the timer; a timer that already fired or never existed is not an error."""
        try:
            self._client.delete_schedule(Name=name, GroupName=self._group)
        except self._client.exceptions.ResourceNotFoundException:
            return False
        return True

    def reschedule(self, name: str, at: datetime, event: DomainEvent[Any]) -> None:
        self.cancel(name)
        self.schedule(name, at, event)
