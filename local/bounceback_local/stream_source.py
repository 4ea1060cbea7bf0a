"""A function fed by a table's DynamoDB stream, as Lambda's event source mapping feeds it.

One reader per mapping reads the stream's shard from its starting position through the
embedded AWS's DynamoDB Streams API (GetRecords, four times a second when there is nothing
new, as Lambda polls), keeps the records a filter pattern admits, and invokes the function
synchronously with Lambda's DynamoDB event, one batch at a time, in the shard's order.

A batch that fails is retried (after a short, growing wait) until it succeeds, its retries
reach MaximumRetryAttempts (-1: no limit) or its oldest record passes
MaximumRecordAgeInSeconds; then Lambda's on-failure record (which names the records, it
does not carry them) goes to the mapping's on-failure queue and reading moves on. With
BisectBatchOnFunctionError a failing batch is split in two and each half retried; a split is
not a retry. With ReportBatchItemFailures a function that reports items retries from the
lowest sequence number it reported; what came before is done.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bounceback_local.activity import Activity
from bounceback_local.aws import EmbeddedAws
from bounceback_local.clock import LocalClock
from bounceback_local.event_sources import (
    Filters,
    InvalidBatchResponseError,
    failed_items,
    on_failure_context,
)
from bounceback_local.functions import FunctionRuntime, describe_error
from bounceback_local.router import retry_delay
from bounceback_local.template import REGION, EventSourceMappingSpec

log = logging.getLogger("bounceback_local.streams")

# Lambda polls a shard four times a second when the last read found nothing.
POLL_INTERVAL_SECONDS = 0.25
GET_RECORDS_LIMIT = 1000


# ---------------------------------------------------------------------------- event shape


def _attribute_value(value: Mapping[str, Any]) -> dict[str, Any]:
    """An AttributeValue back in DynamoDB's JSON (boto3 hands binary values over as bytes)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [base64.b64encode(v).decode() for v in inner]}
    if kind == "M":
        return {"M": {k: _attribute_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_attribute_value(v) for v in inner]}
    return {kind: inner}


def _image(image: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _attribute_value(value) for name, value in image.items()}


def _epoch_seconds(value: Any) -> int:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp())
    return int(float(value))


def stream_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """One stream record as Lambda puts it in a DynamoDB event (from boto3's GetRecords)."""
    change = record["dynamodb"]
    dynamodb: dict[str, Any] = {
        # Rounded down to the second, as DynamoDB Streams reports it.
        "ApproximateCreationDateTime": _epoch_seconds(change["ApproximateCreationDateTime"]),
        "Keys": _image(change.get("Keys") or {}),
    }
    for image in ("NewImage", "OldImage"):
        if image in change:
            dynamodb[image] = _image(change[image])
    dynamodb |= {
        "SequenceNumber": str(change["SequenceNumber"]),
        "SizeBytes": int(change.get("SizeBytes", 0)),
        "StreamViewType": change.get("StreamViewType"),
    }
    shaped: dict[str, Any] = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if record.get("userIdentity"):
        shaped["userIdentity"] = dict(record["userIdentity"])
    return shaped


def _sequence(record: Mapping[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _iso(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stream_failure_record(
    records: Sequence[Mapping[str, Any]],
    *,
    condition: str,
    invoke_count: int,
    function_error: str | None,
    function_arn: str,
    shard_id: str,
    stream_arn: str,
    timestamp: str,
) -> dict[str, Any]:
    """What Lambda sends to a stream mapping's on-failure destination: where the discarded
    records are in the shard, not the records themselves."""
    record = on_failure_context(function_arn, condition, invoke_count, function_error)
    record["timestamp"] = timestamp
    record["DDBStreamBatchInfo"] = {
        "shardId": shard_id,
        "startSequenceNumber": _sequence(records[0]),
        "endSequenceNumber": _sequence(records[-1]),
        "approximateArrivalOfFirstRecord": _iso(
            records[0]["dynamodb"]["ApproximateCreationDateTime"]
        ),
        "approximateArrivalOfLastRecord": _iso(
            records[-1]["dynamodb"]["ApproximateCreationDateTime"]
        ),
        "batchSize": len(records),
        "streamArn": stream_arn,
    }
    return record


# ---------------------------------------------------------------------------- batches


@dataclass(frozen=True)
class Discarded:
    """Records given up on, and why (Lambda's condition names)."""

    records: list[dict[str, Any]]
    condition: str  # RetryAttemptsExhausted or RecordAgeExceeded
    invoke_count: int
    function_error: str | None  # "Unhandled" when the last try raised


@dataclass
class _Pending:
    records: list[dict[str, Any]]
    retries: int = 0
    invocations: int = 0


class ShardConsumer:
    """Lambda's handling of a stream mapping's batches: order, retries, bisection, partial
    batch responses, record age. Plain logic: the invocation, the discard destination,
    the wait and the clock are given."""

    def __init__(
        self,
        spec: EventSourceMappingSpec,
        invoke: Callable[[list[dict[str, Any]]], Any],
        discard: Callable[[Discarded], None],
        checkpoint: Callable[[str], None] = lambda _: None,
        wait: Callable[[float], bool] = lambda _: False,
        now: Callable[[], float] = lambda: datetime.now(UTC).timestamp(),
        retry_base_delay: float = 0.2,
    ) -> None:
        self.spec = spec
        self._invoke = invoke
        self._discard = discard
        self._checkpoint = checkpoint
        self._wait = wait  # sleeps; True when the stack is stopping
        self._now = now
        self._filters = Filters(spec.filter_patterns)
        self._retry_base_delay = retry_base_delay

    def consume(self, records: Sequence[dict[str, Any]]) -> bool:
        """Handle records read from the shard, in order; False if stopped before the end."""
        admitted: list[dict[str, Any]] = []
        for record in records:
            if self._filters.admit(record):
                admitted.append(record)
                if len(admitted) == self.spec.batch_size:
                    if not self.handle_batch(admitted):
                        return False
                    admitted = []
            elif not admitted:
                self._checkpoint(_sequence(record))  # filtered out: consumed unseen
        if admitted and not self.handle_batch(admitted):
            return False
        if records:
            self._checkpoint(_sequence(records[-1]))
        return True

    def handle_batch(self, batch: list[dict[str, Any]]) -> bool:
        """One batch to completion: done, or discarded; False if stopped before."""
        queue = [_Pending(list(batch))]
        while queue:
            pending = queue[0]
            pending.records = self._drop_expired(pending)
            if not pending.records:
                queue.pop(0)
                continue
            pending.invocations += 1
            try:
                result = self._invoke(pending.records)
            except Exception as error:
                log.info(
                    "%s -> %s: %d records failed (%s)",
                    self.spec.logical_id,
                    self.spec.function,
                    len(pending.records),
                    describe_error(error),
                )
                if self.spec.bisect_batch_on_error and len(pending.records) > 1:
                    half = len(pending.records) // 2
                    queue[0:1] = [
                        _Pending(pending.records[:half], pending.retries, pending.invocations),
                        _Pending(pending.records[half:], pending.retries, pending.invocations),
                    ]
                else:
                    pending.retries += 1
                    if self._exhausted(pending, "Unhandled"):
                        queue.pop(0)
                if self._wait(retry_delay(max(pending.retries, 1), self._retry_base_delay)):
                    return False
                continue
            failed_from = self._first_failure(pending.records, result)
            if failed_from is None:
                self._checkpoint(_sequence(pending.records[-1]))
                queue.pop(0)
                continue
            # Done up to the lowest sequence number reported; retried from there on.
            if failed_from > 0:
                self._checkpoint(_sequence(pending.records[failed_from - 1]))
            pending.records = pending.records[failed_from:]
            pending.retries += 1
            if self._exhausted(pending, None):
                queue.pop(0)
            if self._wait(retry_delay(pending.retries, self._retry_base_delay)):
                return False
        return True

    def _first_failure(self, records: list[dict[str, Any]], result: Any) -> int | None:
        """Where the retry starts: None when the batch succeeded."""
        if not self.spec.reports_batch_item_failures:
            return None
        sequences = [_sequence(r) for r in records]
        try:
            failed = failed_items(result, sequences)
        except InvalidBatchResponseError as error:
            log.info("%s: %s: the whole batch failed", self.spec.logical_id, error)
            return 0
        if not failed:
            return None
        return min(sequences.index(s) for s in failed)

    def _exhausted(self, pending: _Pending, function_error: str | None) -> bool:
        limit = self.spec.maximum_retry_attempts
        if limit < 0 or pending.retries <= limit:
            return False
        self._give_up(
            Discarded(
                pending.records, "RetryAttemptsExhausted", pending.invocations, function_error
            )
        )
        return True

    def _drop_expired(self, pending: _Pending) -> list[dict[str, Any]]:
        limit = self.spec.maximum_record_age_s
        if limit < 0:
            return pending.records
        now = self._now()
        expired = [
            r
            for r in pending.records
            if now - int(r["dynamodb"]["ApproximateCreationDateTime"]) > limit
        ]
        if expired:
            self._give_up(Discarded(expired, "RecordAgeExceeded", pending.invocations, None))
        return [r for r in pending.records if r not in expired]

    def _give_up(self, discarded: Discarded) -> None:
        log.warning(
            "%s -> %s: %d records discarded (%s)",
            self.spec.logical_id,
            self.spec.function,
            len(discarded.records),
            discarded.condition,
        )
        self._discard(discarded)
        self._checkpoint(_sequence(discarded.records[-1]))


# ---------------------------------------------------------------------------- the reader


class StreamPoller:
    """One stream event source mapping."""

    def __init__(
        self,
        spec: EventSourceMappingSpec,
        aws: EmbeddedAws,
        runtime: FunctionRuntime,
        activity: Activity,
        clock: LocalClock,
        retry_base_delay: float = 0.2,
    ) -> None:
        self.spec = spec
        self._aws = aws
        self._runtime = runtime
        self._activity = activity
        self._clock = clock
        self._streams = aws.dynamodbstreams()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._position = 0  # the first sequence number not yet handled
        self._shard_id = ""
        self._iterator = ""
        self.consumer = ShardConsumer(
            spec,
            invoke=lambda records: runtime.invoke(spec.function, {"Records": records}),
            discard=self._send_to_on_failure,
            checkpoint=self._checkpoint,
            wait=self._stopping.wait,
            now=clock.timestamp,
            retry_base_delay=retry_base_delay,
        )

    def start(self) -> None:
        stream = self._streams.describe_stream(StreamArn=self.spec.event_source_arn)
        (shard,) = stream["StreamDescription"]["Shards"]
        self._shard_id = shard["ShardId"]
        if self.spec.starting_position == "LATEST":
            self._position = self._aws.stream_end(self.spec.event_source_arn)
        else:
            self._position = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        self._iterator = self._iterator_at(self._position)
        self._activity.on_drain(self._wake.set)
        self._thread = threading.Thread(
            target=self._read, name=f"stream-{self.spec.logical_id}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=0.5)

    def idle(self) -> bool:
        """Every record written so far has been handled (or filtered out, or discarded)."""
        return self.backlog() == 0

    def backlog(self) -> int:
        """How many records written so far are not yet handled."""
        return max(0, self._aws.stream_end(self.spec.event_source_arn) - self._position)

    def _iterator_at(self, sequence: int) -> str:
        return str(
            self._streams.get_shard_iterator(
                StreamArn=self.spec.event_source_arn,
                ShardId=self._shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=str(sequence),
            )["ShardIterator"]
        )

    def _checkpoint(self, sequence: str) -> None:
        self._position = max(self._position, int(sequence) + 1)
        self._activity.moved()

    def _fetch(self) -> list[dict[str, Any]] | None:
        """The next records of the shard (None if reading failed: it is tried again)."""
        try:
            answer = self._streams.get_records(
                ShardIterator=self._iterator, Limit=GET_RECORDS_LIMIT
            )
        except Exception:
            if not self._stopping.is_set():
                log.exception("%s: reading the stream failed", self.spec.logical_id)
                self._stopping.wait(1)
                try:
                    self._iterator = self._iterator_at(self._position)
                except Exception:
                    log.exception("%s: no shard iterator", self.spec.logical_id)
            return None
        self._aws.forget_shard_iterator(self._iterator)
        self._iterator = answer["NextShardIterator"]
        return [stream_record(r, self.spec.event_source_arn) for r in answer["Records"]]

    def _gather(self, records: list[dict[str, Any]]) -> None:
        """With a batching window, wait up to that long for a full batch."""
        window = self.spec.maximum_batching_window_s
        deadline = time.monotonic() + window
        while len(records) < self.spec.batch_size and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._stopping.wait(min(POLL_INTERVAL_SECONDS, remaining))
            records.extend(self._fetch() or [])

    def _read(self) -> None:
        while not self._stopping.is_set():
            if self.idle():
                # Nothing new (asked of moto in this process, which costs nothing): a
                # GetRecords call would find nothing either.
                self._wake.wait(POLL_INTERVAL_SECONDS)
                self._wake.clear()
                continue
            records = self._fetch()
            if records is None:
                continue
            if not records:
                # Records are waiting but the iterator sees none: moto put back a copy of the
                # table (and its stream) when a transaction failed, and an iterator reads the
                # shard it was made from. A fresh one reads the table's current shard.
                self._iterator = self._iterator_at(self._position)
                self._wake.wait(POLL_INTERVAL_SECONDS)
                self._wake.clear()
                continue
            if self.spec.maximum_batching_window_s > 0:
                self._gather(records)
            self._activity.enter(changed=True)
            try:
                if not self.consumer.consume(records):
                    return
            except Exception:
                log.exception("%s: handling records failed in the stack", self.spec.logical_id)
            finally:
                self._activity.leave()
            if self._position <= int(_sequence(records[-1])):
                # Broken part-way: read again from the first record not handled.
                self._iterator = self._iterator_at(self._position)

    def _send_to_on_failure(self, discarded: Discarded) -> None:
        destination = self.spec.on_failure_arn
        if destination is None:
            return
        spec = self._runtime.specs[self.spec.function]
        record = stream_failure_record(
            discarded.records,
            condition=discarded.condition,
            invoke_count=discarded.invoke_count,
            function_error=discarded.function_error,
            function_arn=spec.arn,
            shard_id=self._shard_id,
            stream_arn=self.spec.event_source_arn,
            timestamp=self._clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        )
        sqs = self._aws.sqs()
        url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))
