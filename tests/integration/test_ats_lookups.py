"""Lever, Teamtailor and SmartRecruiters on moto: the signed samples in events/webhooks go through
the webhook function, the table's stream, the lookup's queue and the lookup function, which reads
the rejection back from the fake ATS API served on 127.0.0.1 (no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bounceback import dead_letters
from bounceback.ids import derived_id
from bounceback.model import Connection
from bounceback.services import services
from bounceback.workflow.webhooks import DELIVERY_LEASE
from bounceback_local.fake_ats import (
    LEVER_ARCHIVED_AT_MS,
    LEVER_OPPORTUNITY,
    FakeAtsApi,
    Fault,
    demo_documents,
)
from tests.integration.test_webhooks import (
    CONNECTION_COMPANY,
    RECEIVED,
    USER,
    deliver,
    register,
    sample,
)
from tests.support.api import call_api
from tests.support.cloud import Cloud, InProcessWorkflow, iter_kinds, subscriptions
from tests.support.events import LambdaContext, load_event, sqs_batch

LOOKUP_PROVIDERS = ("lever", "teamtailor", "smartrecruiters")
SECRETS: dict[str, str] = load_event("webhooks/secrets.json")
SUCCESS = {"lever": 200, "teamtailor": 200, "smartrecruiters": 202}
# What each sample's rejection reads like once looked up: the job and reason come from the API.
EXPECTED = {
    "lever": ("Senior Data Engineer", "Underqualified"),
    "teamtailor": ("Frontend Developer", "Another candidate had more relevant experience"),
    "smartrecruiters": ("Product Designer", "Position filled"),
}
# Teamtailor's sample may be told to the candidate from then on (transparent recruiting).
TEAMTAILOR_VISIBLE = datetime(2025, 3, 17, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake_api() -> Iterator[FakeAtsApi]:
    with FakeAtsApi(demo_documents()) as fake:
        yield fake


def connect(provider: str, fake: FakeAtsApi, *, api_key: str | None = None) -> str:
    """A connection with the samples' id and secret, whose API is the fake."""
    connection = Connection(
        id=f"conn-{provider}-sample",
        provider=provider,
        company=CONNECTION_COMPANY,
        created_at=RECEIVED - timedelta(days=30),
        api_base_url=fake.base_url(provider),
    )
    key = fake.key(provider) if api_key is None else api_key
    services().connections.create(connection, SECRETS[provider], key)
    return connection.id


def rejections(cloud: Cloud) -> list[dict[str, Any]]:
    return list(iter_kinds(cloud.items(), "rejection"))


def notifications(cloud: Cloud) -> list[dict[str, Any]]:
    return list(iter_kinds(cloud.items(), "notification"))


def settle(cloud: Cloud, provider: str) -> None:
    """Everything the delivery caused, run to the end (Teamtailor's held-back lookup fired)."""
    workflow = InProcessWorkflow(cloud)
    workflow.run_until_quiet()
    if provider == "teamtailor":
        workflow.fire_timers_due_by(TEAMTAILOR_VISIBLE)
        workflow.run_until_quiet()


def lookup_subscription() -> Any:
    (found,) = [s for s in subscriptions() if s.queue == "AtsLookupQueue"]
    return found


def take_lookup_messages(cloud: Cloud) -> list[dict[str, Any]]:
    cloud.relay()
    url = cloud.queue_urls["AtsLookupQueue"]
    taken: list[dict[str, Any]] = []
    while batch := cloud.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in batch:
            cloud.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        taken.extend(batch)
    return taken


def run_lookup_function(cloud: Cloud, message: dict[str, Any]) -> dict[str, Any]:
    from functions.ats_lookup.app import handler

    arn = cloud.queue_arns["AtsLookupQueue"]
    batch = sqs_batch(json.loads(message["Body"]), arn)
    answer: dict[str, Any] = handler(batch, LambdaContext(function_name="AtsLookupFunction"))
    return answer


@pytest.mark.parametrize("provider", LOOKUP_PROVIDERS)
def test_a_signed_delivery_logs_one_rejection_read_from_the_api(
    cloud: Cloud, fake_api: FakeAtsApi, provider: str
) -> None:
    # Given a connection to the fake API and Ada, who registered the candidate's address
    connect(provider, fake_api)
    register()

    # When the provider posts its sample, signed as it signs, then retries it
    first = deliver(sample(provider))
    again = deliver(sample(provider))
    settle(cloud, provider)

    # Then both get the provider's success code at once, and one rejection is logged, with the
    # job and the reason the API gave
    assert first["statusCode"] == SUCCESS[provider], first["body"]
    assert again["statusCode"] == SUCCESS[provider]
    (rejection,) = rejections(cloud)
    assert rejection["source"]["S"] == provider
    assert rejection["company"]["S"] == CONNECTION_COMPANY
    assert (rejection["role"]["S"], rejection["reason"]["S"]) == EXPECTED[provider]
    kinds = sorted(n["kind"]["S"] for n in notifications(cloud))
    assert kinds == ["encouragement", "feedback_request"]
    # and the key went only to the fake, in the provider's own header
    assert all(r.provider == provider for r in fake_api.requests)


@pytest.mark.parametrize("provider", LOOKUP_PROVIDERS)
def test_a_redelivered_event_after_the_lookup_logs_nothing_more(
    cloud: Cloud, fake_api: FakeAtsApi, provider: str
) -> None:
    connect(provider, fake_api)
    register()
    deliver(sample(provider))
    settle(cloud, provider)
    calls = len(fake_api.requests)

    answer = deliver(sample(provider))
    settle(cloud, provider)

    assert answer["statusCode"] == SUCCESS[provider]
    assert len(rejections(cloud)) == 1
    assert len(fake_api.requests) == calls  # a duplicate is not even looked up again


@pytest.mark.parametrize("provider", LOOKUP_PROVIDERS)
def test_a_bad_signature_is_refused_and_nothing_is_stored(
    cloud: Cloud, fake_api: FakeAtsApi, provider: str
) -> None:
    connect(provider, fake_api)
    register()
    event = sample(provider)
    # Lever signs token + triggeredAt only; the others sign the body itself
    event["body"] = (
        event["body"]
        .replace("1741947300000", "1741947300001")
        .replace("Frontend", "Backend")
        .replace("744000012345678", "744000012345679")
    )

    answer = deliver(event)

    assert answer["statusCode"] == 401
    assert not list(iter_kinds(cloud.items(), "ats_lookup"))
    assert take_lookup_messages(cloud) == []


def test_smartrecruiters_activation_echoes_the_hook_secret(
    cloud: Cloud, fake_api: FakeAtsApi
) -> None:
    connect("smartrecruiters", fake_api)

    answer = deliver(sample("smartrecruiters", "activation"))

    assert answer["statusCode"] == 200
    assert answer["headers"]["X-Hook-Secret"] == "hs_sample-only-7f3a9c2e5b8d1f4a"
    assert not list(iter_kinds(cloud.items(), "ats_lookup"))


def test_teamtailor_tells_the_candidate_nothing_before_the_visible_time(
    cloud: Cloud, fake_api: FakeAtsApi
) -> None:
    connect("teamtailor", fake_api)
    register()

    deliver(sample("teamtailor"))
    workflow = InProcessWorkflow(cloud)
    workflow.run_until_quiet()

    # Nothing read, stored or sent before transparent_recruiting_visible_at: a timer waits
    assert rejections(cloud) == []
    assert notifications(cloud) == []
    assert cloud.emails() == []
    assert fake_api.requests == []
    (timer,) = [s for s in cloud.schedules() if s["Name"].startswith("lookup-")]
    assert timer["ScheduleExpression"] == "at(2025-03-17T09:00:00)"

    workflow.fire_timers_due_by(TEAMTAILOR_VISIBLE)
    workflow.run_until_quiet()

    assert len(rejections(cloud)) == 1
    assert len(notifications(cloud)) == 2


def test_lever_hired_archive_logs_nothing(cloud: Cloud, fake_api: FakeAtsApi) -> None:
    documents = demo_documents()["lever"]
    opportunity_path = next(p for p in documents if p.startswith("/opportunities/"))
    opportunity = documents[opportunity_path]
    hired = next(p for p in documents if documents[p].get("data", {}).get("type") == "hired")
    opportunity["data"]["archived"]["reason"] = documents[hired]["data"]["id"]
    fake_api.put("lever", opportunity_path, opportunity)
    connect("lever", fake_api)
    register()

    deliver(sample("lever"))
    settle(cloud, "lever")

    assert rejections(cloud) == []


def test_lever_unarchive_withdraws_the_rejection(cloud: Cloud, fake_api: FakeAtsApi) -> None:
    connect("lever", fake_api)
    register()
    deliver(sample("lever"))
    settle(cloud, "lever")
    documents = demo_documents()["lever"]
    opportunity_path = next(p for p in documents if p.startswith("/opportunities/"))
    active = documents[opportunity_path]
    active["data"]["archived"] = None
    fake_api.put("lever", opportunity_path, active)

    answer = deliver(sample("lever", "unarchive"))
    settle(cloud, "lever")

    assert answer["statusCode"] == 200
    (rejection,) = rejections(cloud)
    assert rejection["status"]["S"] == "withdrawn"


@pytest.mark.parametrize("provider", LOOKUP_PROVIDERS)
def test_a_refused_key_loses_nothing_it_is_retried_then_parked_and_redriven(
    cloud: Cloud, fake_api: FakeAtsApi, provider: str
) -> None:
    # Given an API that refuses the key
    connect(provider, fake_api)
    register()
    fake_api.add_fault(Fault(status=401, provider=provider))

    # When the delivery arrives, it is accepted (the sender is told success at once)
    answer = deliver(sample(provider))
    assert answer["statusCode"] == SUCCESS[provider]
    if provider == "teamtailor":
        (held,) = take_lookup_messages(cloud)
        assert run_lookup_function(cloud, held) == {"batchItemFailures": []}
        InProcessWorkflow(cloud).fire_timers_due_by(TEAMTAILOR_VISIBLE)

    # Then the lookup fails and reports its message for a retry, logging nothing
    (message,) = take_lookup_messages(cloud)
    failed = run_lookup_function(cloud, message)
    assert len(failed["batchItemFailures"]) == 1
    assert rejections(cloud) == []

    # When its retries run out, the queue parks it; an operator redrives it once the key works
    dead = cloud.queue_urls["AtsLookupDeadLetterQueue"]
    cloud.sqs.send_message(QueueUrl=dead, MessageBody=message["Body"])
    endpoint = cloud.queue_urls["AtsLookupQueue"].split("/123456789012/")[0]
    setting = cloud.environment["DEAD_LETTER_QUEUES"].replace("{endpoint}", endpoint)
    queues = dead_letters.configured(setting)
    assert dead_letters.waiting(services(), queues)["AtsLookupDeadLetterQueue"] == 1
    fake_api.clear_faults()
    assert dead_letters.redrive(services(), queues) == 1
    InProcessWorkflow(cloud).run_until_quiet()

    # Then exactly one rejection
    (rejection,) = rejections(cloud)
    assert (rejection["role"]["S"], rejection["reason"]["S"]) == EXPECTED[provider]


def test_a_connection_deleted_before_its_lookup_stores_nothing(
    cloud: Cloud, fake_api: FakeAtsApi
) -> None:
    connection_id = connect("lever", fake_api)
    register()
    deliver(sample("lever"))
    services().connections.delete(connection_id)

    InProcessWorkflow(cloud).run_until_quiet()

    assert rejections(cloud) == []
    assert fake_api.requests == []


def test_the_lookup_item_and_its_event_carry_no_personal_data(
    cloud: Cloud, fake_api: FakeAtsApi
) -> None:
    connect("smartrecruiters", fake_api)
    register()
    deliver(sample("smartrecruiters"))

    (item,) = iter_kinds(cloud.items(), "ats_lookup")
    published = cloud.take_published()

    text = json.dumps(item) + json.dumps(published)
    assert "ada@" not in text.lower()
    assert "lovelace" not in text.lower()
    assert [e["detail-type"] for e in published] == ["ATS Lookup Needed"]
    # and the key is stored sealed only
    assert fake_api.key("smartrecruiters") not in json.dumps(cloud.items())


# ------------------------------------------------------------------ connections that call back
ADMIN = {"groups": ("admin",)}
API_KEY = "employer-api-key-0123456789"


@pytest.mark.parametrize(
    ("provider", "default_base"),
    [
        ("lever", "https://api.lever.co/v1"),
        ("teamtailor", "https://api.teamtailor.com/v1"),
        ("smartrecruiters", "https://api.smartrecruiters.com"),
    ],
)
def test_a_lookup_connection_keeps_its_api_key_sealed_and_never_shows_it(
    cloud: Cloud, provider: str, default_base: str
) -> None:
    body = {"provider": provider, "company": "Northwind", "secret": SECRETS[provider]}

    created = call_api("POST", "/admin/connections", body | {"api_key": API_KEY}, **ADMIN)

    assert created.status == 201, created.body
    assert created.body["api_base_url"] == default_base
    assert "api_key" not in created.body
    assert API_KEY not in str(cloud.items())  # sealed with the stage's key
    listed = call_api("GET", "/admin/connections", **ADMIN).body["items"]
    assert API_KEY not in str(listed)
    assert [c["api_base_url"] for c in listed] == [default_base]
    _, key = services().connections.api_key(created.body["id"])
    assert key == API_KEY


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "lever", "secret": SECRETS["lever"]},  # no api_key
        {"provider": "teamtailor", "api_key": API_KEY},  # no secret: Teamtailor issues it
        {"provider": "greenhouse", "api_key": API_KEY},  # a key it would never use
        {"provider": "greenhouse", "api_base_url": "https://api.example.com"},
        {"provider": "lever", "secret": SECRETS["lever"], "api_key": API_KEY,
         "api_base_url": "ftp://api.example.com"},
        {"provider": "lever", "secret": SECRETS["lever"], "api_key": API_KEY,
         "api_base_url": "https://user:pw@api.example.com/v1"},
    ],
)  # fmt: skip
def test_a_lookup_connection_needs_its_key_and_others_refuse_one(
    cloud: Cloud, body: dict[str, str]
) -> None:
    answer = call_api("POST", "/admin/connections", body | {"company": "Northwind"}, **ADMIN)

    assert answer.status == 400, answer.body
    assert answer.body["message"]
    assert API_KEY not in str(answer.body)
    assert cloud.items() == []


def test_an_api_base_url_elsewhere_is_kept_normalised(cloud: Cloud) -> None:
    body = {
        "provider": "teamtailor",
        "company": "Northwind",
        "secret": SECRETS["teamtailor"],
        "api_key": API_KEY,
        "api_base_url": "https://API.NA.teamtailor.com/v1/",
    }

    created = call_api("POST", "/admin/connections", body, **ADMIN)

    assert created.status == 201
    assert created.body["api_base_url"] == "https://api.na.teamtailor.com/v1"


def test_a_key_the_ats_issues_later_replaces_the_secret_at_once(
    cloud: Cloud, fake_api: FakeAtsApi
) -> None:
    # Given a SmartRecruiters connection made before SmartRecruiters issued its signing key
    body = {
        "provider": "smartrecruiters",
        "company": CONNECTION_COMPANY,
        "secret": "provisional-until-smartrecruiters-issues-its-key",
        "api_key": fake_api.key("smartrecruiters"),
        "api_base_url": fake_api.base_url("smartrecruiters"),
    }
    created = call_api("POST", "/admin/connections", body, **ADMIN).body
    event = sample("smartrecruiters")
    event["rawPath"] = event["requestContext"]["http"]["path"] = created["webhook_path"]
    event["pathParameters"]["connection_id"] = created["id"]
    assert deliver(event)["statusCode"] == 401  # signed with the key SmartRecruiters issued

    # When the admin sets the issued key
    path = f"/admin/connections/{created['id']}/secret"
    replaced = call_api("PUT", path, {"secret": SECRETS["smartrecruiters"]}, **ADMIN)

    # Then the same delivery verifies at once (no warm container keeps the old key)
    assert replaced.status == 200
    assert "secret" not in replaced.body
    assert deliver(event)["statusCode"] == 202
    assert SECRETS["smartrecruiters"] not in str(cloud.items())
    missing = call_api("PUT", "/admin/connections/nope/secret", {"secret": "x" * 20}, **ADMIN)
    assert missing.status == 404


def test_a_lookup_takes_over_a_claim_whose_holder_died(cloud: Cloud, fake_api: FakeAtsApi) -> None:
    # Given a lookup that died holding its claim (a timeout), five minutes ago by the clock,
    # while every retry of its event still carries the delivery's time (March 2025)
    connect("lever", fake_api)
    register()
    deliver(sample("lever"))
    key = f"lever:{LEVER_OPPORTUNITY}:{LEVER_ARCHIVED_AT_MS}"
    assert services().deliveries.claim(
        user_id=USER,
        rejection_id=derived_id("webhook", "conn-lever-sample", key),
        connection_id="conn-lever-sample",
        provider="lever",
        application_key=f"lever:{LEVER_OPPORTUNITY}",
        now=datetime.now(UTC) - timedelta(minutes=5),
        lease=DELIVERY_LEASE,
    )

    # When the lookup is tried again
    settle(cloud, "lever")

    # Then it takes the lapsed claim over and logs the rejection
    assert len(rejections(cloud)) == 1
