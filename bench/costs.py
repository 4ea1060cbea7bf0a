"""What a million rejections cost in request-priced AWS, from the calls one journey makes.

Prices: us-east-1, on demand, as published on AWS's pricing pages (``docs/prices.md`` cites
each page and the date of the price). Free tiers are left out: this is the marginal price.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# USD, us-east-1, on demand (docs/prices.md: pages and dates).
LAMBDA_REQUEST = 0.20 / 1e6  # per invocation
LAMBDA_GB_SECOND_ARM = 0.0000133334  # per GB-second, arm64, first tier
DYNAMODB_WRITE_UNIT = 0.625 / 1e6  # per write request unit (on demand, since 2024-11-01)
DYNAMODB_READ_UNIT = 0.125 / 1e6  # per read request unit
EVENTBRIDGE_EVENT = 1.00 / 1e6  # per custom event published (64 KB chunk)
SCHEDULER_INVOCATION = 1.00 / 1e6  # per schedule fired
SQS_REQUEST = 0.40 / 1e6  # per standard-queue request (64 KB chunk)
SES_EMAIL = 0.10 / 1e3  # per email sent
KMS_REQUEST = 0.03 / 1e4  # per symmetric-key request

# The journey's invocations and their assumed length: 512 MB functions (template.yaml) at an
# assumed 100 ms per warm invocation. Each step's event is one SQS message: EventBridge's
# SendMessage, the poller's ReceiveMessage and DeleteMessage.
MEMORY_GB = 0.5
ASSUMED_SECONDS = 0.1
SQS_REQUESTS_PER_STEP_EVENT = 3


@dataclass(frozen=True)
class Journey:
    """What one rejection did: AWS calls by ``service.Operation``, DynamoDB request units,
    invocations (API requests, outbox relays, step events) and timers fired."""

    calls: Counter[str]
    read_units: float
    write_units: float
    events_published: int
    invocations: int
    step_events: int
    timers_fired: int


def dollars_per_million(journey: Journey) -> dict[str, float]:
    calls = journey.calls
    parts = {
        "Lambda": journey.invocations
        * (LAMBDA_REQUEST + MEMORY_GB * ASSUMED_SECONDS * LAMBDA_GB_SECOND_ARM),
        "DynamoDB": journey.read_units * DYNAMODB_READ_UNIT
        + journey.write_units * DYNAMODB_WRITE_UNIT,
        "EventBridge": journey.events_published * EVENTBRIDGE_EVENT,
        "Scheduler": journey.timers_fired * SCHEDULER_INVOCATION,
        "SQS": (journey.step_events * SQS_REQUESTS_PER_STEP_EVENT + calls["sqs.all"]) * SQS_REQUEST,
        "SES": calls["sesv2.SendEmail"] * SES_EMAIL,
        "KMS": sum(n for name, n in calls.items() if name.startswith("kms.")) * KMS_REQUEST,
    }
    return {name: value * 1e6 for name, value in parts.items()}


# DynamoDB request units per call, for items under 1 KB (writes) and 4 KB (reads): a strongly
# consistent read is 1 unit, a transactional item 2 (reads and writes alike).
def request_units(operation: str, params: dict[str, object]) -> tuple[float, float]:
    """(read units, write units) of one DynamoDB call."""
    if operation in ("GetItem", "Query", "Scan"):
        consistent = bool(params.get("ConsistentRead"))
        return (1.0 if consistent else 0.5), 0.0
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 0.0, 1.0
    if operation == "TransactWriteItems":
        items = params.get("TransactItems")
        return 0.0, 2.0 * (len(items) if isinstance(items, list) else 1)
    if operation == "TransactGetItems":
        items = params.get("TransactItems")
        return 2.0 * (len(items) if isinstance(items, list) else 1), 0.0
    if operation in ("BatchWriteItem", "BatchGetItem"):
        requests = params.get("RequestItems")
        count = (
            sum(len(v if isinstance(v, list) else v.get("Keys", [])) for v in requests.values())
            if isinstance(requests, dict)
            else 1
        )
        return (0.0, float(count)) if operation == "BatchWriteItem" else (float(count), 0.0)
    return 0.0, 0.0
