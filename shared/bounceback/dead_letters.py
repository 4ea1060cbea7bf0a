"""Work a user is still owed that failed for a day: the dead-letter queues, for an operator.

Each step's failed message is retried automatically with backoff for about 24 hours (its
queue's redrive policy), then parked in the step's dead-letter queue; a timer the scheduler
could not deliver is parked in the scheduler's. ``GET /admin/dead-letters`` counts what is
parked, and ``POST /admin/dead-letters/redrive`` puts it back through its step: a step's
messages back on the step's queue (each is an EventBridge event, as the rule sent it), a
timer's event back on the bus. Steps are idempotent, so a redriven event still acts once.

The outbox relay's queue holds only what a stream sends on failure (where in the stream a
batch was, not the records): it is counted, never redriven (docs/decisions.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from bounceback.events import AtsLookupNeeded, CooldownElapsed, DomainEvent, FeedbackFollowupDue
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.services import Services
from bounceback.timers import FOLLOWUP_TIMER, LOOKUP_TIMER, REAPPLY_TIMER

# What one redrive request moves at most: it must end well inside the API's 30 seconds.
REDRIVE_LIMIT = 500
BUS = "bus"  # a parked timer goes back on the bus
NOWHERE = ""  # not redrivable

_TIMER_EVENTS: Mapping[str, type[DomainEvent[Any]]] = {
    FOLLOWUP_TIMER: FeedbackFollowupDue,
    REAPPLY_TIMER: CooldownElapsed,
    LOOKUP_TIMER: AtsLookupNeeded,
}


class DeadLetterQueue(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    url: str
    back_to: str  # the queue URL its messages go back to, BUS, or NOWHERE


@cache
def _queues() -> TypeAdapter[dict[str, DeadLetterQueue]]:
    # Built on the first admin request that reads the queues, not on every cold start.
    return TypeAdapter(dict[str, DeadLetterQueue])


def configured(setting: str) -> dict[str, DeadLetterQueue]:
    """The dead-letter queues by logical id, from the API function's environment."""
    return _queues().validate_python(json.loads(setting or "{}"))


def waiting(services: Services, queues: Mapping[str, DeadLetterQueue]) -> dict[str, int]:
    return {name: services.queues.waiting(queue.url) for name, queue in sorted(queues.items())}


def _timer_event(body: str, attributes: Mapping[str, str]) -> DomainEvent[Any]:
    """A timer's event as the scheduler parked it: its input, named by its schedule."""
    schedule = attributes.get("SCHEDULE_ARN", "").rsplit("/", 1)[-1]
    for prefix, kind in _TIMER_EVENTS.items():
        if schedule.startswith(prefix):
            return kind.model_validate_json(body)
    raise ValueError("a parked message of no known timer")


def redrive(services: Services, queues: Mapping[str, DeadLetterQueue]) -> int:
    """Put every parked failure back through its step; returns how many (at most
    ``REDRIVE_LIMIT`` per call: call again while there are more)."""
    moved = 0
    for name, queue in sorted(queues.items()):
        if queue.back_to == NOWHERE:
            continue
        for message in services.queues.drain(queue.url, REDRIVE_LIMIT - moved):
            try:
                if queue.back_to == BUS:
                    services.bus.publish(_timer_event(message.body, message.attributes))
                else:
                    services.queues.send(queue.back_to, message.body)
            except ValueError:
                logger.warning("a parked message cannot be redriven", extra={"queue": name})
                continue  # it stays parked (it comes back into view in a minute)
            services.queues.delete(queue.url, message.receipt_handle)
            moved += 1
        if moved >= REDRIVE_LIMIT:
            break
    metrics.add_metric(name="DeadLettersRedriven", unit=MetricUnit.Count, value=moved)
    logger.info("dead letters redriven", extra={"redriven": moved})
    return moved
