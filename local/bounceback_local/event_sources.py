"""What Lambda's event source mappings (queues and streams) have in common: filter criteria,
reading a function's partial batch response, and the on-failure record's common part.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from moto.events.models import EventPattern

log = logging.getLogger("bounceback_local.sources")

# How many batches a queue mapping has in flight at once: Lambda starts with five pollers.
INITIAL_QUEUE_POLLERS = 5


class Filters:
    """A mapping's FilterCriteria: a record is let in when any one pattern matches it.

    Lambda's filter patterns have EventBridge's syntax and semantics, so moto's EventBridge
    matcher reads them. No pattern at all lets every record in.
    """

    def __init__(self, patterns: Iterable[Mapping[str, Any]]) -> None:
        self._patterns = [EventPattern.load(json.dumps(p)) for p in patterns]

    def admit(self, record: Mapping[str, Any]) -> bool:
        if not self._patterns:
            return True
        return any(p.matches_event(record) for p in self._patterns)  # type: ignore[arg-type]


def queue_filter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """An SQS record as filter patterns see it: a body that is a JSON object is matched
    field by field, any other body as the plain string it is."""
    body = record.get("body")
    if isinstance(body, str):
        try:
            parsed = json.loads(body)
        except ValueError:
            return dict(record)
        if isinstance(parsed, dict):
            return {**record, "body": parsed}
    return dict(record)


class InvalidBatchResponseError(ValueError):
    """A partial batch response Lambda cannot read: the whole batch counts as failed."""


def failed_items(result: Any, identifiers: Sequence[str]) -> list[str]:
    """The identifiers a function reported as failed, in the batch's order.

    Lambda counts the batch a complete success for a null or empty response, or a null or
    empty ``batchItemFailures``; and a complete failure (InvalidBatchResponseError) when an
    item has no ``itemIdentifier``, an empty or null one, or one that is not in the batch.
    """
    if not isinstance(result, dict):
        return []
    failures = result.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list):
        raise InvalidBatchResponseError("batchItemFailures is not a list")
    reported: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or not identifier:
            raise InvalidBatchResponseError("an item failure has no itemIdentifier")
        if identifier not in identifiers:
            raise InvalidBatchResponseError("an itemIdentifier is not in the batch")
        reported.add(identifier)
    return [identifier for identifier in identifiers if identifier in reported]


def on_failure_context(
    function_arn: str, condition: str, invoke_count: int, function_error: str | None
) -> dict[str, Any]:
    """The part of Lambda's on-failure record that says what was tried."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error is not None:
        response["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
    }
