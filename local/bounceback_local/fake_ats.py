"""A fake of the three ATS APIs Bounceback reads back from (Lever, Teamtailor, SmartRecruiters).

For tests and the local demo: a small threaded HTTP server on 127.0.0.1 that answers ``GET`` from
in-memory JSON documents, checks each provider's auth header exactly as the real API expects it,
and can be told to fail. Each provider lives under its own prefix, so a connection's
``api_base_url`` is ``base_url(provider)``:

- lever ``/lever/v1`` — ``Authorization: Basic base64("<key>:")``, objects wrapped in ``data``
  (the fake always answers ``expand=applications`` expanded);
- teamtailor ``/teamtailor/v1`` — ``Authorization: Token token=<key>`` and ``X-Api-Version``,
  answers ``application/vnd.api+json``;
- smartrecruiters ``/smartrecruiters`` — ``X-SmartToken: <key>``.

Documents are given at start, with ``put``, or over HTTP from another process with ``POST
/_fake/documents`` ``{"provider": ..., "documents": {path: document}}`` (how ``bounceback-local
send-webhook`` tells the local stack's fake about the candidate it sends). Faults (``add_fault``,
or ``POST /_fake/faults`` with the same fields as JSON; ``DELETE /_fake/faults`` clears them):
answer a status (401, 429 with ``Retry-After``, 500, …), answer slowly, or drop the connection
without answering; for one provider or all, a number of times or until cleared.
``refused_base_url`` names a port nothing listens on. Every request is recorded (``requests``)
so tests can check where the key went.

Never deployed; the documents are fictional (``demo_documents`` matches ``events/webhooks``).
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

PREFIXES: Mapping[str, str] = {
    "lever": "/lever/v1",
    "teamtailor": "/teamtailor/v1",
    "smartrecruiters": "/smartrecruiters",
}
DEFAULT_KEYS: Mapping[str, str] = {
    "lever": "fake-lever-api-key",
    "teamtailor": "fake-teamtailor-api-key",
    "smartrecruiters": "fake-smartrecruiters-api-key",
}
_JSON_API = "application/vnd.api+json"
_CONTROL = "/_fake/faults"
_DOCUMENTS = "/_fake/documents"


@dataclass
class Fault:
    """How the fake misbehaves. ``status`` answers that code; ``delay`` waits before answering;
    ``disconnect`` closes the connection without a word. ``times`` None: until cleared."""

    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    disconnect: bool = False
    provider: str | None = None  # None: every provider
    times: int | None = None


@dataclass(frozen=True)
class RecordedRequest:
    provider: str | None
    method: str
    path: str  # below the provider's prefix, percent-decoded
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # names lower-cased


@dataclass
class _State:
    keys: dict[str, str]
    documents: dict[str, dict[str, Any]]  # provider → path → JSON answer
    redirects: dict[str, dict[str, str]] = field(default_factory=dict)  # provider → path → URL
    faults: list[Fault] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_fault(self, provider: str | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.provider not in (None, provider):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None


class FakeAtsApi:
    """The fake server. Use as a context manager, or ``start()``/``stop()``."""

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, Any]] | None = None,
        keys: Mapping[str, str] | None = None,
        port: int = 0,
    ) -> None:
        self.state = _State(
            keys=dict(keys or DEFAULT_KEYS),
            documents={p: dict((documents or {}).get(p, {})) for p in PREFIXES},
        )
        self._server = _Server(("127.0.0.1", port), _Handler, self.state)
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeAtsApi:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-ats-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeAtsApi:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- addresses --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, provider: str) -> str:
        """The ``api_base_url`` a connection of ``provider`` uses to reach this fake."""
        return self.origin + PREFIXES[provider]

    def key(self, provider: str) -> str:
        return self.state.keys[provider]

    # --- documents and faults ---------------------------------------------------------------------

    def put(self, provider: str, path: str, document: Any) -> None:
        """Answer ``GET <prefix><path>`` with ``document`` (the query string is not matched)."""
        with self.state.lock:
            self.state.documents[provider][path] = document

    def remove(self, provider: str, path: str) -> None:
        with self.state.lock:
            self.state.documents[provider].pop(path, None)

    def redirect(self, provider: str, path: str, location: str) -> None:
        """Answer ``GET <prefix><path>`` with a 302 to ``location``."""
        with self.state.lock:
            self.state.redirects.setdefault(provider, {})[path] = location

    def add_fault(self, fault: Fault) -> None:
        with self.state.lock:
            self.state.faults.append(fault)

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)


def refused_base_url(path: str = "/lever/v1") -> str:
    """A loopback URL on a port nothing listens on (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


@contextmanager
def running(documents: Mapping[str, Mapping[str, Any]] | None = None) -> Iterator[FakeAtsApi]:
    with FakeAtsApi(documents) as fake:
        yield fake


# --- the server -----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], state: _State
    ) -> None:
        self.state = state
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a timeout under test, a dropped connection) is expected here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "fake-ats-api"

    def do_GET(self) -> None:
        state = self.server.state
        raw_path, _, raw_query = self.path.partition("?")
        provider, path = _split(unquote(raw_path))
        headers = {name.lower(): value for name, value in self.headers.items()}
        with state.lock:
            state.requests.append(
                RecordedRequest(provider, "GET", path, parse_qs(raw_query), headers)
            )
        fault = state.take_fault(provider)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.disconnect:
                self.close_connection = True
                return
            if fault.status is not None:
                extra = {"retry-after": fault.retry_after} if fault.retry_after else {}
                self._answer(fault.status, {"message": "fault injected"}, extra)
                return
        if provider is None:
            self._answer(404, {"message": "no such provider"})
            return
        if not _authorised(provider, headers, state.keys[provider]):
            self._answer(401, {"message": "unauthorized"})
            return
        if provider == "teamtailor" and not headers.get("x-api-version"):
            self._answer(400, {"errors": [{"title": "X-Api-Version header is required"}]})
            return
        with state.lock:
            location = state.redirects.get(provider, {}).get(path)
            document = state.documents[provider].get(path)
        if location is not None:
            self._answer(302, {"message": "moved"}, {"location": location})
        elif document is None:
            self._answer(404, {"message": "not found"})
        else:
            content_type = _JSON_API if provider == "teamtailor" else "application/json"
            self._answer(200, document, content_type=content_type)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length > 0 else b"{}"
        if self.path == _DOCUMENTS:
            self._put_documents(raw)
            return
        if self.path != _CONTROL:
            self._answer(405, {"message": "the fake answers GET only"})
            return
        try:
            fields = json.loads(raw)
            fault = Fault(**fields)
        except (ValueError, TypeError):
            self._answer(400, {"message": "a fault is {status, retry_after, delay, ...}"})
            return
        with self.server.state.lock:
            self.server.state.faults.append(fault)
        self._answer(200, {"faults": len(self.server.state.faults)})

    def _put_documents(self, raw: bytes) -> None:
        try:
            fields = json.loads(raw)
        except ValueError:
            fields = None
        provider = fields.get("provider") if isinstance(fields, dict) else None
        documents = fields.get("documents") if isinstance(fields, dict) else None
        if (
            provider not in PREFIXES
            or not isinstance(documents, dict)
            or not all(isinstance(path, str) and path.startswith("/") for path in documents)
        ):
            shape = f"{{provider: one of {sorted(PREFIXES)}, documents: {{/path: ...}}}}"
            self._answer(400, {"message": f"documents are {shape}"})
            return
        with self.server.state.lock:
            self.server.state.documents[str(provider)].update(documents)
        self._answer(200, {"documents": len(documents)})

    def do_DELETE(self) -> None:
        if self.path != _CONTROL:
            self._answer(405, {"message": "the fake answers GET only"})
            return
        with self.server.state.lock:
            self.server.state.faults.clear()
        self._answer(200, {"faults": 0})

    def _answer(
        self,
        status: int,
        document: Any,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        body = json.dumps(document).encode()
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        self.send_response(status, phrase)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests and the demo print what matters


def _split(path: str) -> tuple[str | None, str]:
    for provider, prefix in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return provider, path[len(prefix) :] or "/"
    return None, path


def _authorised(provider: str, headers: Mapping[str, str], key: str) -> bool:
    if provider == "lever":
        expected = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        return headers.get("authorization") == expected
    if provider == "teamtailor":
        return headers.get("authorization") == f"Token token={key}"
    return headers.get("x-smarttoken") == key


# --- the documents behind events/webhooks ---------------------------------------------------------

# The ids the signed samples in events/webhooks name (tests/unit/providers/make_samples.py).
SAMPLE_EMAIL = "ada@example.com"  # the samples' candidate, Ada
LEVER_OPPORTUNITY = "8c2f6a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b"
LEVER_POSTING = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
LEVER_NON_HIRED_REASON = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42"
LEVER_HIRED_REASON = "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
LEVER_ARCHIVED_AT_MS = 1741946400000  # 2025-03-14T10:00:00Z
TEAMTAILOR_APPLICATION = "48151623"
TEAMTAILOR_CANDIDATE = "4242"
TEAMTAILOR_JOB = "1337"
TEAMTAILOR_REJECT_REASON = "77"
SMARTRECRUITERS_CANDIDATE = "3b6a1e2f-5c7d-4e8f-9a0b-1c2d3e4f5a6b"
SMARTRECRUITERS_JOB = "744000012345678"
SMARTRECRUITERS_OTHER_JOB = "744000087654321"


def demo_documents() -> dict[str, dict[str, Any]]:
    """What the three APIs answer about the samples' candidate (Ada, ``ada@example.com``)."""
    return {
        "lever": {
            f"/opportunities/{LEVER_OPPORTUNITY}": {
                "data": {
                    "id": LEVER_OPPORTUNITY,
                    "name": "Ada Lovelace",
                    "headline": "Analytical Engines",
                    "contact": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
                    "emails": [SAMPLE_EMAIL],
                    "phones": [{"type": "mobile", "value": "+44 20 7946 0018"}],
                    "stage": "offer",
                    "archived": {
                        "archivedAt": LEVER_ARCHIVED_AT_MS,
                        "reason": LEVER_NON_HIRED_REASON,
                    },
                    "applications": [
                        {
                            "id": "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e",
                            "opportunityId": LEVER_OPPORTUNITY,
                            "candidateId": LEVER_OPPORTUNITY,
                            "type": "posting",
                            "posting": LEVER_POSTING,
                            "name": "Ada Lovelace",
                            "email": SAMPLE_EMAIL,
                            "archived": {
                                "archivedAt": LEVER_ARCHIVED_AT_MS,
                                "reason": LEVER_NON_HIRED_REASON,
                            },
                        }
                    ],
                }
            },
            f"/postings/{LEVER_POSTING}": {
                "data": {"id": LEVER_POSTING, "text": "Senior Data Engineer", "state": "published"}
            },
            f"/archive_reasons/{LEVER_NON_HIRED_REASON}": {
                "data": {
                    "id": LEVER_NON_HIRED_REASON,
                    "text": "Underqualified",
                    "status": "active",
                    "type": "non-hired",
                }
            },
            f"/archive_reasons/{LEVER_HIRED_REASON}": {
                "data": {
                    "id": LEVER_HIRED_REASON,
                    "text": "Hired",
                    "status": "active",
                    "type": "hired",
                }
            },
        },
        "teamtailor": {
            f"/job-applications/{TEAMTAILOR_APPLICATION}": {
                "data": {
                    "id": TEAMTAILOR_APPLICATION,
                    "type": "job-applications",
                    "attributes": {
                        "cover-letter": None,
                        "created-at": "2025-02-20T09:30:00.000+01:00",
                        "rejected-at": "2025-03-14T11:00:00.000+01:00",
                        "changed-stage-at": "2025-03-10T15:00:00.000+01:00",
                        "sourced": False,
                    },
                    "relationships": {
                        "candidate": {"data": {"type": "candidates", "id": TEAMTAILOR_CANDIDATE}},
                        "job": {"data": {"type": "jobs", "id": TEAMTAILOR_JOB}},
                        "stage": {"data": {"type": "stages", "id": "901"}},
                        "reject-reason": {
                            "data": {"type": "reject-reasons", "id": TEAMTAILOR_REJECT_REASON}
                        },
                    },
                },
                "included": [
                    {
                        "id": TEAMTAILOR_CANDIDATE,
                        "type": "candidates",
                        "attributes": {
                            "email": SAMPLE_EMAIL,
                            "first-name": "Ada",
                            "last-name": "Lovelace",
                            "phone": "+44 20 7946 0018",
                        },
                    },
                    {
                        "id": TEAMTAILOR_JOB,
                        "type": "jobs",
                        "attributes": {"title": "Frontend Developer", "status": "open"},
                    },
                    {
                        "id": TEAMTAILOR_REJECT_REASON,
                        "type": "reject-reasons",
                        "attributes": {
                            "reason": "Another candidate had more relevant experience",
                            "rejected-by-company": True,
                        },
                    },
                ],
            },
        },
        "smartrecruiters": {
            f"/candidates/{SMARTRECRUITERS_CANDIDATE}": {
                "id": SMARTRECRUITERS_CANDIDATE,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": SAMPLE_EMAIL,
                "phoneNumber": "+44 20 7946 0018",
                # The primary application is another job: the delivery's job_id picks the one.
                "primaryAssignment": {
                    "job": {"id": SMARTRECRUITERS_OTHER_JOB, "title": "UX Researcher"},
                    "status": "IN_REVIEW",
                    "subStatus": "Phone screen",
                },
                "secondaryAssignments": [
                    {
                        "job": {"id": SMARTRECRUITERS_JOB, "title": "Product Designer"},
                        "status": "REJECTED",
                        "subStatus": "Final interview",
                        "startsOn": None,
                        "reasonOfRejection": {"id": "rr-12", "label": "Position filled"},
                    }
                ],
            },
            f"/candidates/{SMARTRECRUITERS_CANDIDATE}/status/history": {
                "content": [
                    {
                        "changedOn": "2025-03-01T09:00:00.000Z",
                        "status": "IN_REVIEW",
                        "job": {"id": SMARTRECRUITERS_JOB},
                    },
                    {
                        "changedOn": "2025-03-14T10:00:00.000Z",
                        "status": "REJECTED",
                        "job": {"id": SMARTRECRUITERS_JOB},
                    },
                ]
            },
            f"/jobs/{SMARTRECRUITERS_JOB}": {
                "id": SMARTRECRUITERS_JOB,
                "title": "Product Designer",
            },
        },
    }


__all__ = [
    "DEFAULT_KEYS",
    "PREFIXES",
    "SAMPLE_EMAIL",
    "FakeAtsApi",
    "Fault",
    "RecordedRequest",
    "demo_documents",
    "refused_base_url",
    "running",
]
