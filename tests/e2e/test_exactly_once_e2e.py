"""Exactly once under concurrency, over HTTP: the same request twenty times at the same moment
gives one rejection, one notification of each kind and one email per notification."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest

from bounceback.providers.registry import get_adapter
from tests.e2e.conftest import LocalStack, Response
from tests.support.events import load_event

pytestmark = pytest.mark.e2e

COPIES = 20
SAMPLE_EMAIL = "ada@example.com"
SAMPLE_DAY = "2025-03-14"


def _at_once(send: Any, done: int) -> list[Response]:
    """Twenty copies at the same moment; then, as a client does, each copy that was told to
    retry (409 in flight, or a 5xx: twenty cold starts on a small machine can outlast API
    Gateway's 30 seconds) is sent again until it gets its answer."""
    with ThreadPoolExecutor(max_workers=COPIES) as pool:
        answers = list(pool.map(lambda _: send(), range(COPIES)))
    for index, answer in enumerate(answers):
        for _ in range(10):
            if answer.status == done:
                break
            assert answer.status == 409 or answer.status >= 500, (answer.status, answer.body)
            time.sleep(1)
            answer = send()
        answers[index] = answer
    return answers


def _user(stack: LocalStack) -> tuple[str, str]:
    sub = f"once-{uuid.uuid4().hex[:12]}"
    email = f"{sub}@example.com"
    token = stack.token(sub, email=email)
    profile = {"display_name": "Ada", "emails": [email]}
    assert stack.request("PUT", "/me", json=profile, token=token).status == 200
    return sub, email


def _inbox_and_mail(stack: LocalStack, sub: str, email: str) -> tuple[Counter[str], Counter[str]]:
    token = stack.token(sub, email=email)  # minted after any clock move
    inbox = stack.request("GET", "/notifications?limit=100", token=token).json()["items"]
    titles = {n["title"]: n["kind"] for n in inbox}
    mail = Counter(
        titles.get(m["subject"], f"other: {m['subject']}")
        for m in stack.outbox()
        if m["to"] and m["to"][0].lower() == email
    )
    return Counter(n["kind"] for n in inbox), mail


def test_one_idempotency_key_sent_twenty_times_at_once_acts_once(local_stack: LocalStack) -> None:
    stack = local_stack
    sub, email = _user(stack)
    token = stack.token(sub, email=email)
    body = {"company": "Acme", "role": "Engineer", "rejected_at": stack.info()["now"]}
    key = {"idempotency-key": f"once-{sub}"}

    answers = _at_once(
        lambda: stack.request("POST", "/rejections", json=body, token=token, headers=key), 201
    )
    assert {a.status for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    stack.drain()

    kinds, mail = _inbox_and_mail(stack, sub, email)
    assert kinds == Counter({"encouragement": 1, "feedback_request": 1})
    assert mail == kinds  # one email per notification


def test_one_delivery_posted_twenty_times_at_once_logs_one_rejection_that_runs_its_course(
    local_stack: LocalStack,
) -> None:
    stack = local_stack
    sub, email = _user(stack)
    admin = stack.token(f"admin-{sub}", groups=["admin"])
    request = {"provider": "greenhouse", "company": "Babbage & Co"}
    connection = stack.request("POST", "/admin/connections", json=request, token=admin).json()
    adapter = get_adapter("greenhouse")
    assert adapter is not None
    now = datetime.fromisoformat(stack.info()["now"])
    yesterday = (now - timedelta(days=1)).date().isoformat()
    sample = load_event("webhooks/greenhouse.rejection.json")["body"]
    raw = sample.replace(SAMPLE_EMAIL, email).replace(SAMPLE_DAY, yesterday).encode()
    headers = adapter.signature_headers(raw, connection["secret"], now, f"msg-{sub}")
    headers["content-type"] = "application/json"

    answers = _at_once(
        lambda: stack.request("POST", connection["webhook_path"], body=raw, headers=headers), 200
    )
    assert {a.status for a in answers} == {200}
    stack.drain()
    stack.advance(days=400)  # the follow-up and the waiting period come due

    user = stack.token(sub, email=email)
    listed = stack.request("GET", "/rejections", token=user).json()["items"]
    assert len(listed) == 1
    kinds, mail = _inbox_and_mail(stack, sub, email)
    assert kinds == Counter(
        {"encouragement": 1, "feedback_request": 1, "feedback_followup": 1, "reapply_open": 1}
    )
    assert mail == kinds
