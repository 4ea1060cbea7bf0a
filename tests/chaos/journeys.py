"""The chaos suite: whole journeys through the local stack while its AWS fails, then counted.

Every user's rejection arrives two or three times (some copies at the same moment), from the
app or from a job board; half of them get feedback, the other half a follow-up; while a fifth
of the calls to PutEvents, SendEmail, CreateSchedule, PutItem and UpdateItem fail as AWS fails
when it throttles. Clients retry as real ones do (the same Idempotency-Key, the job board's own
retries). Then the faults stop, retries and backoffs play out, the clock passes every waiting
period, and every user's inbox and mail are counted against what they are owed: nothing lost,
nothing twice, nothing left parked in a dead-letter queue.

``make chaos N=200`` runs it big (``python -m tests.chaos``); ``make test`` runs it small.
"""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bounceback.providers.registry import get_adapter
from tests.support.events import load_event
from tests.support.local_stack import LocalStack

FAULTS = (
    ("events", "PutEvents"),
    ("sesv2", "SendEmail"),
    ("scheduler", "CreateSchedule"),
    ("dynamodb", "PutItem"),
    ("dynamodb", "UpdateItem"),
)
FAULT_RATE = 0.2
CLIENT_PATIENCE_S = 300  # how long a client keeps retrying a request that failed on the server
SAMPLE_EMAIL = "ada@example.com"
SAMPLE_DAY = "2025-03-14"


@dataclass
class Journey:
    number: int
    sub: str
    email: str
    via: str  # "app" or "webhook"
    with_feedback: bool
    rejection_id: str | None = None

    @property
    def owed(self) -> set[str]:
        """The notifications this user is owed, one of each."""
        kinds = {"encouragement", "feedback_request", "reapply_open"}
        return kinds | ({"plan_ready"} if self.with_feedback else {"feedback_followup"})


@dataclass
class Report:
    journeys: int
    seconds: float = 0.0
    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    parked: dict[str, int] = field(default_factory=dict)
    client_retries: int = 0
    injected: dict[str, int] = field(default_factory=dict)  # faults answered, per operation

    @property
    def totals(self) -> tuple[int, int, int]:
        return sum(self.lost.values()), sum(self.duplicated.values()), sum(self.parked.values())

    def render(self) -> str:
        lost, duplicated, parked = self.totals
        lines = [
            f"chaos: {self.journeys} journeys in {self.seconds:.1f}s, "
            f"{FAULT_RATE:.0%} faults on " + ", ".join(f"{s}:{o}" for s, o in FAULTS),
            f"  faults injected: {sum(self.injected.values())}  {self.injected}",
            f"  client retries after a server failure: {self.client_retries}",
            f"  lost:       {lost}  {dict(self.lost) or ''}",
            f"  duplicated: {duplicated}  {dict(self.duplicated) or ''}",
            f"  parked:     {parked}  {self.parked if parked else ''}",
        ]
        return "\n".join(lines)


class Chaos:
    def __init__(self, stack: LocalStack, journeys: int, seed: int = 7) -> None:
        self.stack = stack
        self.random = random.Random(seed)
        run = uuid.uuid4().hex[:8]
        self.journeys = [
            Journey(
                number=n,
                sub=f"chaos-{run}-{n}",
                email=f"chaos.{run}.{n}@example.com",
                via="webhook" if n % 3 == 2 else "app",
                with_feedback=n % 2 == 0,
            )
            for n in range(journeys)
        ]
        self.report = Report(journeys)
        self.admin_sub = f"chaos-admin-{run}"
        self.admin = stack.token(self.admin_sub, groups=["admin"])
        self.connection: dict[str, Any] = {}

    # ------------------------------------------------------------------ the client side
    def _call(self, method: str, path: str, *, ok: set[int], **kwargs: Any) -> Any:
        """A request as a client makes it: a failure on the server's side is retried, after
        the Retry-After the server asked for (a delivery another request holds), for as long
        as a patient client would."""
        seen = []
        deadline = time.monotonic() + CLIENT_PATIENCE_S
        for attempt in itertools.count(1):
            answer = self.stack.request(method, path, **kwargs)
            seen.append((answer.status, answer.body[:120]))
            if answer.status in ok:
                return answer
            if answer.status < 500 and answer.status not in (409, 429):
                raise AssertionError(f"{method} {path}: {answer.status} {answer.body[:300]!r}")
            self.report.client_retries += 1
            asked = {name.lower(): value for name, value in answer.headers.items()}
            pause = float(asked.get("retry-after") or min(2.0, 0.05 * 2**attempt))
            if time.monotonic() + pause > deadline:
                raise AssertionError(f"{method} {path}: still failing: {seen}")
            time.sleep(pause)
        raise AssertionError("unreachable")

    def _copies(self, send: Any) -> None:
        """Two or three copies of one request, some at the same moment."""
        copies = self.random.choice((2, 3))
        if self.random.random() < 0.5:
            with ThreadPoolExecutor(max_workers=copies) as pool:
                list(pool.map(lambda _: send(), range(copies)))
        else:
            for _ in range(copies):
                send()

    def _journey(self, journey: Journey) -> None:
        token = self.stack.token(journey.sub, email=journey.email)
        profile = {"display_name": f"User {journey.number}", "emails": [journey.email]}
        self._call("PUT", "/me", ok={200}, json=profile, token=token)
        if journey.via == "app":
            body = {"company": f"Company {journey.number}", "role": "Engineer", "cooldown_days": 30}
            key = {"idempotency-key": f"rejection-{journey.sub}"}
            self._copies(
                lambda: self._call(
                    "POST", "/rejections", ok={201}, json=body, token=token, headers=key
                )
            )
        else:
            self._copies(lambda: self._deliver(journey))
        listed = self._call("GET", "/rejections", ok={200}, token=token).json()["items"]
        assert len(listed) == 1, f"{journey.sub} has {len(listed)} rejections"
        journey.rejection_id = listed[0]["id"]
        if journey.with_feedback:
            feedback = {"text": "Your answers needed more concrete examples of impact."}
            key = {"idempotency-key": f"feedback-{journey.sub}"}
            path = f"/rejections/{journey.rejection_id}/feedback"
            self._copies(
                lambda: self._call("POST", path, ok={202}, json=feedback, token=token, headers=key)
            )

    def _deliver(self, journey: Journey) -> None:
        adapter = get_adapter("greenhouse")
        assert adapter is not None
        now = datetime.fromisoformat(self.stack.info()["now"])
        yesterday = (now - timedelta(days=1)).date().isoformat()
        sample = load_event("webhooks/greenhouse.rejection.json")
        text = sample["body"].replace(SAMPLE_EMAIL, journey.email).replace(SAMPLE_DAY, yesterday)
        payload = json.loads(text)
        payload["payload"]["application"]["id"] = 10_000_000 + journey.number
        raw = json.dumps(payload).encode()
        headers = adapter.signature_headers(raw, self.connection["secret"], now, journey.sub)
        headers["content-type"] = "application/json"
        self._call("POST", self.connection["webhook_path"], ok={200}, body=raw, headers=headers)

    # ------------------------------------------------------------------ the run
    def _faults(self, on: bool) -> None:
        if not on:
            answer = self.stack.request("DELETE", "/_local/faults")
            assert answer.status == 200, answer.body
            return
        for service, operation in FAULTS:
            fault = {"service": service, "operation": operation, "rate": FAULT_RATE}
            answer = self.stack.request("POST", "/_local/faults", json=fault)
            assert answer.status == 200, answer.body

    def run(self, workers: int = 8) -> Report:
        started = time.monotonic()
        created = self.stack.request(
            "POST",
            "/admin/connections",
            json={"provider": "greenhouse", "company": "Chaos Ltd"},
            token=self.admin,
        )
        assert created.status == 201, created.body
        self.connection = created.json()
        self._faults(on=True)
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(self._journey, self.journeys))
        finally:
            faults = self.stack.info()["faults"]
            self.report.injected = {
                f"{f['service']}:{f['operation']}": f["injected"] for f in faults
            }
            self._faults(on=False)
        self.stack.drain()  # retries and backoffs play out
        self.stack.advance(days=400)  # every follow-up and waiting period comes due
        self.stack.drain()
        self._count()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _count(self) -> None:
        mail = Counter((m["to"][0].lower(), m["subject"]) for m in self.stack.outbox() if m["to"])
        for journey in self.journeys:
            token = self.stack.token(journey.sub, email=journey.email)
            inbox = self._call("GET", "/notifications?limit=100", ok={200}, token=token).json()
            kinds = Counter(n["kind"] for n in inbox["items"])
            subjects = {n["kind"]: n["title"] for n in inbox["items"]}
            for kind in journey.owed:
                if kinds[kind] == 0:
                    self.report.lost[f"notification:{kind}"] += 1
                elif kinds[kind] > 1:
                    self.report.duplicated[f"notification:{kind}"] += kinds[kind] - 1
                sent = mail[(journey.email, subjects[kind])] if kind in subjects else 0
                if kind in subjects and sent == 0:
                    self.report.lost[f"email:{kind}"] += 1
                elif sent > 1:
                    self.report.duplicated[f"email:{kind}"] += sent - 1
            for kind in set(kinds) - journey.owed:
                self.report.duplicated[f"unexpected:{kind}"] += kinds[kind]
        admin = self.stack.token(self.admin_sub, groups=["admin"])  # the clock moved on
        parked = self.stack.request("GET", "/admin/dead-letters", token=admin)
        assert parked.status == 200, parked.body
        self.report.parked = {k: v for k, v in parked.json()["queues"].items() if v}
