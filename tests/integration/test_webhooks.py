"""The webhook function on moto: the signed samples in events/webhooks, per provider."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from bounceback import accounts
from bounceback.model import Connection
from bounceback.providers.registry import get_adapter
from bounceback.services import services
from bounceback.workflow.feedback_request import request_feedback
from bounceback.workflow.reapply import schedule_reapply
from functions.webhooks.app import handler
from tests.support.cloud import Cloud, iter_kinds
from tests.support.events import LambdaContext, load_event

PROVIDERS = ("greenhouse", "ashby", "workable", "jazzhr", "standard")
SECRETS: dict[str, str] = load_event("webhooks/secrets.json")
USER = "b7e1c0de-2f4a-4b6c-9d8e-0a1b2c3d4e5f"
EMAIL = "Ada@Example.com"  # registered with other case than the samples send
CONNECTION_COMPANY = "Babbage & Co"
RECEIVED = datetime.fromtimestamp(1741947300, tz=UTC)  # the samples' requestContext.timeEpoch
SUCCESS = {"greenhouse": 200, "ashby": 200, "workable": 200, "jazzhr": 200, "standard": 204}
# What each sample's rejection reads like once logged (workable and standard name the company).
EXPECTED = {
    "greenhouse": ("Babbage & Co", "Senior Backend Engineer, Payments & Billing",
                   "Another candidate's experience was a closer match"),
    "ashby": ("Babbage & Co", "Data Engineer", "Needs more hands-on experience with Spark"),
    "workable": ("Analytical Engines Ltd", "Machine Learning Engineer",
                 "Not enough experience with production ML systems"),
    "jazzhr": ("Babbage & Co", "Product Analyst", "Not Qualified"),
    "standard": ("Analytical Engines Ltd", "Platform Engineer",
                 "Position filled by an internal candidate"),
}  # fmt: skip


def sample(provider: str, what: str = "rejection") -> dict[str, Any]:
    return load_event(f"webhooks/{provider}.{what}.json")


def connect(provider: str, *, secret: str | None = None, connection_id: str | None = None) -> str:
    """A connection with the samples' id (their URLs name it) and the samples' secret."""
    connection = Connection(
        id=connection_id or f"conn-{provider}-sample",
        provider=provider,
        company=CONNECTION_COMPANY,
        created_at=RECEIVED - timedelta(days=30),
    )
    services().connections.create(connection, SECRETS[provider] if secret is None else secret)
    return connection.id


def register(email: str = EMAIL) -> None:
    """Ada signs up with the address her token says she verified."""
    accounts.save_profile(
        services(),
        user_id=USER,
        token_email=email.lower(),
        display_name="Ada",
        emails=[email],
        timezone="Europe/London",
        email_notifications=True,
        now=RECEIVED - timedelta(days=60),
    )


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = handler(event, LambdaContext(function_name="WebhooksFunction"))
    return response


def rejections(cloud: Cloud) -> list[dict[str, Any]]:
    return list(iter_kinds(cloud.items(), "rejection"))


def logged_events(cloud: Cloud) -> list[dict[str, Any]]:
    return [e for e in cloud.take_published() if e["detail-type"] == "Rejection Logged"]


def resign(event: dict[str, Any], body: bytes, *, secret: str, delivery_id: str) -> None:
    """Replace the event's body and signature headers as the provider would sign ``body``."""
    provider = event["pathParameters"]["provider"]
    adapter = get_adapter(provider)
    assert adapter is not None
    event["body"] = body.decode()
    event["isBase64Encoded"] = False
    event["headers"].update(adapter.signature_headers(body, secret, RECEIVED, delivery_id))


@pytest.fixture
def ready(cloud: Cloud) -> Callable[[str], None]:
    """Given a connection for the provider and a user with the candidate's email."""

    def given(provider: str) -> None:
        connect(provider)
        register()
        cloud.take_published()

    return given


# ------------------------------------------------------------------ a valid rejection
@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_signed_rejection_logs_one_rejection_and_one_event(
    cloud: Cloud, ready: Callable[[str], None], provider: str
) -> None:
    ready(provider)

    response = deliver(sample(provider))

    assert response["statusCode"] == SUCCESS[provider]
    assert response["headers"]["content-type"] == "application/json"
    [item] = rejections(cloud)
    company, role, reason = EXPECTED[provider]
    assert item["user_id"]["S"] == USER
    assert item["company"]["S"] == company
    assert item["role"]["S"] == role
    assert item["reason"]["S"] == reason
    assert item["source"]["S"] == provider
    assert item["rejected_at"]["S"].startswith("2025-03-14T10:00:00")
    [event] = logged_events(cloud)
    assert event["detail"]["data"]["rejection_id"] == item["id"]["S"]
    assert event["detail"]["data"]["source"] == provider
    # nothing about the candidate beyond the rejection itself: no name, no address
    stored = json.dumps(cloud.items())
    assert "Lovelace" not in stored
    assert "ada.lovelace@work.example.com" not in stored


def test_the_stage_recruiter_and_message_reach_the_rejection(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("standard")

    deliver(sample("standard"))

    [item] = rejections(cloud)
    assert item["stage"]["S"] == "Final interview"
    assert item["recruiter"]["M"]["email"]["S"] == "grace.hopper@example.com"
    assert "reapply in 6 months" in item["message"]["S"]
    assert item["cooldown"]["M"]["basis"]["S"] == "message_hint"


def test_a_base64_encoded_body_is_verified_over_its_decoded_bytes(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("greenhouse")
    event = sample("greenhouse")
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True

    assert deliver(event)["statusCode"] == 200
    assert len(rejections(cloud)) == 1


def test_header_names_are_matched_in_any_case(cloud: Cloud, ready: Callable[[str], None]) -> None:
    ready("ashby")
    event = sample("ashby")
    event["headers"] = {name.title(): value for name, value in event["headers"].items()}

    assert deliver(event)["statusCode"] == 200
    assert len(rejections(cloud)) == 1


# ------------------------------------------------------------------ duplicates
@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_same_delivery_twice_logs_one_rejection_and_one_event(
    cloud: Cloud, ready: Callable[[str], None], provider: str
) -> None:
    ready(provider)

    first = deliver(sample(provider))
    second = deliver(sample(provider))

    assert first["statusCode"] == second["statusCode"] == SUCCESS[provider]
    assert first["body"] == second["body"]  # a duplicate reads like the first answer
    assert len(rejections(cloud)) == 1
    assert len(logged_events(cloud)) == 1


@pytest.fixture
def atomic_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB checks a write's condition and writes atomically; moto, serving threads, does
    not. One lock around moto's writes gives the tests DynamoDB's guarantee back."""
    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


# Powertools' Metrics is one object per process; threads flushing it warn about each other.
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.usefixtures("atomic_writes")
def test_concurrent_copies_of_a_delivery_log_one_rejection_and_one_event(
    cloud: Cloud, ready: Callable[[str], None], provider: str
) -> None:
    ready(provider)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: deliver(sample(provider)), range(6)))

    statuses = [r["statusCode"] for r in responses]
    # a copy that finds another still working is told to retry (409), never told "done" early
    assert set(statuses) <= {SUCCESS[provider], 409}
    assert SUCCESS[provider] in statuses
    assert len(rejections(cloud)) == 1
    assert len(logged_events(cloud)) == 1
    # and the retry of a copy that was told 409 now succeeds, still without a second rejection
    assert deliver(sample(provider))["statusCode"] == SUCCESS[provider]
    assert len(rejections(cloud)) == 1
    assert logged_events(cloud) == []


def test_ashby_related_hooks_sharing_a_webhook_action_id_log_one_rejection(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("ashby")
    event = sample("ashby")
    body = json.loads(event["body"])
    body["action"] = "candidateStageChange"
    resign(event, json.dumps(body).encode(), secret=SECRETS["ashby"], delivery_id="x")

    deliver(sample("ashby"))
    deliver(event)

    assert len(rejections(cloud)) == 1
    assert len(logged_events(cloud)) == 1


def test_a_retry_after_the_user_deleted_the_rejection_does_not_bring_it_back(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("greenhouse")
    deliver(sample("greenhouse"))
    [item] = rejections(cloud)
    services().rejections.delete(USER, item["id"]["S"], datetime.now(UTC))

    assert deliver(sample("greenhouse"))["statusCode"] == 200
    assert rejections(cloud) == []


def test_a_new_rejection_of_the_same_application_is_a_new_rejection(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("greenhouse")
    event = sample("greenhouse")
    body = json.loads(event["body"])
    body["payload"]["application"]["rejected_at"] = "2025-03-14T10:05:00Z"
    resign(event, json.dumps(body).encode(), secret=SECRETS["greenhouse"], delivery_id="x")

    deliver(sample("greenhouse"))
    deliver(event)

    assert len(rejections(cloud)) == 2


# ------------------------------------------------------------------ bad signatures
def _tampered(event: dict[str, Any]) -> None:
    event["body"] = event["body"].replace("Ada", "Eve", 1)


def _unsigned(event: dict[str, Any]) -> None:
    for name in ("signature", "ashby-signature", "x-workable-signature", "x-jazzhr-signature"):
        event["headers"].pop(name, None)
    event["headers"].pop("webhook-signature", None)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "spoil", [_tampered, _unsigned], ids=["tampered body", "missing signature header"]
)
def test_a_bad_signature_is_refused_and_stores_nothing(
    cloud: Cloud,
    ready: Callable[[str], None],
    provider: str,
    spoil: Callable[[dict[str, Any]], None],
) -> None:
    ready(provider)
    before = cloud.items()
    event = sample(provider)
    spoil(event)

    response = deliver(event)

    assert response["statusCode"] == 401
    assert json.loads(response["body"])["message"]
    assert cloud.items() == before
    assert cloud.take_published() == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_delivery_signed_with_another_secret_is_refused(cloud: Cloud, provider: str) -> None:
    adapter = get_adapter(provider)
    assert adapter is not None
    connect(provider, secret=adapter.new_secret())
    register()
    before = cloud.items()

    assert deliver(sample(provider))["statusCode"] == 401
    assert cloud.items() == before


def test_a_standard_delivery_outside_the_timestamp_tolerance_is_refused(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("standard")
    event = sample("standard")
    event["requestContext"]["timeEpoch"] += 6 * 60 * 1000  # replayed six minutes later

    assert deliver(event)["statusCode"] == 401
    assert rejections(cloud) == []


# ------------------------------------------------------------------ not rejections
@pytest.mark.parametrize(
    ("provider", "what"),
    [
        ("greenhouse", "ping"),
        ("ashby", "ping"),
        ("ashby", "withdrawn"),
        ("workable", "moved"),
        ("jazzhr", "verify"),
    ],
)
def test_pings_and_other_events_answer_success_and_store_nothing(
    cloud: Cloud, ready: Callable[[str], None], provider: str, what: str
) -> None:
    ready(provider)
    before = cloud.items()

    response = deliver(sample(provider, what))

    assert response["statusCode"] == SUCCESS[provider]
    assert cloud.items() == before
    assert cloud.take_published() == []


def test_a_standard_event_of_another_type_answers_204_and_stores_nothing(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("standard")
    event = sample("standard")
    body = json.loads(event["body"])
    body["type"] = "candidate.hired"
    resign(event, json.dumps(body).encode(), secret=SECRETS["standard"], delivery_id="msg_2")
    before = cloud.items()

    response = deliver(event)

    assert response["statusCode"] == 204
    assert response["body"] == ""
    assert cloud.items() == before


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unknown_candidate_answers_success_and_stores_nothing(
    cloud: Cloud, provider: str
) -> None:
    connect(provider)
    register("someone.else@example.com")
    before = cloud.items()
    cloud.take_published()

    response = deliver(sample(provider))

    assert response["statusCode"] == SUCCESS[provider]
    assert cloud.items() == before
    assert cloud.take_published() == []


def test_known_and_unknown_candidates_get_the_same_answer(cloud: Cloud) -> None:
    connect("greenhouse")
    unknown = deliver(sample("greenhouse"))
    register()
    known = deliver(sample("greenhouse"))

    assert (unknown["statusCode"], unknown["body"]) == (known["statusCode"], known["body"])


@pytest.mark.parametrize(
    ("provider", "status"),
    [("greenhouse", 200), ("workable", 200), ("ashby", 400), ("jazzhr", 400), ("standard", 400)],
)
def test_a_signed_but_unreadable_body_stores_nothing(
    cloud: Cloud, ready: Callable[[str], None], provider: str, status: int
) -> None:
    ready(provider)
    event = sample(provider)
    resign(event, b"{not json", secret=SECRETS[provider], delivery_id="msg_3")
    before = cloud.items()

    assert deliver(event)["statusCode"] == status
    assert cloud.items() == before


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("ashby")
    event = sample("ashby")
    resign(event, b" " * (256 * 1024 + 1), secret=SECRETS["ashby"], delivery_id="x")

    assert deliver(event)["statusCode"] == 413
    assert rejections(cloud) == []


def test_a_rejection_dated_in_the_future_is_logged_at_the_delivery_time(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("greenhouse")
    event = sample("greenhouse")
    body = json.loads(event["body"])
    body["payload"]["application"]["rejected_at"] = "2025-03-14T16:00:00Z"  # a time-zone slip
    resign(event, json.dumps(body).encode(), secret=SECRETS["greenhouse"], delivery_id="x")

    assert deliver(event)["statusCode"] == 200
    [item] = rejections(cloud)
    assert item["rejected_at"]["S"].startswith("2025-03-14T10:15:00")


# ------------------------------------------------------------------ the URL
def test_an_unknown_connection_answers_404(cloud: Cloud) -> None:
    register()
    assert deliver(sample("greenhouse"))["statusCode"] == 404
    assert rejections(cloud) == []


def test_a_deleted_connection_answers_404(cloud: Cloud) -> None:
    connection_id = connect("greenhouse")
    register()
    services().connections.delete(connection_id)

    assert deliver(sample("greenhouse"))["statusCode"] == 404


def test_a_connection_of_another_provider_answers_404(cloud: Cloud) -> None:
    connect("ashby", connection_id="conn-greenhouse-sample")
    register()

    assert deliver(sample("greenhouse"))["statusCode"] == 404
    assert rejections(cloud) == []


@pytest.mark.parametrize(
    ("provider", "connection_id"), [("lever", "conn-greenhouse-sample"), ("greenhouse", "a#b")]
)
def test_an_unknown_provider_or_malformed_connection_id_answers_404(
    cloud: Cloud, provider: str, connection_id: str
) -> None:
    connect("greenhouse")
    event = sample("greenhouse")
    event["pathParameters"] = {"provider": provider, "connection_id": connection_id}

    assert deliver(event)["statusCode"] == 404


# ------------------------------------------------------------------ withdrawals
def test_greenhouse_unreject_withdraws_the_rejection_and_cancels_its_timers(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("greenhouse")
    deliver(sample("greenhouse"))
    [item] = rejections(cloud)
    rejection_id = item["id"]["S"]
    # the workflow scheduled its timers meanwhile
    rejection = services().rejections.get(USER, rejection_id)
    assert rejection is not None
    schedule_reapply(services(), rejection, now=RECEIVED, correlation_id="test")
    request_feedback(
        services(), user_id=USER, rejection_id=rejection_id, now=RECEIVED, correlation_id="test"
    )
    assert len(cloud.schedules()) == 2

    response = deliver(sample("greenhouse", "unreject"))

    assert response["statusCode"] == 200
    [item] = rejections(cloud)
    assert item["status"]["S"] == "withdrawn"
    assert cloud.schedules() == []
    # and the undo retried changes nothing more
    assert deliver(sample("greenhouse", "unreject"))["statusCode"] == 200
    assert rejections(cloud)[0]["status"]["S"] == "withdrawn"


def test_an_unreject_for_an_application_never_logged_answers_200_and_stores_nothing(
    cloud: Cloud, ready: Callable[[str], None]
) -> None:
    ready("greenhouse")
    before = cloud.items()

    assert deliver(sample("greenhouse", "unreject"))["statusCode"] == 200
    assert cloud.items() == before
