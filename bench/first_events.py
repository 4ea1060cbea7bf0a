"""First events after a cold start, per function, as ratios to the floor (``make bench``).

What Lambda runs on a deployed function's first event, measured from outside as it runs it:

- a fresh interpreter per cold start, with the function's code as its task root and the shared
  layer as the layer build makes it (``shared/Makefile``), Lambda's runtime variables and the
  function's own environment, read from the local stack's ``GET /_local/info``;
- the function's first real event (a step's SQS batch, the API's ``POST /rejections`` with a
  rejection message, a signed webhook, the table stream's record, the ATS lookup's "ATS Lookup
  Needed" for a delivery the webhook stored), whose AWS calls go to the local stack's embedded
  AWS, started here, and whose ATS calls go to a fake SmartRecruiters API served here;
- with tracing on (``Tracing: Active``: the X-Ray SDK, a sampled ``_X_AMZN_TRACE_ID`` and a
  daemon address, whose UDP segments are counted here) and off (``PassThrough``).

The floor is what any Python function touching DynamoDB pays: a fresh interpreter, ``import
boto3``, a DynamoDB client and one GetItem. Each figure is timed inside the interpreter from
before its first import to the handler's return (interpreter start-up, the same for all, is
left out). Every round runs every job once, in a shuffled order; the table shows medians.

The stack's own outbox relay is held for the run (a function fault on the stream's consumer),
so only the bench's own events act on what it seeds, and the measured relay publishes to a
bus of its own that no rule reads.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
DRIVER = Path(__file__).resolve().parent / "driver.py"
ACCOUNT = "123456789012"
REGION = "us-east-1"
USER = "bench-user"
EMAIL = "bench.candidate@example.com"
SINK_BUS = "bounceback-bench-sink"
READY_TIMEOUT_S = 120
EMBEDDED_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _sample(name: str) -> Any:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- the local stack


@dataclass
class Stack:
    process: subprocess.Popen[str]
    base_url: str

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback stack
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def ok(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        status, answer = self.request(method, path, body, token)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status}: {answer}")
        return answer

    def post_signed(self, path: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST the exact bytes a provider signed; returns the status."""
        request = urllib.request.Request(  # noqa: S310 - our own loopback stack
            self.base_url + path, data=body, method="POST", headers=dict(headers)
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


@contextmanager
def local_stack() -> Iterator[Stack]:
    """``bounceback-local serve`` on a free port, with the template's log level (INFO)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bounceback_local.cli",
            "serve",
            "--port",
            "0",
            "--parameter",
            "PowertoolsLogLevel=INFO",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        base_url = _wait_ready(process)
        yield Stack(process, base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(process: subprocess.Popen[str]) -> str:
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ready "):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(READY_TIMEOUT_S)
    ready = [line for line in lines if line.startswith("ready ")]
    if not ready:
        raise RuntimeError(f"the local stack did not start: {''.join(lines)[-2000:]}")
    return ready[0].split()[1]


# ---------------------------------------------------------------------------- the layer build


def build_layer(destination: Path) -> str:
    """The shared layer as the template builds it, into ``destination`` (its ``python/`` is
    what Lambda puts on the path at /opt/python). The runtime dependencies come from this
    virtual environment, as the runtime's boto3 does. Returns how it was built."""
    makefile = ROOT / "shared" / "Makefile"
    if makefile.is_file():
        subprocess.run(  # noqa: S603 - our own build
            [  # noqa: S607 - make, from the PATH
                "make",
                "--no-print-directory",
                "-s",
                "-C",
                str(ROOT / "shared"),
                "build-SharedLayer",
                f"ARTIFACTS_DIR={destination}",
                f"PYTHON={sys.executable}",
                "DEPENDENCIES=no",
            ],
            check=True,
        )
        return "shared/Makefile build-SharedLayer"
    # sam build's python workflow: the source copied as it is (no bytecode), deps from pip.
    shutil.copytree(
        ROOT / "shared" / "bounceback",
        destination / "python" / "bounceback",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return "source copied, no bytecode (sam build's python workflow)"


def copy_task_roots(functions: Mapping[str, Mapping[str, str]], destination: Path) -> None:
    for name, env in functions.items():
        shutil.copytree(
            env["LAMBDA_TASK_ROOT"],
            destination / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


# ---------------------------------------------------------------------------- X-Ray daemon


class XRaySink:
    """A UDP port standing in for the X-Ray daemon: counts the segment documents it gets."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = int(self._socket.getsockname()[1])
        self.documents = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._socket.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.documents += data.count(b'"format"')

    def take(self) -> int:
        time.sleep(0.05)  # the last datagrams of a process that just ended
        count, self.documents = self.documents, 0
        return count

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1)
        self._socket.close()


def _trace_header() -> str:
    return (
        f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
        f"Parent={uuid.uuid4().hex[:16]};Sampled=1"
    )


# ---------------------------------------------------------------------------- seeds and events


@dataclass
class Ats:
    """The employer's ATS the lookup reads back from: a fake SmartRecruiters API served here,
    and the connection to it (its webhook secret, API key and base URL)."""

    api: Any  # bounceback_local.fake_ats.FakeAtsApi
    connection: dict[str, Any]


@dataclass
class World:
    stack: Stack
    info: dict[str, Any]
    user_token: str
    connection: dict[str, Any]
    now: datetime
    ats: Ats
    stream_records: list[dict[str, Any]] = field(default_factory=list)

    def queue_arn(self, function: str) -> str:
        for source in self.info["event_sources"]:
            if source["function"] == function and ":sqs:" in source["source"]:
                return str(source["source"])
        raise KeyError(function)

    def stream_arn(self) -> str:
        for source in self.info["event_sources"]:
            if ":dynamodb:" in source["source"]:
                return str(source["source"])
        raise KeyError("no stream")

    def rejection(self) -> dict[str, Any]:
        body = _sample("app.rejection.json") | {"rejected_at": _iso(self.now - timedelta(days=1))}
        answer: dict[str, Any] = self.stack.ok("POST", "/rejections", body, self.user_token)
        return answer

    def ats_delivery(self) -> str:
        """A SmartRecruiters delivery (ids only) of a candidate of its own, signed and posted
        to the stack: the webhook stores it for its lookup. Returns the candidate's id."""
        from bounceback.providers.registry import get_lookup_adapter
        from bounceback_local.fake_ats import SMARTRECRUITERS_CANDIDATE, demo_documents

        candidate = str(uuid.uuid4())
        documents = json.loads(
            json.dumps(demo_documents()["smartrecruiters"])
            .replace(SMARTRECRUITERS_CANDIDATE, candidate)
            .replace("ada@example.com", EMAIL)
        )
        for path, document in documents.items():
            self.ats.api.put("smartrecruiters", path, document)
        body = _sample("webhooks/smartrecruiters.rejection.json")["body"]
        raw = body.replace(SMARTRECRUITERS_CANDIDATE, candidate).encode()
        adapter = get_lookup_adapter("smartrecruiters")
        assert adapter is not None
        secret = self.ats.connection["secret"]
        headers = adapter.signature_headers(raw, secret, datetime.now(UTC), str(uuid.uuid4()))
        headers["content-type"] = "application/json"
        status = self.stack.post_signed(self.ats.connection["webhook_path"], raw, headers)
        if status >= 300:
            raise RuntimeError(f"the SmartRecruiters delivery was answered {status}")
        return candidate

    def stored_lookups(self, table: str) -> dict[str, str]:
        """The stored lookups of the ATS connection, by the id of the candidate each names."""
        dynamodb = _client("dynamodb", self.info["aws_endpoint"])
        found: dict[str, str] = {}
        for page in dynamodb.get_paginator("scan").paginate(
            TableName=table,
            FilterExpression="#type = :type AND connection_id = :connection",
            ExpressionAttributeNames={"#type": "type"},
            ExpressionAttributeValues={
                ":type": {"S": "ats_lookup"},
                ":connection": {"S": self.ats.connection["id"]},
            },
        ):
            for item in page["Items"]:
                needed = json.loads(item["needed"]["S"])
                found[needed["lookup"]["candidate_id"]] = item["id"]["S"]
        return found

    def feedback(self, rejection_id: str) -> str:
        answer = self.stack.ok(
            "POST",
            f"/rejections/{rejection_id}/feedback",
            _sample("app.feedback.json"),
            self.user_token,
        )
        return str(answer["id"])


def _bus_event(detail_type: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "bounceback",
        "account": ACCOUNT,
        "time": _iso(at),
        "region": REGION,
        "resources": [],
        "detail": {
            "metadata": {
                "event_version": "1",
                "correlation_id": f"bench-{uuid.uuid4().hex[:8]}",
                "occurred_at": _iso(at),
            },
            "data": data,
        },
    }


def _sqs_batch(event: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": f"bench-{uuid.uuid4().hex}",
                "body": json.dumps(event),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        ]
    }


def _http_time(moment: datetime) -> str:
    return moment.strftime("%d/%b/%Y:%H:%M:%S +0000")


def _api_event(world: World) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(_sample("api.post-rejections.json"))
    body = _sample("app.rejection.json") | {"rejected_at": _iso(world.now - timedelta(days=1))}
    event["body"] = json.dumps(body)
    event["headers"]["idempotency-key"] = uuid.uuid4().hex
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    claims.update({"sub": USER, "email": EMAIL, "email_verified": "true"})
    context = event["requestContext"]
    context["requestId"] = f"bench-{uuid.uuid4().hex[:12]}"
    context["timeEpoch"] = int(time.time() * 1000)
    context["time"] = _http_time(datetime.now(UTC))
    return event


def _webhook_event(world: World) -> dict[str, Any]:
    from bounceback.providers.registry import get_adapter

    adapter = get_adapter("standard")
    assert adapter is not None
    event: dict[str, Any] = copy.deepcopy(_sample("webhooks/standard.rejection.json"))
    yesterday = (world.now - timedelta(days=1)).date().isoformat()
    body = event["body"].replace("ada@example.com", EMAIL).replace("2025-03-14", yesterday)
    now = datetime.now(UTC)
    secret = world.connection["secret"]
    signed = adapter.signature_headers(body.encode(), secret, now, uuid.uuid4().hex)
    path = world.connection["webhook_path"]
    event["headers"] = {
        key: value for key, value in event["headers"].items() if not key.startswith("webhook-")
    } | signed
    event["headers"]["content-length"] = str(len(body.encode()))
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["requestId"] = f"bench-{uuid.uuid4().hex[:12]}"
    event["requestContext"]["timeEpoch"] = int(now.timestamp() * 1000)
    event["requestContext"]["time"] = _http_time(now)
    event["pathParameters"] = {"provider": "standard", "connection_id": world.connection["id"]}
    event["body"] = body
    event["isBase64Encoded"] = False
    return event


def _client(service: str, endpoint: str) -> Any:
    """A client of the stack's embedded AWS (moto takes any credentials)."""
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **EMBEDDED_CREDENTIALS)


def _stream_records(world: World, rejection_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The table stream's INSERT records of these rejections, shaped as Lambda delivers them."""
    from bounceback_local.stream_source import stream_record

    streams = _client("dynamodbstreams", world.info["aws_endpoint"])
    arn = world.stream_arn()
    found: dict[str, dict[str, Any]] = {}
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            for record in page["Records"]:
                image = record["dynamodb"].get("NewImage") or {}
                kind = image.get("type", {}).get("S")
                if record["eventName"] == "INSERT" and kind == "rejection":
                    rejection_id = image.get("id", {}).get("S", "")
                    if rejection_id in rejection_ids:
                        found[rejection_id] = stream_record(record, arn)
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return found


def _ok_result(function: str, result: Any) -> bool:
    if not isinstance(result, dict):
        return False
    if "statusCode" in result:
        return 200 <= int(result["statusCode"]) < 300
    return result.get("batchItemFailures") == []


# ---------------------------------------------------------------------------- the jobs

# The first event of each function, by its code directory.
ROLES = {
    "api": "api",
    "webhooks": "webhook",
    "publish_events": "relay",
    "encourage": "RejectionLogged",
    "request_feedback": "RejectionLogged",
    "schedule_reapply": "RejectionLogged",
    "build_plan": "BuildPlan",
    "reapply": "Reapply",
    "ats_lookup": "AtsLookup",
}


# Reference cold starts, not functions: the floor, and the floor with what the product's design
# puts in every function (Powertools' Logger and Metrics, a pydantic model at the boundary): the
# least any of our functions can cost, whatever its own code does.
FLOOR, FIXED_STACK = "floor", "fixed stack"
REFERENCES = (FLOOR, FIXED_STACK)


@dataclass(frozen=True)
class Job:
    function: str  # a logical id, or one of REFERENCES
    tracing: bool

    @property
    def is_reference(self) -> bool:
        return self.function in REFERENCES


@dataclass
class Figures:
    seconds: list[float] = field(default_factory=list)
    import_seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)
    failures: int = 0


class Bench:
    def __init__(self, world: World, layer: Path, tasks: Path, work: Path) -> None:
        self.world = world
        self.layer = layer
        self.tasks = tasks
        self.work = work
        self.xray = XRaySink()
        environments: dict[str, dict[str, str]] = world.info["environment"]
        self.environments = environments
        # Functions whose first event the bench makes; the others are named in the report.
        self.functions = sorted(n for n in environments if self.role(n) in ROLES.values())
        self.unmeasured = sorted(set(environments) - set(self.functions))
        self.publisher = next(
            name
            for name in self.functions
            if any(
                s["function"] == name and ":dynamodb:" in s["source"]
                for s in world.info["event_sources"]
            )
        )
        self._pending: dict[str, list[dict[str, Any]]] = defaultdict(list)

    # Each cold start gets its own rejection (a step acts once per rejection).
    def prepare(self, jobs: list[Job]) -> None:
        world = self.world
        for job in jobs:
            if job.is_reference:
                continue
            role = self.role(job.function)
            if role in ("api", "webhook"):
                self._pending[job.function].append({})
                continue
            if role == "AtsLookup":
                self._pending[job.function].append({"candidate": world.ats_delivery()})
                continue
            rejection = world.rejection()
            self._pending[job.function].append({"rejection": rejection})
            if role == "BuildPlan":
                self._pending[job.function][-1]["feedback_id"] = world.feedback(rejection["id"])
        relay_jobs = self._pending.get(self.publisher, [])
        if relay_jobs:
            wanted = {p["rejection"]["id"] for p in relay_jobs}
            deadline = time.monotonic() + 30
            records: dict[str, dict[str, Any]] = {}
            while time.monotonic() < deadline and len(records) < len(wanted):
                records = _stream_records(world, wanted)
            for pending in relay_jobs:
                pending["record"] = records[pending["rejection"]["id"]]
        for function, pending_jobs in self._pending.items():
            if self.role(function) == "AtsLookup":
                lookups = world.stored_lookups(self.environments[function]["TABLE_NAME"])
                for pending in pending_jobs:
                    pending["lookup_id"] = lookups[pending["candidate"]]

    def role(self, function: str) -> str:
        env = self.environments[function]
        root = Path(env["LAMBDA_TASK_ROOT"]).name
        return ROLES.get(root, root)

    def event(self, function: str) -> dict[str, Any]:
        pending = self._pending[function].pop()
        role = self.role(function)
        world = self.world
        if role == "api":
            return _api_event(world)
        if role == "webhook":
            return _webhook_event(world)
        if role == "relay":
            return {"Records": [pending["record"]]}
        if role == "AtsLookup":
            data = {
                "lookup_id": pending["lookup_id"],
                "connection_id": world.ats.connection["id"],
                "provider": "smartrecruiters",
            }
            lookup = _bus_event("ATS Lookup Needed", data, datetime.now(UTC))
            return _sqs_batch(lookup, world.queue_arn(function))
        rejection = pending["rejection"]
        now = datetime.now(UTC)
        ids = {"user_id": USER, "rejection_id": rejection["id"]}
        if role == "BuildPlan":
            event = _bus_event(
                "Feedback Received", ids | {"feedback_id": pending["feedback_id"]}, now
            )
        elif role == "Reapply":
            reapply_at = datetime.fromisoformat(rejection["reapply_at"].replace("Z", "+00:00"))
            event = _bus_event(
                "Cooldown Elapsed", ids | {"reapply_at": _iso(reapply_at)}, reapply_at
            )
        else:
            data = ids | {"company": rejection["company"], "source": "app"}
            event = _bus_event("Rejection Logged", data, now)
        return _sqs_batch(event, world.queue_arn(function))

    def environment(self, job: Job) -> dict[str, str]:
        function = job.function if not job.is_reference else self.functions[0]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            # The layer, as Lambda puts /opt/python on the path; the task root comes first.
            "PYTHONPATH": str(self.layer / "python"),
            # Lambda's code directories are read-only: no bytecode is written next to them.
            "PYTHONDONTWRITEBYTECODE": "1",
            **self.environments[function],
        }
        if not job.is_reference:
            env["LAMBDA_TASK_ROOT"] = str(self.tasks / function)
        if function == self.publisher:
            env["EVENT_BUS_NAME"] = SINK_BUS
            env["EVENT_BUS_ARN"] = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{SINK_BUS}"
        if job.tracing:
            env |= {
                "POWERTOOLS_TRACE_DISABLED": "false",
                "_X_AMZN_TRACE_ID": _trace_header(),
                "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{self.xray.port}",
                "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1",
                "_AWS_XRAY_DAEMON_PORT": str(self.xray.port),
                "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            }
        else:
            env["POWERTOOLS_TRACE_DISABLED"] = "true"
        return env

    def run(self, job: Job, python_options: tuple[str, ...] = ()) -> dict[str, Any]:
        """One cold start of ``job``; ``python_options`` go to the interpreter (``-X importtime``
        to see what the first event imports: its report is the result's ``stderr``)."""
        token = uuid.uuid4().hex
        job_path = self.work / f"{token}.job.json"
        result_path = self.work / f"{token}.result.json"
        if job.is_reference:
            spec: dict[str, Any] = {
                "kind": job.function,
                "table": self.environments[self.functions[0]]["TABLE_NAME"],
                "key": {"PK": {"S": f"USER#{USER}"}, "SK": {"S": "PROFILE"}},
            }
        else:
            env = self.environments[job.function]
            module, _, attribute = env["_HANDLER"].rpartition(".")
            spec = {
                "kind": "function",
                "task_root": str(self.tasks / job.function),
                "module": module,
                "handler": attribute,
                "event": self.event(job.function),
                "function_name": env["AWS_LAMBDA_FUNCTION_NAME"],
                "function_arn": (
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{env['AWS_LAMBDA_FUNCTION_NAME']}"
                ),
                "request_id": str(uuid.uuid4()),
            }
        job_path.write_text(json.dumps(spec), encoding="utf-8")
        self.xray.take()
        completed = subprocess.run(  # noqa: S603 - our own interpreter and driver
            [sys.executable, *python_options, str(DRIVER), str(job_path), str(result_path)],
            env=self.environment(job),
            cwd=self.tasks / job.function if not job.is_reference else self.work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{job}: {completed.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        result["segments"] = self.xray.take()
        result["ok"] = job.is_reference or _ok_result(job.function, result["result"])
        result["stderr"] = completed.stderr
        job_path.unlink()
        result_path.unlink()
        return result


@contextmanager
def bench_session() -> Iterator[tuple[Bench, str]]:
    """A local stack seeded for first events (a user, a webhook connection, a connection to a
    fake ATS), the layer built and the task roots copied: the bench, and how the layer was built."""
    from bounceback_local.fake_ats import FakeAtsApi

    with (
        local_stack() as stack,
        FakeAtsApi() as ats_api,
        tempfile.TemporaryDirectory(prefix="bench-") as scratch,
    ):
        info = stack.ok("GET", "/_local/info")
        publisher = next(
            s["function"] for s in info["event_sources"] if ":dynamodb:" in s["source"]
        )
        # Hold the stack's own relay: what the bench seeds is acted on by the bench only.
        stack.ok("POST", "/_local/faults", {"function": publisher, "times": 1_000_000})
        _client("events", info["aws_endpoint"]).create_event_bus(Name=SINK_BUS)
        user_token = stack.ok("POST", "/_local/token", {"sub": USER, "email": EMAIL})["token"]
        profile = {"display_name": "Bench", "emails": [EMAIL], "timezone": "Europe/London"}
        stack.ok("PUT", "/me", profile, user_token)
        admin = stack.ok("POST", "/_local/token", {"sub": "bench-admin", "groups": ["admin"]})
        connection = stack.ok(
            "POST",
            "/admin/connections",
            {"provider": "standard", "company": "Babbage & Co"},
            admin["token"],
        )
        ats_connection = stack.ok(
            "POST",
            "/admin/connections",
            {
                "provider": "smartrecruiters",
                "company": "Babbage & Co",
                "secret": f"bench-{uuid.uuid4().hex}",
                "api_key": ats_api.key("smartrecruiters"),
                "api_base_url": ats_api.base_url("smartrecruiters"),
            },
            admin["token"],
        )
        now = datetime.fromisoformat(info["now"])
        world = World(stack, info, user_token, connection, now, Ats(ats_api, ats_connection))
        root = Path(scratch)
        layer, tasks, work = root / "layer", root / "tasks", root / "work"
        work.mkdir()
        built = build_layer(layer)
        copy_task_roots(info["environment"], tasks)
        bench = Bench(world, layer, tasks, work)
        try:
            yield bench, built
        finally:
            bench.xray.close()


def measure(rounds: int, *, seed: int = 0) -> tuple[dict[Job, Figures], list[str], str, list[str]]:
    """Run every job ``rounds`` times, interleaved; returns figures per job."""
    with bench_session() as (bench, built):
        jobs = [Job(FLOOR, False), Job(FIXED_STACK, False)] + [
            Job(name, tracing) for name in bench.functions for tracing in (True, False)
        ]
        warm_up = [Job(FLOOR, False), Job(FIXED_STACK, False)] + [
            Job(name, True) for name in bench.functions
        ]
        bench.prepare(jobs * rounds + warm_up)
        # One cold start of each first, discarded: the OS's file cache warm, as on a busy host.
        for job in warm_up:
            bench.run(job)
        figures: dict[Job, Figures] = {job: Figures() for job in jobs}
        order = random.Random(seed)  # noqa: S311 - an order, not a secret
        for _ in range(rounds):
            shuffled = jobs[:]
            order.shuffle(shuffled)
            for job in shuffled:
                result = bench.run(job)
                figure = figures[job]
                figure.seconds.append(result["seconds"])
                figure.import_seconds.append(result["import_seconds"])
                figure.cpu_seconds.append(result["cpu_seconds"])
                figure.segments.append(result["segments"])
                figure.failures += 0 if result["ok"] else 1
        return figures, bench.functions, built, bench.unmeasured


def report(rounds: int) -> dict[str, float]:
    """Print the table; returns each function's traced first event as a ratio to the floor."""
    started = time.monotonic()
    figures, functions, built, unmeasured = measure(rounds)
    floor = figures[Job(FLOOR, False)]
    floor_s = statistics.median(floor.seconds)
    floor_cpu = statistics.median(floor.cpu_seconds)
    print(
        f"1. first event after a cold start, per function, against the floor "
        f"(median of {rounds} interleaved rounds)"
    )
    print(f"   layer: {built}")
    print(
        f"   floor: fresh interpreter, import boto3, DynamoDB client, one GetItem:"
        f" {floor_s * 1000:.0f} ms (CPU {floor_cpu * 1000:.0f} ms)"
    )
    fixed = figures[Job(FIXED_STACK, False)]
    fixed_s = statistics.median(fixed.seconds)
    print(
        f"   the floor after Powertools' Logger and Metrics and one pydantic model (the least any"
        f" function here costs): {fixed_s * 1000:.0f} ms, {fixed_s / floor_s:.2f} x"
    )
    print(
        f"   {'function':<24} {'Tracing: Active':>24} {'PassThrough':>22}"
        f" {'of which import':>17} {'CPU/floor':>10} {'segments':>9} {'own':>6}"
    )
    ratios: dict[str, float] = {}
    failed = []
    for name in functions:
        on, off = figures[Job(name, True)], figures[Job(name, False)]
        on_s, off_s = statistics.median(on.seconds), statistics.median(off.seconds)
        ratios[name] = on_s / floor_s
        imports = statistics.median(on.import_seconds)
        cpu = statistics.median(on.cpu_seconds) / floor_cpu
        segments = statistics.median(on.segments)
        print(
            f"   {name:<24} {on_s * 1000:9.0f} ms {on_s / floor_s:6.2f} x"
            f" {off_s * 1000:9.0f} ms {off_s / floor_s:6.2f} x"
            f" {imports * 1000:13.0f} ms {cpu:9.2f}x {segments:9.0f}"
            f" {(on_s - fixed_s) / floor_s:5.2f}x"
        )
        if on.failures or off.failures:
            failed.append(name)
    worst = max(ratios.values())
    print(
        f"   worst traced first event: {worst:.2f} x the floor (target 1.5 x);"
        f" {time.monotonic() - started:.0f} s for this section"
    )
    print("   (x: wall-clock ratio to the floor; CPU/floor: the same in CPU time, which a busy")
    print("    machine inflates less; segments: X-Ray documents sent to the daemon address;")
    print("    own: what the function adds to the fixed stack, traced, as a share of the floor)")
    if unmeasured:
        print(f"   not measured (no first event made here yet): {', '.join(unmeasured)}")
    if failed:
        print(f"   WARNING: a first event did not succeed for {', '.join(failed)}")
    return ratios
