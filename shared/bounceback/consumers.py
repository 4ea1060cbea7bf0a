"""How a recovery step reads its events: from its own SQS queue, a batch at a time.

Each step's rule puts the events it wants on the step's queue (template.yaml), and the queue
feeds the step's function. A message is one EventBridge event. Messages are handled one by
one; one that fails is reported back (``batchItemFailures``, so the others are not retried)
and comes back after a backoff that doubles each time, up to a limit, until the queue's
redrive policy parks it in the step's dead-letter queue (about 24 hours of tries). Every step
is idempotent, so a message handled twice acts once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from bounceback.errors import BouncebackError
from bounceback.observability import logger

BatchResponse = dict[str, list[dict[str, str]]]


def backoff_seconds(receive_count: int, base: int, limit: int) -> int:
    """Seconds before the ``receive_count``-th failed try comes back: base, 2 x base, ..."""
    return int(min(limit, base * 2 ** max(0, receive_count - 1)))


def consume(
    batch: Mapping[str, Any],
    handle: Callable[[dict[str, Any]], object],
    retry_later: Callable[[Mapping[str, Any], int], None],
) -> BatchResponse:
    """Handle every message of an SQS batch; report those that failed, each pushed back by
    ``retry_later(record, receive_count)`` so its next try waits out the backoff."""
    failures: list[dict[str, str]] = []
    for record in batch.get("Records", []):
        receive_count = int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
        try:
            event = json.loads(record["body"])
            metadata = (
                ((event.get("detail") or {}).get("metadata") or {})
                if isinstance(event, dict)
                else {}
            )
            logger.set_correlation_id(metadata.get("correlation_id"))
            handle(event)
        except Exception as error:
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
            fields = {"message_id": record.get("messageId"), "receive_count": receive_count}
            if isinstance(error, BouncebackError):  # expected (e.g. an email in flight)
                logger.warning(
                    "event will be retried", extra=fields | {"error": type(error).__name__}
                )
            else:
                logger.exception("event failed; it will be retried", extra=fields)
            try:
                retry_later(record, receive_count)
            except Exception:  # it still comes back, after the queue's visibility timeout
                logger.exception("could not delay the retry", extra=fields)
    return {"batchItemFailures": failures}


def consume_step_events(
    batch: Mapping[str, Any], handle: Callable[[dict[str, Any]], object]
) -> BatchResponse:
    """``consume`` for a step's function: its failed messages back off as the settings say."""
    from bounceback.services import services
    from bounceback.settings import settings

    config = settings()
    queues = services().queues

    def retry_later(record: Mapping[str, Any], receive_count: int) -> None:
        delay = backoff_seconds(
            receive_count, config.retry_backoff_seconds, config.retry_backoff_limit_seconds
        )
        queues.retry_later(str(record["eventSourceARN"]), str(record["receiptHandle"]), delay)

    return consume(batch, handle, retry_later)
