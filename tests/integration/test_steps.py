"""Each step's handler with its sample event from events/, on moto."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bounceback.services import services
from functions.build_plan.app import handler as build_plan
from functions.encourage.app import handler as encourage
from functions.reapply.app import handler as reapply
from functions.request_feedback.app import handler as request_feedback
from functions.schedule_reapply.app import handler as schedule_reapply
from tests.support.cloud import Cloud, iter_kinds, schedule_due_at
from tests.support.events import (
    SAMPLE_FEEDBACK,
    SAMPLE_REJECTION,
    SAMPLE_USER,
    LambdaContext,
    load_event,
    sqs_batch,
)
from tests.support.seed import seed_feedback, seed_profile, seed_rejection

LOGGED = datetime.fromisoformat("2026-11-02T09:15:00+00:00")


def notifications(cloud: Cloud) -> Counter[str]:
    return Counter(i["kind"]["S"] for i in iter_kinds(cloud.items(), "notification"))


def deliver(handler: Any, event: dict[str, Any]) -> list[dict[str, str]]:
    """Hand the event to the step as its queue does (one message of an SQS batch); returns
    the messages it reported failed (they would come again, later)."""
    answer = handler(sqs_batch(event), LambdaContext())
    failures: list[dict[str, str]] = answer["batchItemFailures"]
    return failures


@pytest.fixture
def logged(cloud: Cloud) -> Cloud:
    """The state the sample events describe: Ada's rejection by Northwind, logged."""
    seed_profile()
    seed_rejection(now=LOGGED)
    cloud.take_published()
    return cloud


def test_encourage_names_what_was_outside_the_users_control(logged: Cloud) -> None:
    assert deliver(encourage, load_event("bounceback.rejection-logged.json")) == []

    [item] = iter_kinds(logged.items(), "notification")
    assert item["kind"]["S"] == "encouragement"
    assert "not about you" in item["title"]["S"]
    assert item["created_at"]["S"].startswith("2026-11-02T09:15:00")  # the event's time
    [email] = logged.emails()
    assert email.destinations["ToAddresses"] == ["ada@example.com"]


def test_encourage_says_nothing_about_a_deleted_rejection(logged: Cloud) -> None:
    services().rejections.delete(SAMPLE_USER, SAMPLE_REJECTION, datetime.now(UTC))
    assert deliver(encourage, load_event("bounceback.rejection-logged.json")) == []
    assert notifications(logged) == {}


def test_no_email_when_the_user_turned_emails_off(cloud: Cloud) -> None:
    seed_profile(email_notifications=False)
    seed_rejection(now=LOGGED)
    deliver(encourage, load_event("bounceback.rejection-logged.json"))
    assert notifications(cloud) == {"encouragement": 1}
    assert cloud.emails() == []


def test_request_feedback_drafts_the_request_and_sets_the_reminder(logged: Cloud) -> None:
    deliver(request_feedback, load_event("bounceback.rejection-logged.json"))

    assert notifications(logged) == {"feedback_request": 1}
    [timer] = logged.schedules()
    assert timer["Name"] == f"followup-{SAMPLE_REJECTION}"
    assert schedule_due_at(timer) == LOGGED + timedelta(days=7)
    assert timer["ActionAfterCompletion"] == "DELETE"
    target = timer["Target"]
    assert target["EventBridgeParameters"] == {
        "DetailType": "Feedback Follow-up Due",
        "Source": "bounceback",
    }
    assert json.loads(target["Input"])["data"]["rejection_id"] == SAMPLE_REJECTION
    assert target["DeadLetterConfig"]["Arn"] == logged.queue_arns["SchedulerDeadLetterQueue"]


def test_the_reminder_is_sent_when_due_and_no_feedback_came(logged: Cloud) -> None:
    assert deliver(request_feedback, load_event("bounceback.feedback-follow-up-due.json")) == []
    assert notifications(logged) == {"feedback_followup": 1}


def test_feedback_cancels_the_reminder_and_cancelling_twice_is_harmless(logged: Cloud) -> None:
    deliver(request_feedback, load_event("bounceback.rejection-logged.json"))
    assert len(logged.schedules()) == 1
    event = load_event("bounceback.feedback-received.json")

    assert deliver(request_feedback, event) == []
    assert deliver(request_feedback, event) == []
    assert logged.schedules() == []


def test_schedule_reapply_sets_one_timer_at_the_reapply_date(logged: Cloud) -> None:
    event = load_event("bounceback.rejection-logged.json")
    deliver(schedule_reapply, event)
    deliver(schedule_reapply, event)

    [timer] = logged.schedules()
    assert timer["Name"] == f"reapply-{SAMPLE_REJECTION}"
    rejected_at = datetime.fromisoformat("2026-11-02T09:00:00+00:00")
    assert schedule_due_at(timer) == rejected_at + timedelta(days=182)
    assert timer["Target"]["EventBridgeParameters"]["DetailType"] == "Cooldown Elapsed"


def test_a_waiting_period_already_over_opens_the_window_at_once(cloud: Cloud) -> None:
    seed_profile()
    seed_rejection(now=LOGGED, rejected_at="2025-01-10T09:00:00Z")
    cloud.take_published()

    assert deliver(schedule_reapply, load_event("bounceback.rejection-logged.json")) == []

    assert cloud.schedules() == []
    [elapsed] = cloud.take_published()
    assert elapsed["detail-type"] == "Cooldown Elapsed"


def test_build_plan_stores_the_areas_and_tells_the_user(logged: Cloud) -> None:
    seed_feedback(now=LOGGED + timedelta(days=3))

    deliver(build_plan, load_event("bounceback.feedback-received.json"))

    feedback = services().rejections.get_feedback(SAMPLE_USER, SAMPLE_REJECTION, SAMPLE_FEEDBACK)
    assert feedback is not None
    assert feedback.areas
    areas = {finding.area for finding in feedback.areas}
    assert "technical_skills" in areas
    assert notifications(logged) == {"plan_ready": 1}


def test_reapply_tells_the_user_with_their_progress(logged: Cloud) -> None:
    seed_feedback(now=LOGGED + timedelta(days=3))
    deliver(build_plan, load_event("bounceback.feedback-received.json"))

    deliver(reapply, load_event("bounceback.cooldown-elapsed.json"))

    [item] = [
        i for i in iter_kinds(logged.items(), "notification") if i["kind"]["S"] == "reapply_open"
    ]
    assert "1 piece of feedback" in item["body"]["S"]


def test_a_stale_reapply_timer_says_nothing(logged: Cloud) -> None:
    # Given the user moved the date later after the first timer was set
    rejection = services().rejections.get(SAMPLE_USER, SAMPLE_REJECTION)
    assert rejection is not None
    services().rejections.update(
        rejection.model_copy(update={"reapply_at": rejection.reapply_at + timedelta(days=30)})
    )

    assert deliver(reapply, load_event("bounceback.cooldown-elapsed.json")) == []
    assert "reapply_open" not in notifications(logged)


@pytest.mark.parametrize(
    ("handler", "sample"),
    [
        (encourage, "bounceback.rejection-logged.json"),
        (build_plan, "bounceback.feedback-received.json"),
        (reapply, "bounceback.cooldown-elapsed.json"),
        (schedule_reapply, "bounceback.rejection-logged.json"),
    ],
)
def test_an_event_of_the_wrong_shape_fails_so_it_is_retried_then_dead_lettered(
    logged: Cloud, handler: Any, sample: str
) -> None:
    event = load_event(sample)
    event["detail"]["data"] = {"user_id": SAMPLE_USER}
    assert len(deliver(handler, event)) == 1  # reported: its queue parks it after its tries
    assert notifications(logged) == {}


def test_an_unexpected_detail_type_is_an_error(logged: Cloud) -> None:
    event = load_event("bounceback.rejection-logged.json")
    event["detail-type"] = "Something Else"
    assert len(deliver(request_feedback, event)) == 1


def test_one_failed_message_of_a_batch_is_the_only_one_retried(logged: Cloud) -> None:
    good = load_event("bounceback.rejection-logged.json")
    bad = load_event("bounceback.rejection-logged.json")
    bad["detail"]["data"] = {}
    batch = sqs_batch(good)
    batch["Records"] += sqs_batch(bad)["Records"]

    answer = encourage(batch, LambdaContext())

    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert notifications(logged) == {"encouragement": 1}
