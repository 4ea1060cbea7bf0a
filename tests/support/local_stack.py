"""The local stack driven over HTTP: `bounceback-local serve` in a subprocess.

The e2e tests' fixtures and the chaos suite's command line both start stacks with ``serving``.
"""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60
DRAIN_TIMEOUT_S = 900


class StackError(RuntimeError):
    """The local stack did not start."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class LocalStack:
    base_url: str
    startup_seconds: float
    log_path: Path
    ready_line: str
    stdout_lines: list[str] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 60,
    ) -> Response:
        all_headers = dict(headers or {})
        data = body
        if json is not None:
            data = _json.dumps(json).encode()
            all_headers.setdefault("content-type", "application/json")
        if token is not None:
            all_headers["authorization"] = f"Bearer {token}"
        # Always http://127.0.0.1:<port>: the URL the stack printed in its ready line.
        url = self.base_url + path
        request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return Response(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers.items()), error.read())

    def _ok(self, method: str, path: str, json: Any = None, timeout: float = 60) -> Any:
        response = self.request(method, path, json=json, timeout=timeout)
        assert response.status == 200, (path, response.status, response.body)
        return response.json()

    def token(
        self,
        sub: str,
        groups: list[str] | None = None,
        email: str | None = None,
        email_verified: bool = True,
    ) -> str:
        payload: dict[str, Any] = {"sub": sub, "groups": groups or []}
        if email is not None:
            payload["email"] = email
            payload["email_verified"] = email_verified
        return str(self._ok("POST", "/_local/token", payload)["token"])

    # Draining waits out every retry's backoff and visibility timeout: minutes under faults.
    def drain(self) -> None:
        assert self._ok("POST", "/_local/drain", timeout=DRAIN_TIMEOUT_S) == {"drained": True}

    def advance(self, days: float) -> dict[str, Any]:
        path, days_body = "/_local/clock/advance", {"days": days}
        result: dict[str, Any] = self._ok("POST", path, days_body, timeout=DRAIN_TIMEOUT_S)
        return result

    def outbox(self) -> list[dict[str, Any]]:
        emails: list[dict[str, Any]] = self._ok("GET", "/_local/outbox")["emails"]
        return emails

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._ok("GET", "/_local/info")
        return result

    def dead_letters(self) -> dict[str, list[Any]]:
        queues: dict[str, list[Any]] = self._ok("GET", "/_local/dead-letters")["queues"]
        return queues

    def inject_faults(self, function: str, times: int) -> None:
        self._ok("POST", "/_local/faults", {"function": function, "times": times})

    def fault(self, service: str, operation: str, rate: float, **more: Any) -> dict[str, Any]:
        """Faults at the embedded AWS: that fraction of calls to the operation fails."""
        body = {"service": service, "operation": operation, "rate": rate, **more}
        result: dict[str, Any] = self._ok("POST", "/_local/faults", body)
        return result

    def clear_faults(self) -> None:
        self._ok("DELETE", "/_local/faults")

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client of the embedded AWS, as a test or a handler would build it."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.info()["aws_endpoint"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(**config) if config else None,
        )


_json = json


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pump(stream: IO[str], lines: queue.Queue[str], keep: list[str]) -> None:
    # Keeps reading after "ready": a full pipe would block the stack's handlers' logging.
    for line in stream:
        lines.put(line)
        keep.append(line)


@contextmanager
def serving(*arguments: str) -> Iterator[LocalStack]:
    """`bounceback-local serve` with these arguments, until the block ends."""
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="bounceback-local-", suffix=".log")[1])
    with log.open("w", encoding="utf-8") as stderr:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [
                sys.executable,
                "-m",
                "bounceback_local.cli",
                "serve",
                "--port",
                str(port),
                *arguments,
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
        )
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        kept: list[str] = []
        threading.Thread(target=_pump, args=(process.stdout, lines, kept), daemon=True).start()
        ready = ""
        deadline = started + READY_TIMEOUT_S
        try:
            while not ready.startswith("ready "):
                if process.poll() is not None:
                    raise StackError(f"the local stack exited early:\n{log.read_text()}")
                try:
                    ready = lines.get(timeout=max(0.0, deadline - time.monotonic())).strip()
                except queue.Empty:
                    waited = f"no ready line in {READY_TIMEOUT_S}s:\n{log.read_text()}"
                    raise StackError(waited) from None
            stack = LocalStack(
                base_url=ready.removeprefix("ready "),
                startup_seconds=time.monotonic() - started,
                log_path=log,
                ready_line=ready,
                stdout_lines=kept,
            )
            yield stack
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
