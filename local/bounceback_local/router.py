"""The event router: bus events -> the functions whose rules in template.yaml match.

A catch-all rule on each bus sends every event to an internal "tap" queue (moto delivers
PutEvents to SQS targets). A background thread reads the tap and, for each rule of the
template that matches (moto's own EventBridge pattern matcher), invokes the function
asynchronously, retries it per its EventInvokeConfig and then sends a Lambda-destination
failure record to its on-failure queue, as AWS does.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from moto.events.models import EventPattern

from bounceback_local.activity import Activity
from bounceback_local.aws import EmbeddedAws
from bounceback_local.clock import LocalClock
from bounceback_local.eventbridge import (
    EVENT_FIELDS,
    normalise_event,
    render_input_template,
    value_at,
)
from bounceback_local.functions import (
    FunctionError,
    FunctionRuntime,
    describe_error,
    error_frames,
)
from bounceback_local.template import ACCOUNT_ID, QueueRuleSpec, RuleSpec

__all__ = [
    "EVENT_FIELDS",
    "EventRouter",
    "compile_rules",
    "failure_record",
    "matching_rules",
    "normalise_event",
    "retry_delay",
    "target_input",
]

log = logging.getLogger("bounceback_local.router")

TAP_RULE_NAME = "bounceback-local-tap"
POLL_WAIT_SECONDS = 2


def retry_delay(attempt: int, base: float) -> float:
    """Backoff before retry number ``attempt`` (1-based): short, but growing like AWS's."""
    return float(min(base * 2 ** (attempt - 1), 5.0))


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    pattern: EventPattern

    def matches(self, event: dict[str, Any]) -> bool:
        return bool(self.pattern.matches_event(event))  # type: ignore[arg-type]


def compile_rules(rules: Iterable[RuleSpec]) -> list[CompiledRule]:
    return [CompiledRule(rule, EventPattern.load(json.dumps(rule.pattern))) for rule in rules]


def matching_rules(
    rules: Iterable[CompiledRule], bus_name: str, event: dict[str, Any]
) -> list[RuleSpec]:
    return [r.spec for r in rules if r.spec.bus_name == bus_name and r.matches(event)]


def target_input(rule: RuleSpec, event: dict[str, Any]) -> Any:
    """What the target receives: the event, or the rule target's Input/InputPath/transformer."""
    if rule.input is not None:
        return json.loads(rule.input)
    if rule.input_path is not None:
        return value_at(event, rule.input_path)[1]
    if rule.input_transformer is not None:
        rendered = render_input_template(
            str(rule.input_transformer.get("InputTemplate", "")),
            rule.input_transformer.get("InputPathsMap") or {},
            event,
            rule.name,
        )
        try:
            return json.loads(rendered)
        except ValueError:
            return rendered  # a template that is not JSON reaches the function as text
    return event


class EventRouter:
    def __init__(
        self,
        aws: EmbeddedAws,
        runtime: FunctionRuntime,
        rules: Iterable[RuleSpec],
        buses: Iterable[str],
        queue_urls: dict[str, str],
        clock: LocalClock,
        retry_base_delay: float = 0.2,
        activity: Activity | None = None,
        queue_rules: Iterable[QueueRuleSpec] = (),
    ) -> None:
        self._aws = aws
        self._runtime = runtime
        self._rules = compile_rules(rules)
        # Delivered by the embedded EventBridge itself: matched here only to say so in the log.
        self._queue_rules = [
            (rule, EventPattern.load(json.dumps(rule.pattern))) for rule in queue_rules
        ]
        self._buses = sorted(set(buses) | {r.spec.bus_name for r in self._rules})
        self._queue_urls = queue_urls
        self._clock = clock
        self._retry_base_delay = retry_base_delay
        self._taps: dict[str, str] = {}  # bus name -> tap queue URL
        self._executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="delivery")
        # Shared with the stack's other pollers, so one drain sees work move between them.
        self.activity = activity or Activity()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sqs = aws.sqs()

    # ------------------------------------------------------------------------ set-up

    def start(self) -> None:
        events = self._aws.events()
        for index, bus in enumerate(self._buses):
            url = self._sqs.create_queue(QueueName=f"bounceback-local-tap-{index}")["QueueUrl"]
            arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            # Every event put on the bus comes from this account, so this matches them all.
            events.put_rule(
                Name=TAP_RULE_NAME,
                EventBusName=bus,
                EventPattern=json.dumps({"account": [ACCOUNT_ID]}),
            )
            events.put_targets(
                Rule=TAP_RULE_NAME, EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}]
            )
            self._taps[bus] = url
            # One long-polling reader per bus: moto wakes it as soon as a message arrives.
            thread = threading.Thread(
                target=self._poll, args=(bus, url), name=f"tap-{bus}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        # The readers are daemons in a long poll: a short wait is enough, they end with moto.
        for thread in self._threads:
            thread.join(timeout=0.2)
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------------ bookkeeping

    def _enter(self, changed: bool = False) -> None:
        self.activity.enter(changed)

    def _leave(self, changed: bool = True) -> None:
        self.activity.leave(changed)

    def idle(self) -> bool:
        """Every tap queue is empty (nothing visible, in flight or delayed)."""
        return all(self._aws.queue_depth(url) == 0 for url in self._taps.values())

    def drain(self, between: Callable[[], None] = lambda: None, timeout: float = 300) -> None:
        """Return once every event put so far, and every event that caused, is handled.

        ``between`` runs on each round (the scheduler fires what came due meanwhile).
        Every received message and every finished delivery moves the shared activity's
        generation, so work that moves between the queue and a worker while we look cannot
        be missed (see ``Activity``).
        """
        self.activity.settle(self.idle, between, timeout)

    # ------------------------------------------------------------------------ delivery

    def _poll(self, bus: str, url: str) -> None:
        while not self._stopping.is_set():
            try:
                messages = self._sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=POLL_WAIT_SECONDS
                ).get("Messages", [])
            except Exception:
                if not self._stopping.is_set():
                    log.exception("event router: reading the tap of %s failed", bus)
                    self._stopping.wait(1)
                continue
            if not messages:
                continue
            # Counted as busy before the messages leave the queue (they are in flight there
            # until deleted), so drain never sees them in neither place.
            self._enter(changed=True)
            try:
                for message in messages:
                    self._dispatch(bus, message.get("Body", "{}"))
                    self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            except Exception:
                log.exception("event router: dispatching from %s failed", bus)
            finally:
                self._leave()

    def _dispatch(self, bus: str, body: str) -> None:
        event = normalise_event(json.loads(body))
        rules = matching_rules(self._rules, bus, event)
        queues = [
            rule.queue
            for rule, pattern in self._queue_rules
            if rule.bus_name == bus and pattern.matches_event(event)  # type: ignore[arg-type]
        ]
        for queue in queues:
            log.info("%r -> %s (queue)", event.get("detail-type"), queue)
        if not rules and not queues:
            log.info("event %r on %s: no rule matches", event.get("detail-type"), bus)
        for rule in rules:
            self.invoke_async(
                rule.function, target_input(rule, event), str(event.get("detail-type"))
            )

    def invoke_async(self, function: str, payload: Any, label: str = "invoke") -> None:
        """An asynchronous invocation (Lambda's Event type), counted until it is finished."""
        self._enter(changed=True)
        self._executor.submit(self._deliver, function, payload, label)

    def _deliver(self, function: str, payload: Any, label: str) -> None:
        try:
            self._deliver_with_retries(function, payload, label)
        except Exception:
            log.exception("delivering to %s failed in the router itself", function)
        finally:
            self._leave()

    def _deliver_with_retries(self, function: str, payload: Any, label: str) -> None:
        spec = self._runtime.specs[function]
        attempts = spec.maximum_retry_attempts + 1
        for attempt in range(1, attempts + 1):
            try:
                self._runtime.invoke(function, payload)
            except Exception as error:
                if attempt < attempts:
                    log.info(
                        "%r -> %s: retry %d/%d after %s",
                        label,
                        function,
                        attempt,
                        spec.maximum_retry_attempts,
                        type(error).__name__,
                    )
                    time.sleep(retry_delay(attempt, self._retry_base_delay))
                    continue
                # The error message names the cause (e.g. a missing handler file), not data.
                log.warning(
                    "%r -> %s: failed after %d attempts (%s)",
                    label,
                    function,
                    attempt,
                    describe_error(error),
                )
                log.debug("%s traceback:\n%s", function, error_frames(error))
                self._send_failure(function, payload, attempt, error)
                return
            log.info("%r -> %s: ok", label, function)
            return

    def _send_failure(self, function: str, payload: Any, count: int, error: Exception) -> None:
        spec = self._runtime.specs[function]
        if spec.on_failure_arn is None:
            log.warning("%s has no on-failure destination: the event is dropped", function)
            return
        record = failure_record(
            function_arn=spec.arn,
            payload=payload,
            invoke_count=count,
            error=error,
            timestamp=self._clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        )
        queue_name = spec.on_failure_arn.rsplit(":", 1)[-1]
        url = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        self._sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))


def failure_record(
    function_arn: str, payload: Any, invoke_count: int, error: BaseException, timestamp: str
) -> dict[str, Any]:
    """The record Lambda sends to an on-failure destination of an async invocation."""
    request_id = str(uuid.uuid4())
    return {
        "version": "1.0",
        "timestamp": timestamp,
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": payload,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": {
            "errorMessage": str(error),
            "errorType": (
                error.error_type if isinstance(error, FunctionError) else type(error).__name__
            ),
            "requestId": request_id,
            "stackTrace": (
                error.stack_trace
                if isinstance(error, FunctionError)
                else traceback.format_tb(error.__traceback__)
            ),
        },
    }
