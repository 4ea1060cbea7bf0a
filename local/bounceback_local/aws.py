"""The embedded AWS: moto's server in this process, with the template's resources in it."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import threading
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import boto3
from moto.server import ThreadedMotoServer

from bounceback_local.clock import LocalClock
from bounceback_local.template import ACCOUNT_ID, REGION, LocalDeployment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger("bounceback_local.aws")

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class EmbeddedAws:
    def __init__(self, clock: LocalClock) -> None:
        self._clock = clock
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""
        self._session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    def start(self) -> None:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
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
        _serialise_dynamodb()

    def stop(self) -> None:
        self._server.stop()

    def _client(self, service: str) -> Any:
        # One client per service, shared: clients are thread-safe and slow to build.
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(
                    service,  # type: ignore[call-overload]
                    endpoint_url=self.endpoint,
                    region_name=REGION,
                    aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                )
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
        for table in deployment.tables:
            dynamodb.create_table(**table.create_args)
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

        events = self.events()
        for bus in deployment.buses.values():
            events.create_event_bus(Name=bus)
        scheduler = self.scheduler()
        for group in deployment.schedule_groups.values():
            scheduler.create_schedule_group(Name=group)

        sqs = self.sqs()
        urls: dict[str, str] = {}
        # Dead-letter queues first: a queue's redrive policy names one that must exist.
        for queue in sorted(deployment.queues, key=lambda q: "RedrivePolicy" in q.attributes):
            urls[queue.logical_id] = sqs.create_queue(
                QueueName=queue.name,
                Attributes=dict(queue.attributes),  # type: ignore[arg-type]
            )["QueueUrl"]

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
    for name in _DYNAMODB_DATA_OPERATIONS:
        original = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _DYNAMODB_LOCK:
                return _original(*args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    DynamoDBBackend._bounceback_serialised = True  # type: ignore[attr-defined]
