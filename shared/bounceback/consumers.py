"""How a recovery step reads its events: from its own SQS queue, a batch at a time.

Each step's rule puts the events it wants on the step's queue (template.yaml), and the queue
feeds the step's function. A message is one EventBridge event. Messages are handled one by
one; one that fails is reported back (``batchItemFailures``, so the others are not retried)
and comes back after a backoff that doubles each time, up to a limit, until the queue's
redrive policy parks it in the step's dead-letter queue (about 24 hours of tries). Every step
is idempotent, so a message handled twice acts once.

A message is started only while the invocation has time to finish it: Lambda stops a function
at its Timeout wherever it is, and a step stopped between SES accepting an email and the email
being marked sent would send it again once the claim's lease runs out. Messages left unstarted
are reported as failed and come back after the first backoff.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bounceback.errors import BouncebackError
from bounceback.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

BatchResponse = dict[str, list[dict[str, str]]]

# A step's Timeout is 20 s (template.yaml); one message takes well under a second on AWS, but
# its calls may each retry throttling for seconds. Half the Timeout is kept for the last one.
TIME_TO_START_A_MESSAGE_MS = 10_000


def _unlimited() -> int:
    return TIME_TO_START_A_MESSAGE_MS * 10


def backoff_seconds(receive_count: int, base: int, limit: int) -> int:
    """Seconds before the ``receive_count``-th failed try comes back: base, 2 x base, ..."""
    return int(min(limit, base * 2 ** max(0, receive_count - 1)))


def consume(
    batch: Mapping[str, Any],
    handle: Callable[[dict[str, Any]], object],
    retry_later: Callable[[Mapping[str, Any], int], None],
    time_left_ms: Callable[[], int] = _unlimited,
) -> BatchResponse:
    """Handle every message of an SQS batch; report those that failed, each pushed back by
    ``retry_later(record, receive_count)`` so its next try waits out the backoff. Once
    ``time_left_ms()`` falls under ``TIME_TO_START_A_MESSAGE_MS`` the rest are not started."""
    failures: list[dict[str, str]] = []
    records = list(batch.get("Records", []))
    for position, record in enumerate(records):
        if time_left_ms() < TIME_TO_START_A_MESSAGE_MS:
            unstarted = records[position:]
            logger.warning(
                "too little time left; messages given back", extra={"count": len(unstarted)}
            )
            for given_back in unstarted:
                failures.append({"itemIdentifier": str(given_back.get("messageId", ""))})
                _retry_later_or_log(retry_later, given_back, 0)
            break
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
            _retry_later_or_log(retry_later, record, receive_count)
    return {"batchItemFailures": failures}


def _retry_later_or_log(
    retry_later: Callable[[Mapping[str, Any], int], None],
    record: Mapping[str, Any],
    receive_count: int,
) -> None:
    try:
        retry_later(record, receive_count)
    except Exception:  # it still comes back, after the queue's visibility timeout
        logger.exception("could not delay the retry", extra={"message_id": record.get("messageId")})


def consume_step_events(
    batch: Mapping[str, Any], handle: Callable[[dict[str, Any]], object], context: LambdaContext
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

    return consume(batch, handle, retry_later, context.get_remaining_time_in_millis)
