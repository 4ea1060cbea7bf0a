"""The embedded AWS: moto's server in this process, with the template's resources in it.

moto's WSGI application is served behind ``FaultInjector`` (``POST /_local/faults``). The
stack's own clients (``EmbeddedAws.dynamodb()`` and the like) mark their requests so that
faults never reach the stack's plumbing, only the functions and the tests.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import threading
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from bounceback_local import dynamodb_transactions
from bounceback_local.clock import LocalClock
from bounceback_local.eventbridge import target_payload
from bounceback_local.faults import INTERNAL_HEADER, AwsFaults, FaultInjector
from bounceback_local.template import (
    ACCOUNT_ID,
    REGION,
    LocalDeployment,
    QueueSpec,
    TemplateError,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger("bounceback_local.aws")

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves a host.

    moto finds a request's backend by listing its own modules on disk and trying every
    service's URL patterns, under one lock, on every request; which backend serves a host
    never changes while the stack runs, so the answer is kept.
    """

    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self._backend_of_host: dict[str, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host is None:
            return None
        if host not in self._backend_of_host:
            self._backend_of_host[host] = super().get_backend_for_host(host)
        return self._backend_of_host[host]


class EmbeddedAws:
    def __init__(self, clock: LocalClock) -> None:
        self._clock = clock
        self.faults = AwsFaults()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.endpoint = ""
        self._session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    def start(self) -> None:
        # moto's own threaded server, with the fault injector in front of its application.
        app = FaultInjector(_Dispatcher(create_backend_app), self.faults)
        self._server = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="embedded-aws", daemon=True
        )
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.port}"
        # The handlers run in this process and build their clients from the environment;
        # boto3 honours AWS_ENDPOINT_URL, so the same code reaches moto instead of AWS.
        os.environ.update(
            {
                **CREDENTIALS,
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        # A fresh account on every start, even if moto's backends were touched before.
        url = f"{self.endpoint}/moto-api/reset"  # our own loopback server, http only
        request = urllib.request.Request(url, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass
        _put_events_on_local_clock(self._clock)
        _stamp_stream_records_on_local_clock(self._clock)
        _serialise_dynamodb()
        _deliver_to_queues_as_eventbridge_does()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _client(self, service: str) -> Any:
        # One client per service, shared: clients are thread-safe and slow to build.
        with self._clients_lock:
            if service not in self._clients:
                client = self._session.client(
                    service,  # type: ignore[call-overload]
                    endpoint_url=self.endpoint,
                    region_name=REGION,
                    aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                )
                # The stack's own calls are never faulted (see FaultInjector).
                client.meta.events.register("before-send", _mark_internal)
                self._clients[service] = client
            return self._clients[service]

    def dynamodb(self) -> DynamoDBClient:
        return self._client("dynamodb")  # type: ignore[no-any-return]

    def events(self) -> EventBridgeClient:
        return self._client("events")  # type: ignore[no-any-return]

    def scheduler(self) -> EventBridgeSchedulerClient:
        return self._client("scheduler")  # type: ignore[no-any-return]

    def sqs(self) -> SQSClient:
        return self._client("sqs")  # type: ignore[no-any-return]

    def kms(self) -> KMSClient:
        return self._client("kms")  # type: ignore[no-any-return]

    def sesv2(self) -> SESV2Client:
        return self._client("sesv2")  # type: ignore[no-any-return]

    def dynamodbstreams(self) -> Any:
        return self._client("dynamodbstreams")

    # ------------------------------------------------------------------------ resources

    def create(self, deployment: LocalDeployment) -> dict[str, str]:
        """Create the template's resources; returns queue URL by logical id."""
        if deployment.kms_keys:
            kms = self.kms()
            filled: dict[str, str] = {}
            for spec in deployment.kms_keys:
                key = kms.create_key(**spec.create_args)["KeyMetadata"]
                if spec.rotation:
                    kms.enable_key_rotation(KeyId=key["KeyId"])
                filled[f"{{kms:{spec.logical_id}}}"] = key["KeyId"]
                filled[f"{{kms-arn:{spec.logical_id}}}"] = key["Arn"]
            deployment.fill_in(filled)

        dynamodb = self.dynamodb()
        streams: dict[str, str] = {}
        for table in deployment.tables:
            created = dynamodb.create_table(**table.create_args)["TableDescription"]
            if table.stream_arn is not None:
                # A stream's ARN carries the time it was enabled: known once it exists.
                streams[table.stream_arn] = created["LatestStreamArn"]
            if table.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=table.name,
                    TimeToLiveSpecification={
                        "AttributeName": table.ttl_attribute,
                        "Enabled": True,
                    },
                )
            if table.point_in_time_recovery:
                dynamodb.update_continuous_backups(
                    TableName=table.name,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )

        deployment.fill_in(streams)

        events = self.events()
        for bus in deployment.buses.values():
            events.create_event_bus(Name=bus)
        scheduler = self.scheduler()
        for group in deployment.schedule_groups.values():
            scheduler.create_schedule_group(Name=group)

        sqs = self.sqs()
        urls: dict[str, str] = {}
        for queue in _dead_letter_queues_first(deployment.queues):
            urls[queue.logical_id] = sqs.create_queue(
                QueueName=queue.name,
                Attributes=dict(queue.attributes),  # type: ignore[arg-type]
            )["QueueUrl"]

        # Rules that target queues are created as declared: EventBridge itself delivers.
        for rule in deployment.queue_rules:
            events.put_rule(
                Name=rule.name,
                EventBusName=rule.bus_name,
                EventPattern=json.dumps(rule.pattern),
                State="ENABLED",
            )
            events.put_targets(
                Rule=rule.name,
                EventBusName=rule.bus_name,
                Targets=[rule.target],  # type: ignore[list-item]
            )

        # SES refuses to send from an unverified address; the deployed stage has it verified.
        ses = self.sesv2()
        for identity in deployment.sender_identities:
            ses.create_email_identity(EmailIdentity=identity)
        return urls

    # ------------------------------------------------------------------------ inspection

    def sent_emails(self) -> list[dict[str, Any]]:
        """What SES (v1 or v2) has sent, read from moto's backend in this process."""
        from moto.ses.models import RawMessage, ses_backends

        emails: list[dict[str, Any]] = []
        for message in list(ses_backends[ACCOUNT_ID][REGION].sent_messages):
            if isinstance(message, RawMessage):
                emails.append(_raw_email(message.raw_data, message.destinations))
                continue
            destinations: Mapping[str, list[str]] = getattr(message, "destinations", {}) or {}
            emails.append(
                {
                    "to": list(destinations.get("ToAddresses", [])),
                    "subject": getattr(message, "subject", ""),
                    "text": _as_text(str(getattr(message, "body", ""))),
                }
            )
        return emails

    def queue_depth(self, queue_url: str) -> int:
        """Messages in a queue: visible, in flight and delayed (moto's backend, in this
        process: drain asks often, and an HTTP call each time would cost more than the work)."""
        from moto.sqs.models import sqs_backends

        queue = sqs_backends[ACCOUNT_ID][REGION].get_queue(queue_url.rsplit("/", 1)[-1])
        return len(queue._messages)

    def stream_end(self, stream_arn: str) -> int:
        """The sequence number the next record of a table's stream will have."""
        from moto.dynamodb.models import dynamodb_backends

        table_name = stream_arn.split(":", 5)[5].split("/")[1]
        shard = dynamodb_backends[ACCOUNT_ID][REGION].get_table(table_name).stream_shard
        if shard is None:
            return 0
        return int(shard.starting_sequence_number) + len(shard.items)

    def forget_shard_iterator(self, iterator: str) -> None:
        """Drop a used shard iterator from moto (DynamoDB lets them expire after 15 minutes;
        moto keeps every one, and a poller makes four a second)."""
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        dynamodbstreams_backends[ACCOUNT_ID][REGION].shard_iterators.pop(iterator, None)

    def peek_queue(self, queue_url: str) -> list[Any]:
        """Every message in a queue, left in it (made visible again at once)."""
        sqs = self.sqs()
        seen: list[Any] = []
        handles: list[str] = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=30,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                break
            for message in batch:
                handles.append(message["ReceiptHandle"])
                body = message.get("Body", "")
                try:
                    seen.append(json.loads(body))
                except ValueError:
                    seen.append(body)
        for start in range(0, len(handles), 10):
            sqs.change_message_visibility_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
                    for i, h in enumerate(handles[start : start + 10])
                ],
            )
        return seen


class _TextOfHtml(HTMLParser):
    """The readable text of an HTML email: paragraphs kept, head and styles dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"head", "style", "script"}:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"head", "style", "script"}:
            self._skipping -= 1
        elif tag in {"p", "div", "br", "li", "h1", "h2", "h3"}:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(" ".join(data.split()) + " " if data.strip() else "")


def _as_text(body: str) -> str:
    """moto keeps only the HTML part of an email that has both; the outbox shows its text."""
    if "<html" not in body.lower():
        return body
    parser = _TextOfHtml()
    parser.feed(body)
    paragraphs = "".join(parser.parts).split("\n\n")
    return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def _raw_email(raw: str, destinations: list[str]) -> dict[str, Any]:
    message = email.message_from_string(raw, policy=email.policy.default)
    to = [a.strip() for a in str(message.get("To", "")).split(",") if a.strip()]
    part = message.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if part is not None else ""
    return {
        "to": to or list(destinations),
        "subject": str(message.get("Subject", "")),
        "text": text,
    }


def _put_events_on_local_clock(clock: LocalClock) -> None:
    """Make moto stamp events put without an explicit Time with the local clock's time.

    EventBridge sets an event's `time` when it is put; moto takes it from the machine clock.
    Handlers publish without Time, so without this their events would not move with the
    local clock. moto runs in this process, so its module-level `unix_time` can be swapped.
    """
    import moto.events.models as events_models
    from moto.core.utils import unix_time

    def local_unix_time(dt: datetime | None = None) -> float:
        return unix_time(dt) if dt is not None else clock.timestamp()

    events_models.unix_time = local_unix_time  # type: ignore[attr-defined]


_DYNAMODB_LOCK = threading.RLock()
_DYNAMODB_DATA_OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
    "execute_statement",
    "batch_execute_statement",
    "execute_transaction",
)


def _serialise_dynamodb() -> None:
    """Make moto's DynamoDB answer concurrent calls as DynamoDB does: each call atomic.

    DynamoDB checks a condition and writes in one step, and runs a transaction as one; moto,
    serving many threads, does neither (concurrent TransactWriteItems fail with a 500 as it
    copies tables that other threads are changing, and two conditional puts can both pass).
    One lock around every operation of its backend restores DynamoDB's guarantees; conflicts
    the product must handle (a condition that fails) still happen, as on AWS.
    """
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_bounceback_serialised", False):
        return
    dynamodb_transactions.install()
    for name in _DYNAMODB_DATA_OPERATIONS:
        original = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _DYNAMODB_LOCK:
                return _original(*args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    DynamoDBBackend._bounceback_serialised = True  # type: ignore[attr-defined]


def _dead_letter_queues_first(queues: Iterable[QueueSpec]) -> list[QueueSpec]:
    """Queues in an order SQS can create them in: a redrive policy names a queue that exists
    (CloudFormation orders them by their references)."""
    remaining = list(queues)
    arns = {queue.arn for queue in remaining}
    ordered: list[QueueSpec] = []
    while remaining:
        created = {queue.arn for queue in ordered}
        ready = [
            queue
            for queue in remaining
            if _dead_letter_target(queue) in created or _dead_letter_target(queue) not in arns
        ]
        if not ready:
            raise TemplateError(
                "queues name each other as dead-letter queues: "
                + ", ".join(q.logical_id for q in remaining)
            )
        ordered.extend(ready)
        remaining = [queue for queue in remaining if queue not in ready]
    return ordered


def _dead_letter_target(queue: QueueSpec) -> str | None:
    policy = queue.attributes.get("RedrivePolicy")
    if not policy:
        return None
    target = json.loads(policy).get("deadLetterTargetArn")
    return str(target) if target else None


def _mark_internal(request: Any, **_: Any) -> None:
    request.headers[INTERNAL_HEADER] = "1"


def _stamp_stream_records_on_local_clock(clock: LocalClock) -> None:
    """Make moto stamp stream records (ApproximateCreationDateTime) with the local clock.

    DynamoDB stamps a record when the write happens; moto takes the machine clock. The
    records' age (MaximumRecordAgeInSeconds) and their time must move with the local clock,
    as everything else the stack stamps does.
    """
    from moto.dynamodb.models.table import StreamRecord

    StreamRecord._bounceback_clock = clock  # type: ignore[attr-defined]
    if getattr(StreamRecord, "_bounceback_stamped", False):
        return
    original = StreamRecord.__init__

    def stamped(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        now = StreamRecord._bounceback_clock.now()  # type: ignore[attr-defined]
        self.record["dynamodb"]["ApproximateCreationDateTime"] = now.replace(tzinfo=None)

    StreamRecord.__init__ = stamped  # type: ignore[method-assign]
    StreamRecord._bounceback_stamped = True  # type: ignore[attr-defined]


class _OtherTargets:
    """A rule seen with only some of its targets (those moto delivers to itself)."""

    def __init__(self, rule: Any, targets: list[dict[str, Any]]) -> None:
        self._rule = rule
        self.targets = targets

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rule, name)


def _deliver_to_queues_as_eventbridge_does() -> None:
    """Make moto's EventBridge deliver to SQS targets what EventBridge sends.

    moto's own delivery drops the event's `account`, ignores a target's Input and InputPath,
    renders only JSON input templates, delivers for disabled rules too, and fails the whole
    PutEvents when a queue is missing. Here a queue gets the event in EventBridge's shape
    (or the target's input), and a delivery that fails goes to the target's dead-letter
    queue with the attributes EventBridge sets. Other targets are left to moto.
    """
    from moto.events.models import Rule

    original = Rule.send_to_targets
    if getattr(original, "_bounceback", False):
        return

    def send_to_targets(self: Any, event: Any, transform_input: bool = True) -> None:
        if getattr(self, "state", "ENABLED") != "ENABLED":
            return
        if not self.event_pattern.matches_event(event):
            return
        queues = [t for t in self.targets if str(t["Arn"]).split(":")[2:3] == ["sqs"]]
        others = [t for t in self.targets if t not in queues]
        for target in queues:
            _send_to_queue(self, target, event)
        if others:
            original(_OtherTargets(self, others), event, transform_input)  # type: ignore[arg-type]

    send_to_targets._bounceback = True  # type: ignore[attr-defined]
    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign, assignment]


def _send_to_queue(rule: Any, target: Mapping[str, Any], event: Mapping[str, Any]) -> None:
    from moto.sqs.models import sqs_backends

    body = target_payload(target, event, rule.name, rule.arn)
    _, _, _, region, account, queue = str(target["Arn"]).split(":", 5)
    group = (target.get("SqsParameters") or {}).get("MessageGroupId")
    try:
        sqs_backends[account][region].send_message(
            queue_name=queue, message_body=body, group_id=group
        )
    except Exception as error:
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        log.warning("rule %s could not deliver to %s: %s", rule.name, queue, type(error).__name__)
        if not dead_letter:
            return

        def attribute(value: str) -> dict[str, str]:
            return {"DataType": "String", "StringValue": value}

        _, _, _, dl_region, dl_account, dl_queue = str(dead_letter).split(":", 5)
        sqs_backends[dl_account][dl_region].send_message(
            queue_name=dl_queue,
            message_body=body,
            message_attributes={
                "RULE_ARN": attribute(str(rule.arn)),
                "TARGET_ARN": attribute(str(target["Arn"])),
                "ERROR_CODE": attribute("SDK_CLIENT_ERROR"),
                "ERROR_MESSAGE": attribute(str(error)[:1000] or type(error).__name__),
            },
        )
