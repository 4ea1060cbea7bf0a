"""Trust, tried as an attacker would, over HTTP: email ownership, the exact admin group,
deletes that stick, and client input that never causes a 5xx."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from bounceback.providers.registry import get_adapter
from tests.e2e.conftest import LocalStack, Response
from tests.support.events import load_event

pytestmark = pytest.mark.e2e

SAMPLE_EMAIL = "ada@example.com"
SAMPLE_DAY = "2025-03-14"
CODE = re.compile(r"\b(\d{6})\b")


def _run() -> str:
    return uuid.uuid4().hex[:10]


def _admin(stack: LocalStack) -> str:
    return stack.token(f"admin-{_run()}", groups=["admin"])


def _connection(stack: LocalStack, provider: str = "greenhouse") -> dict[str, Any]:
    created = stack.request(
        "POST",
        "/admin/connections",
        json={"provider": provider, "company": "Northwind"},
        token=_admin(stack),
    )
    assert created.status == 201, created.body
    connection: dict[str, Any] = created.json()
    return connection


def _deliver(stack: LocalStack, connection: dict[str, Any], email: str, key: str) -> Response:
    """A signed Greenhouse rejection for ``email``, application ``key``, dated yesterday."""
    adapter = get_adapter("greenhouse")
    assert adapter is not None
    now = datetime.fromisoformat(stack.info()["now"])
    yesterday = (now - timedelta(days=1)).date().isoformat()
    sample = load_event("webhooks/greenhouse.rejection.json")
    payload = json.loads(sample["body"].replace(SAMPLE_EMAIL, email).replace(SAMPLE_DAY, yesterday))
    payload["payload"]["application"]["id"] = int(uuid.UUID(key).int % 10**9)
    body = json.dumps(payload).encode()
    headers = adapter.signature_headers(body, connection["secret"], now, key)
    headers["content-type"] = "application/json"
    return stack.request("POST", connection["webhook_path"], body=body, headers=headers)


def _emails_to(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    return [m for m in stack.outbox() if address in [a.lower() for a in m["to"]]]


def _code_for(stack: LocalStack, address: str) -> str:
    mails = _emails_to(stack, address)
    assert mails, f"no email to {address}"
    found = CODE.search(mails[-1]["text"])
    assert found, mails[-1]["text"]
    return found.group(1)


# ------------------------------------------------------------------ email ownership


def test_claiming_someone_elses_address_routes_nothing_and_leaks_nothing(
    local_stack: LocalStack,
) -> None:
    run = _run()
    victim_address = f"victim.{run}@example.com"
    attacker = local_stack.token(f"attacker-{run}")

    # The attacker claims the victim's address, with a display name meant for the victim.
    claim = {"display_name": "Click http://evil.example", "emails": [victim_address]}
    answer = local_stack.request("PUT", "/me", json=claim, token=attacker)
    assert answer.status == 200, answer.body
    assert answer.json()["emails"] == [victim_address]
    assert answer.json()["verified_emails"] == []

    # The only mail the address gets is the code, with none of the attacker's words.
    mails = _emails_to(local_stack, victim_address)
    assert len(mails) == 1
    assert CODE.search(mails[0]["text"])
    assert "evil" not in mails[0]["subject"] + mails[0]["text"]

    # A signed rejection for the victim is accepted and files nothing with the attacker.
    connection = _connection(local_stack)
    assert _deliver(local_stack, connection, victim_address, str(uuid.uuid4())).status == 200
    local_stack.drain()
    export = local_stack.request("GET", "/me/export", token=attacker).json()
    assert export["rejections"] == []

    # The victim signs up with their verified address: no 409, no oracle; the address is theirs.
    victim = local_stack.token(f"victim-{run}", email=victim_address)
    signup = {"display_name": "Victim", "emails": [victim_address]}
    mine = local_stack.request("PUT", "/me", json=signup, token=victim)
    assert mine.status == 200, mine.body
    assert mine.json()["verified_emails"] == [victim_address]

    # From now on rejections for the address reach the victim only.
    assert _deliver(local_stack, connection, victim_address, str(uuid.uuid4())).status == 200
    local_stack.drain()
    assert len(local_stack.request("GET", "/rejections", token=victim).json()["items"]) == 1
    assert local_stack.request("GET", "/rejections", token=attacker).json()["items"] == []


def test_put_me_answers_the_same_whether_or_not_an_address_is_taken(
    local_stack: LocalStack,
) -> None:
    run = _run()
    taken = f"taken.{run}@example.com"
    owner = local_stack.token(f"owner-{run}", email=taken)
    assert local_stack.request(
        "PUT", "/me", json={"display_name": "O", "emails": [taken]}, token=owner
    ).json()["verified_emails"] == [taken]

    probes = []
    for address in (taken, f"free.{run}@example.com"):
        prober = local_stack.token(f"prober-{uuid.uuid4().hex[:8]}")
        answer = local_stack.request(
            "PUT", "/me", json={"display_name": "P", "emails": [address]}, token=prober
        )
        body = answer.json()
        probes.append((answer.status, body["emails"] == [address], body["verified_emails"]))
    assert probes[0] == probes[1] == (200, True, [])


def test_an_address_is_verified_by_the_code_sent_to_it(local_stack: LocalStack) -> None:
    run = _run()
    address = f"second.{run}@example.com"
    user = local_stack.token(f"coder-{run}", email=f"first.{run}@example.com")
    profile = {"display_name": "C", "emails": [f"first.{run}@example.com", address]}
    saved = local_stack.request("PUT", "/me", json=profile, token=user).json()
    assert saved["verified_emails"] == [f"first.{run}@example.com"]

    code = _code_for(local_stack, address)
    wrong = "000000" if code != "000000" else "111111"
    bad = local_stack.request(
        "POST", "/me/emails/verify", json={"email": address, "code": wrong}, token=user
    )
    assert bad.status == 400
    assert bad.json()["message"]
    good = local_stack.request(
        "POST", "/me/emails/verify", json={"email": address.upper(), "code": code}, token=user
    )
    assert good.status == 200, good.body
    assert sorted(good.json()["verified_emails"]) == sorted(profile["emails"])


def test_five_wrong_codes_lock_the_address_until_a_new_code(local_stack: LocalStack) -> None:
    run = _run()
    address = f"locked.{run}@example.com"
    user = local_stack.token(f"locker-{run}")
    local_stack.request("PUT", "/me", json={"display_name": "L", "emails": [address]}, token=user)
    code = _code_for(local_stack, address)
    wrong = "000000" if code != "000000" else "111111"

    statuses = [
        local_stack.request(
            "POST", "/me/emails/verify", json={"email": address, "code": wrong}, token=user
        ).status
        for _ in range(5)
    ]
    locked = local_stack.request(
        "POST", "/me/emails/verify", json={"email": address, "code": code}, token=user
    )
    assert statuses == [400] * 5
    assert locked.status == 429
    assert locked.json()["message"]

    # A locked address may ask for a new code at once.
    resent = local_stack.request("POST", "/me/emails/code", json={"email": address}, token=user)
    assert resent.status == 202, resent.body
    fresh = _code_for(local_stack, address)
    verified = local_stack.request(
        "POST", "/me/emails/verify", json={"email": address, "code": fresh}, token=user
    )
    assert verified.status == 200, verified.body
    assert verified.json()["verified_emails"] == [address]


def test_only_one_account_holds_an_address_verified(local_stack: LocalStack) -> None:
    run = _run()
    address = f"shared.{run}@example.com"
    first = local_stack.token(f"first-{run}")
    second = local_stack.token(f"second-{run}")
    for token in (first, second):
        local_stack.request(
            "PUT", "/me", json={"display_name": "S", "emails": [address]}, token=token
        )
    # The second account proves the mailbox: the address is theirs, the first's claim is not.
    code = _code_for(local_stack, address)
    assert (
        local_stack.request(
            "POST", "/me/emails/verify", json={"email": address, "code": code}, token=second
        ).status
        == 200
    )
    connection = _connection(local_stack)
    assert _deliver(local_stack, connection, address, str(uuid.uuid4())).status == 200
    local_stack.drain()
    assert len(local_stack.request("GET", "/rejections", token=second).json()["items"]) == 1
    assert local_stack.request("GET", "/rejections", token=first).json()["items"] == []
    # The first cannot take it back without the mailbox: asking for a code sends one to the
    # mailbox's owner, and the code the first account does not have is the only way.
    assert local_stack.request("GET", "/me", token=first).json()["verified_emails"] == []


def test_notifications_are_mailed_to_verified_addresses_only(local_stack: LocalStack) -> None:
    run = _run()
    address = f"unverified.{run}@example.com"
    user = local_stack.token(f"mailer-{run}")
    local_stack.request("PUT", "/me", json={"display_name": "M", "emails": [address]}, token=user)
    created = local_stack.request(
        "POST", "/rejections", json={"company": "Acme", "role": "Tester"}, token=user
    )
    assert created.status == 201
    local_stack.drain()
    inbox = local_stack.request("GET", "/notifications", token=user).json()["items"]
    assert {n["kind"] for n in inbox} == {"encouragement", "feedback_request"}
    assert len(_emails_to(local_stack, address)) == 1  # the code, nothing else


# ------------------------------------------------------------------ the exact admin group


@pytest.mark.parametrize(
    "groups", [["ops,admin"], ["user admin"], ["admin "], [" admin"], ["Admin"], ["[admin]"]]
)
def test_a_group_that_is_not_exactly_admin_never_grants_admin(
    local_stack: LocalStack, groups: list[str]
) -> None:
    token = local_stack.token(f"ops-{_run()}", groups=groups)
    answer = local_stack.request("GET", "/admin/connections", token=token)
    assert answer.status == 403
    assert answer.json()["message"]


@pytest.mark.parametrize("groups", [["admin"], ["ops", "admin"]])
def test_the_admin_group_grants_admin(local_stack: LocalStack, groups: list[str]) -> None:
    token = local_stack.token(f"ops-{_run()}", groups=groups)
    assert local_stack.request("GET", "/admin/connections", token=token).status == 200


# ------------------------------------------------------------------ deletes that stick


def _items_of(stack: LocalStack, user: str) -> list[dict[str, Any]]:
    info = stack.info()
    client = boto3.client(
        "dynamodb",
        endpoint_url=info["aws_endpoint"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    items: list[dict[str, Any]] = client.query(
        TableName=info["table_name"],
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
    )["Items"]
    return items


@pytest.mark.parametrize("attempt", range(3))
def test_deleting_an_account_while_its_steps_run_leaves_nothing(
    local_stack: LocalStack, attempt: int
) -> None:
    run = _run()
    sub = f"leaver-{run}"
    address = f"leaver.{run}@example.com"
    user = local_stack.token(sub, email=address)
    local_stack.request("PUT", "/me", json={"display_name": "L", "emails": [address]}, token=user)
    created = local_stack.request(
        "POST", "/rejections", json={"company": f"Secretive {run}", "role": "R"}, token=user
    ).json()
    local_stack.request(
        "POST",
        f"/rejections/{created['id']}/feedback",
        json={"text": "Your system design answer lacked depth."},
        token=user,
    )

    assert local_stack.request("DELETE", "/me", token=user).status == 204
    mails_when_deleted = len(_emails_to(local_stack, address))
    local_stack.drain()

    assert _items_of(local_stack, sub) == []
    assert local_stack.request("GET", "/notifications", token=user).json()["items"] == []
    # What the steps still had in flight is not mailed once the account is gone.
    assert len(_emails_to(local_stack, address)) == mails_when_deleted


@pytest.mark.parametrize("attempt", range(3))
def test_deleting_a_rejection_while_its_steps_run_leaves_nothing_of_it(
    local_stack: LocalStack, attempt: int
) -> None:
    run = _run()
    sub = f"forgetter-{run}"
    user = local_stack.token(sub, email=f"forgetter.{run}@example.com")
    local_stack.request(
        "PUT",
        "/me",
        json={"display_name": "F", "emails": [f"forgetter.{run}@example.com"]},
        token=user,
    )
    created = local_stack.request(
        "POST", "/rejections", json={"company": f"Gone {run}", "role": "R"}, token=user
    ).json()
    local_stack.request(
        "POST",
        f"/rejections/{created['id']}/feedback",
        json={"text": "More preparation on our product would have helped."},
        token=user,
    )
    assert local_stack.request("DELETE", f"/rejections/{created['id']}", token=user).status == 204
    local_stack.drain()

    left = [i for i in _items_of(local_stack, sub) if created["id"] in json.dumps(i)]
    assert left == []
    assert local_stack.request("GET", "/notifications", token=user).json()["items"] == []


# ------------------------------------------------------------------ client input never 5xx


def _deep(levels: int) -> str:
    return '{"company": ' + "[" * levels + "]" * levels + ', "role": "x"}'


def _raw(stack: LocalStack, method: str, path: str, body: bytes, token: str) -> Response:
    return stack.request(
        method, path, body=body, token=token, headers={"content-type": "application/json"}
    )


BAD_BODIES = {
    "deep nesting": _deep(100_000).encode(),
    "huge number": b'{"company": "A", "role": "B", "cooldown_days": ' + b"9" * 5000 + b"}",
    "invalid utf-8": b'{"company": "\xff\xfe", "role": "B"}',
    "top-level array": b'[{"company": "A", "role": "B"}]',
    "bool as number": b'{"company": "A", "role": "B", "cooldown_days": true}',
    "not json": b"{company: A",
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/rejections"), ("PUT", "/me"), ("PATCH", "/rejections/x")]
)
def test_bad_bodies_get_a_4xx_with_a_message_and_store_nothing(
    local_stack: LocalStack, case: str, method: str, path: str
) -> None:
    sub = f"fuzz-{_run()}"
    token = local_stack.token(sub)
    answer = _raw(local_stack, method, path, BAD_BODIES[case], token)
    assert 400 <= answer.status < 500, (case, answer.status, answer.body[:200])
    assert isinstance(answer.json()["message"], str)
    assert _items_of(local_stack, sub) == []


def test_a_string_for_a_boolean_is_refused(local_stack: LocalStack) -> None:
    token = local_stack.token(f"strict-{_run()}")
    body = {"display_name": "S", "emails": ["s@example.com"], "email_notifications": "yes"}
    answer = local_stack.request("PUT", "/me", json=body, token=token)
    assert answer.status == 422
    assert answer.json()["details"]


@pytest.mark.parametrize("subject", ["  ", "a\nb"])
def test_odd_token_subjects_get_a_4xx(local_stack: LocalStack, subject: str) -> None:
    token = local_stack.token(subject)
    answer = local_stack.request("GET", "/rejections", token=token)
    assert answer.status == 401
    assert answer.json()["message"]


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode()


@pytest.mark.parametrize(
    "next_token",
    [
        "%%%not-base64",
        _b64(b"\xff\xfe not utf-8"),
        _b64(b"[1, 2, 3]"),
        _b64(b'{"GSI1PK": "a string, not an attribute value"}'),
        _b64(b'{"GSI1PK": {"S": "USER#someone-else#REJECTIONS"}, "PK": {"S": "x"}}'),
        _b64(b'{"GSI1PK": {"S": "USER#me#REJECTIONS"}, "PK": 7}'),
        _b64(json.dumps({"a": "[" * 1_000}).encode()),
    ],
)
def test_tampered_page_tokens_get_a_400(local_stack: LocalStack, next_token: str) -> None:
    token = local_stack.token("me")
    for path in ("/rejections", "/notifications"):
        answer = local_stack.request("GET", f"{path}?next_token={next_token}", token=token)
        assert answer.status == 400, (path, next_token, answer.status, answer.body[:200])
        assert answer.json()["message"]


def test_control_characters_never_reach_an_email_header(local_stack: LocalStack) -> None:
    run = _run()
    address = f"ctl.{run}@example.com"
    user = local_stack.token(f"ctl-{run}", email=address)
    local_stack.request("PUT", "/me", json={"display_name": "C", "emails": [address]}, token=user)
    for company in ("Acme\r\nBcc: victim@example.com", "Acme\x00Corp"):
        answer = local_stack.request(
            "POST", "/rejections", json={"company": company, "role": "R"}, token=user
        )
        assert answer.status in (201, 422), answer.body
    local_stack.drain()
    for mail in _emails_to(local_stack, address):
        assert not re.search(r"[\x00-\x1f\x7f]", mail["subject"]), mail["subject"]
