"""The local stack over HTTP: its own routes, the gateway's checks, the router and the clock."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import boto3
import jwt
import pytest

from tests.e2e.conftest import LocalStack

pytestmark = pytest.mark.e2e


def _client(stack: LocalStack, service: str) -> Any:
    info = stack.info()
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=info["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_it_prints_ready_with_its_url(local_stack: LocalStack) -> None:
    assert local_stack.ready_line == f"ready {local_stack.base_url}"
    assert local_stack.base_url.startswith("http://127.0.0.1:")
    assert local_stack.startup_seconds < 30


def test_app_routes_need_a_valid_token(local_stack: LocalStack) -> None:
    assert local_stack.request("GET", "/me").status == 401
    assert local_stack.request("GET", "/me").json() == {"message": "Unauthorized"}
    assert local_stack.request("GET", "/rejections", token="not.a.token").status == 401
    forged = jwt.encode({"sub": "u1"}, "a-shared-secret-the-stack-never-saw", "HS256")
    assert local_stack.request("GET", "/me", token=forged).status == 401


def test_unknown_routes_answer_404(local_stack: LocalStack) -> None:
    # The template's $default route takes what no other route matches: the API's own 404.
    response = local_stack.request("GET", "/no/such/route")
    assert (response.status, response.json()["message"]) == (404, "no such route")


def test_a_local_token_round_trips(local_stack: LocalStack) -> None:
    token = local_stack.token("user-rt", groups=["admin", "user"], email="rt@example.com")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "user-rt"
    assert claims["cognito:groups"] == ["admin", "user"]
    assert claims["email"] == "rt@example.com"
    assert claims["iss"] == f"{local_stack.base_url}/_local"
    # Accepted by the gateway's authorizer (whatever the handler then answers).
    assert local_stack.request("GET", "/me", token=token).status != 401
    bad = local_stack.request("POST", "/_local/token", json={"groups": "admin"})
    assert bad.status == 400


def test_tokens_expire_when_the_clock_moves_past_them(local_stack: LocalStack) -> None:
    token = local_stack.token("user-exp")
    local_stack.advance(0.51)
    assert local_stack.request("GET", "/me", token=token).status == 401


def test_the_clock_moves_forward_and_fires_due_schedules(local_stack: LocalStack) -> None:
    info = local_stack.info()
    scheduler = _client(local_stack, "scheduler")
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    due = datetime.fromisoformat(info["now"]) + timedelta(days=2)
    scheduler.create_schedule(
        Name=name,
        GroupName=info["schedule_group"],
        ScheduleExpression=f"at({due:%Y-%m-%dT%H:%M:%S})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": f"arn:aws:events:us-east-1:123456789012:event-bus/{info['bus_name']}",
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"note": "nobody listens to this"}),
            "EventBridgeParameters": {"DetailType": "Local Clock Test", "Source": "e2e"},
        },
    )
    first = local_stack.advance(1)
    assert name not in first["fired"]
    assert datetime.fromisoformat(first["now"]) >= datetime.fromisoformat(info["now"]) + timedelta(
        days=1
    )
    second = local_stack.advance(1.5)
    assert name in second["fired"]
    names = [
        s["Name"] for s in scheduler.list_schedules(GroupName=info["schedule_group"])["Schedules"]
    ]
    assert name not in names  # ActionAfterCompletion: DELETE


def test_drain_returns_once_events_are_handled(local_stack: LocalStack) -> None:
    events = _client(local_stack, "events")
    bus = local_stack.info()["bus_name"]
    events.put_events(
        Entries=[
            {"Source": "e2e", "DetailType": "Nobody Listens", "Detail": "{}", "EventBusName": bus}
        ]
        * 5
    )
    local_stack.drain()
    local_stack.drain()  # idempotent, and quick when there is nothing to do


def test_the_outbox_shows_emails_sent_through_ses(local_stack: LocalStack) -> None:
    ses = _client(local_stack, "sesv2")
    subject = f"hello {uuid.uuid4().hex[:6]}"
    ses.send_email(
        FromEmailAddress="no-reply@example.com",
        Destination={"ToAddresses": ["someone@example.com"]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": "Hi 👋"}}}},
    )
    assert {"to": ["someone@example.com"], "subject": subject, "text": "Hi 👋"} in (
        local_stack.outbox()
    )


def test_info_names_the_embedded_aws(local_stack: LocalStack) -> None:
    info = local_stack.info()
    assert info["aws_endpoint"].startswith("http://127.0.0.1:")
    assert info["bus_name"]
    assert info["table_name"]
    tables = _client(local_stack, "dynamodb").list_tables()["TableNames"]
    assert info["table_name"] in tables
