"""The product over HTTP only, on the local stack: the journey a user lives, and its promises
(tenant isolation, replayed requests, bad input, failures landing in a dead-letter queue).

The stack is shared by the e2e tests and its clock only moves forward, so each test works
with its own users and mints its tokens after any clock move (tokens last 12 hours).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, serving

pytestmark = pytest.mark.e2e
EVENTS = Path(__file__).resolve().parents[2] / "events"


def sample(name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / name).read_text(encoding="utf-8")))


def new_user(stack: LocalStack) -> tuple[str, str, str]:
    """A registered user: (sub, token, email)."""
    sub = f"user-{uuid.uuid4().hex[:12]}"
    email = f"{sub}@example.com"
    token = stack.token(sub, email=email)  # signed up with this address, confirmed
    profile = sample("app.profile.json") | {"emails": [email]}
    assert stack.request("PUT", "/me", json=profile, token=token).status == 200
    return sub, token, email


def kinds(stack: LocalStack, token: str) -> list[str]:
    answer = stack.request("GET", "/notifications", token=token)
    assert answer.status == 200
    return sorted(n["kind"] for n in answer.json()["items"])


def test_one_rejection_walks_through_the_whole_recovery(local_stack: LocalStack) -> None:
    stack = local_stack
    sub, token, email = new_user(stack)
    body = sample("app.rejection.json") | {"rejected_at": stack.info()["now"]}

    # a rejection is logged (and the app retries the same request)
    headers = {"idempotency-key": f"journey-{sub}"}
    first = stack.request("POST", "/rejections", json=body, token=token, headers=headers)
    again = stack.request("POST", "/rejections", json=body, token=token, headers=headers)
    assert first.status == again.status == 201
    rejection = first.json()
    assert again.json()["id"] == rejection["id"]
    assert rejection["cooldown"]["basis"] == "message_hint"
    stack.drain()

    # 1 and 2: encouragement (outside control: another candidate matched more closely) and
    # a feedback request addressed to the recruiter
    assert kinds(stack, token) == ["encouragement", "feedback_request"]
    listed = stack.request("GET", "/rejections", token=token).json()["items"]
    assert [r["id"] for r in listed] == [rejection["id"]]

    # 3: feedback arrives, and becomes a plan
    feedback = stack.request(
        "POST",
        f"/rejections/{rejection['id']}/feedback",
        json=sample("app.feedback.json"),
        token=token,
    )
    assert feedback.status == 202
    stack.drain()
    plan = stack.request("GET", "/plan", token=token).json()
    assert plan["feedback_count"] == 1
    assert {a["area"] for a in plan["areas"]} >= {"technical_skills", "storytelling"}
    detail = stack.request("GET", f"/rejections/{rejection['id']}", token=token).json()
    assert detail["recovery"]["plan_ready"] is True
    assert detail["feedback"][0]["areas"]

    # 4: the waiting period passes, and the user hears they can reapply
    fired = stack.advance(days=183)["fired"]
    assert f"reapply-{rejection['id']}" in fired
    token = stack.token(sub, email=email)
    assert kinds(stack, token) == [
        "encouragement",
        "feedback_request",
        "plan_ready",
        "reapply_open",
    ]
    subjects = [m["subject"] for m in stack.outbox() if email in m["to"]]
    assert len(subjects) == 4


def test_two_users_cannot_see_each_others_data(local_stack: LocalStack) -> None:
    stack = local_stack
    _, ada, _ = new_user(stack)
    _, bob, _ = new_user(stack)
    mine = stack.request("POST", "/rejections", json=sample("app.rejection.json"), token=ada)
    rejection_id = mine.json()["id"]

    assert stack.request("GET", f"/rejections/{rejection_id}", token=bob).status == 404
    assert stack.request("DELETE", f"/rejections/{rejection_id}", token=bob).status == 404
    assert stack.request("GET", "/rejections", token=bob).json()["items"] == []
    assert stack.request("GET", f"/rejections/{rejection_id}", token=ada).status == 200
    assert stack.request("GET", "/rejections", token=None).status == 401


def test_bad_input_is_answered_4xx_and_stores_nothing(local_stack: LocalStack) -> None:
    stack = local_stack
    _, token, _ = new_user(stack)
    bad_bodies: list[bytes] = [
        b"{not json",
        json.dumps({"company": "X"}).encode(),
        json.dumps({"company": "X", "role": "Y", "unknown": 1}).encode(),
        json.dumps({"company": "X", "role": "Y", "rejected_at": "2026-13-45"}).encode(),
        json.dumps({"company": "X", "role": "Y", "rejected_at": "2999-01-01T00:00:00Z"}).encode(),
        json.dumps({"company": "X", "role": "Y", "message": "x" * 20_000}).encode(),
    ]
    for raw in bad_bodies:
        answer = stack.request(
            "POST",
            "/rejections",
            body=raw,
            token=token,
            headers={"content-type": "application/json"},
        )
        assert 400 <= answer.status < 500, raw[:40]
        assert answer.json()["message"]
    assert stack.request("GET", "/rejections", token=token).json()["items"] == []
    assert stack.request("GET", "/rejections/0123456789abcdef", token=token).status == 404


def test_a_step_that_fails_a_few_times_gets_through_on_its_retries(
    local_stack: LocalStack,
) -> None:
    stack = local_stack
    _, token, _ = new_user(stack)
    before = len(stack.dead_letters().get("EncourageDeadLetterQueue", []))
    stack.inject_faults("EncourageFunction", times=3)

    body = sample("app.rejection.json") | {"rejected_at": stack.info()["now"]}
    assert stack.request("POST", "/rejections", json=body, token=token).status == 201
    stack.drain()  # the step's queue gives the event back, with backoff, until it passes

    assert kinds(stack, token) == ["encouragement", "feedback_request"]
    assert len(stack.dead_letters().get("EncourageDeadLetterQueue", [])) == before


# A stack of its own, whose steps give up after two tries (the template's default is a day).
@pytest.fixture(scope="module")
def impatient_stack() -> Iterator[LocalStack]:
    with serving("--parameter", "RetryAttempts=2") as stack:
        yield stack


def test_a_step_that_keeps_failing_is_parked_then_redriven_by_an_operator(
    impatient_stack: LocalStack,
) -> None:
    stack = impatient_stack
    _, token, _ = new_user(stack)
    admin = stack.token(f"ops-{uuid.uuid4().hex[:8]}", groups=["admin"])
    stack.inject_faults("EncourageFunction", times=2)  # both tries

    body = sample("app.rejection.json") | {"rejected_at": stack.info()["now"]}
    created = stack.request("POST", "/rejections", json=body, token=token)
    stack.drain()

    # Parked as it came: the event the rule delivered, one message shape per queue.
    (event,) = stack.dead_letters()["EncourageDeadLetterQueue"]
    assert event["detail-type"] == "Rejection Logged"
    assert event["detail"]["data"]["rejection_id"] == created.json()["id"]
    # The other steps were not held back by it.
    assert kinds(stack, token) == ["feedback_request"]
    waiting = stack.request("GET", "/admin/dead-letters", token=admin)
    assert waiting.status == 200
    assert waiting.json()["queues"]["EncourageDeadLetterQueue"] == 1

    redriven = stack.request("POST", "/admin/dead-letters/redrive", token=admin)
    assert (redriven.status, redriven.json()) == (200, {"redriven": 1})
    stack.drain()
    assert kinds(stack, token) == ["encouragement", "feedback_request"]
    assert stack.dead_letters()["EncourageDeadLetterQueue"] == []
    # Redriven again (an operator's second click): the step acts once all the same.
    assert stack.request("POST", "/admin/dead-letters/redrive", token=admin).json() == {
        "redriven": 0
    }
