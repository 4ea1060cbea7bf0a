"""A function fed by an SQS queue, as Lambda's event source mapping feeds it.

A reader long-polls the queue and hands each batch to one of a few workers (Lambda starts
five pollers; ``ScalingConfig.MaximumConcurrency`` caps them). A worker invokes the function
synchronously with Lambda's SQS event, then deletes what succeeded: the whole batch, or with
``ReportBatchItemFailures`` all but the messages the function reported. A function error
deletes nothing: the messages come back when their visibility timeout ends (or when the
function itself changed it), and the queue's redrive policy moves a message to its
dead-letter queue once it has been received maxReceiveCount times (moto enforces it when it
receives). Messages no filter pattern admits are deleted unseen, as Lambda deletes them.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bounceback_local.activity import Activity
from bounceback_local.aws import EmbeddedAws
from bounceback_local.event_sources import (
    INITIAL_QUEUE_POLLERS,
    Filters,
    InvalidBatchResponseError,
    failed_items,
    queue_filter_view,
)
from bounceback_local.functions import FunctionRuntime, describe_error
from bounceback_local.template import REGION, EventSourceMappingSpec

log = logging.getLogger("bounceback_local.queues")

# Long polls stay short so that stopping is quick; moto answers as soon as a message arrives
# (and notices one whose visibility timeout ended within a second).
POLL_WAIT_SECONDS = 2

# The system attributes Lambda passes on in a record's `attributes`, when the message has them.
_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    attribute["stringListValues"] = list(value.get("StringListValues") or [])
    attribute["binaryListValues"] = [
        base64.b64encode(v).decode() for v in value.get("BinaryListValues") or []
    ]
    attribute["dataType"] = value.get("DataType", "String")
    return attribute


def sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """One message as Lambda puts it in an SQS event (from boto3's ReceiveMessage shape)."""
    attributes = message.get("Attributes") or {}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {k: attributes[k] for k in _RECORD_ATTRIBUTES if k in attributes},
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record |= {"eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": REGION}
    return record


def handles_to_delete(
    records: Sequence[Mapping[str, Any]], result: Any, reports_batch_item_failures: bool
) -> list[str]:
    """The receipt handles of the records a successful invocation is done with.

    Without ReportBatchItemFailures a response is not read: success deletes everything.
    An unreadable partial response counts as the whole batch failing: nothing is deleted.
    """
    if not reports_batch_item_failures:
        return [str(r["receiptHandle"]) for r in records]
    try:
        failed = set(failed_items(result, [str(r["messageId"]) for r in records]))
    except InvalidBatchResponseError:
        return []
    return [str(r["receiptHandle"]) for r in records if r["messageId"] not in failed]


class QueuePoller:
    """One queue event source mapping."""

    def __init__(
        self,
        spec: EventSourceMappingSpec,
        aws: EmbeddedAws,
        runtime: FunctionRuntime,
        activity: Activity,
    ) -> None:
        self.spec = spec
        self._aws = aws
        self._runtime = runtime
        self._activity = activity
        self._sqs = aws.sqs()
        self._filters = Filters(spec.filter_patterns)
        self.url = self._sqs.get_queue_url(QueueName=spec.event_source_arn.rsplit(":", 1)[-1])[
            "QueueUrl"
        ]
        self.concurrency = min(
            INITIAL_QUEUE_POLLERS, spec.maximum_concurrency or INITIAL_QUEUE_POLLERS
        )
        self._slots = threading.Semaphore(self.concurrency)
        self._workers = ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix=f"sqs-{spec.logical_id}"
        )
        self._stopping = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        self._reader = threading.Thread(
            target=self._read, name=f"sqs-{self.spec.logical_id}", daemon=True
        )
        self._reader.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._reader is not None:
            self._reader.join(timeout=0.2)  # a daemon in a short long poll: it ends with moto
        self._workers.shutdown(wait=False, cancel_futures=True)

    def idle(self) -> bool:
        """Nothing in the queue: visible, in flight (a backoff included) or delayed."""
        return self._aws.queue_depth(self.url) == 0

    # ------------------------------------------------------------------------ reading

    def _read(self) -> None:
        while not self._stopping.is_set():
            if not self._slots.acquire(timeout=0.5):
                continue  # every worker is busy: Lambda's pollers wait for a free one
            try:
                messages = self._receive_batch()
            except Exception:
                self._slots.release()
                if not self._stopping.is_set():
                    log.exception("%s: reading the queue failed", self.spec.logical_id)
                    self._stopping.wait(1)
                continue
            if not messages:
                self._slots.release()
                continue
            # Busy from before the messages leave the queue (they are in flight there until
            # deleted), so drain never sees them in neither place.
            self._activity.enter(changed=True)
            try:
                self._workers.submit(self._work, messages)
            except RuntimeError:  # stopping: the executor takes no more work
                self._activity.leave()
                self._slots.release()

    def _receive_batch(self) -> list[dict[str, Any]]:
        """Up to BatchSize messages; with a batching window, gathered for up to that long
        from the first one."""
        window = self.spec.maximum_batching_window_s
        batch: list[dict[str, Any]] = []
        deadline: float | None = None
        while len(batch) < self.spec.batch_size and not self._stopping.is_set():
            wait = POLL_WAIT_SECONDS
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                wait = max(1, min(wait, int(remaining)))
            received = self._sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=min(10, self.spec.batch_size - len(batch)),
                WaitTimeSeconds=wait,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            batch.extend(received)  # type: ignore[arg-type]
            if window <= 0 or not batch:
                break
            if deadline is None:
                deadline = time.monotonic() + window
        return batch

    # ------------------------------------------------------------------------ handling

    def _work(self, messages: list[dict[str, Any]]) -> None:
        try:
            self.handle(messages, self._runtime.invoke)
        except Exception:
            log.exception("%s: handling a batch failed in the stack itself", self.spec.logical_id)
        finally:
            self._activity.leave()
            self._slots.release()

    def handle(
        self, messages: Sequence[Mapping[str, Any]], invoke: Callable[[str, Any], Any]
    ) -> None:
        """Invoke the function with one batch and delete what it is done with."""
        spec = self.spec
        admitted: list[dict[str, Any]] = []
        unseen: list[str] = []
        for message in messages:
            record = sqs_record(message, spec.event_source_arn)
            if self._filters.admit(queue_filter_view(record)):
                admitted.append(record)
            else:
                unseen.append(str(record["receiptHandle"]))
        self._delete(unseen)
        if not admitted:
            return
        try:
            result = invoke(spec.function, {"Records": admitted})
        except Exception as error:
            log.info(
                "%s -> %s: %d messages failed (%s); back after their visibility timeout",
                spec.logical_id,
                spec.function,
                len(admitted),
                describe_error(error),
            )
            return
        done = handles_to_delete(admitted, result, spec.reports_batch_item_failures)
        self._delete(done)
        failed = len(admitted) - len(done)
        if failed:
            log.info(
                "%s -> %s: %d ok, %d failed", spec.logical_id, spec.function, len(done), failed
            )
        else:
            log.info("%s -> %s: %d ok", spec.logical_id, spec.function, len(done))

    def _delete(self, handles: Sequence[str]) -> None:
        for start in range(0, len(handles), 10):
            chunk = handles[start : start + 10]
            answer = self._sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(chunk)],
            )
            for failure in answer.get("Failed", []):
                log.warning(
                    "%s: a message could not be deleted (%s)",
                    self.spec.logical_id,
                    failure.get("Code"),
                )
