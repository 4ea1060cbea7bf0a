"""One rejection through all five steps, in process, on moto: every event delivered twice,
and an SES failure that is retried without a duplicate."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from bounceback.mail import Mailer
from tests.support.cloud import Cloud, InProcessWorkflow, iter_kinds, schedule_due_at
from tests.support.seed import seed_feedback, seed_profile, seed_rejection

LOGGED_AT = datetime.fromisoformat("2026-11-02T09:15:00+00:00")


def kinds(cloud: Cloud) -> Counter[str]:
    return Counter(i["kind"]["S"] for i in iter_kinds(cloud.items(), "notification"))


def test_one_rejection_yields_each_notification_once_even_when_every_event_comes_twice(
    cloud: Cloud,
) -> None:
    # Given a user who allows email, and a workflow that delivers every event twice
    seed_profile()
    workflow = InProcessWorkflow(cloud, copies=2)

    # When a rejection is logged and its events are delivered
    rejection = seed_rejection(now=LOGGED_AT)
    workflow.run_until_quiet()

    # Then one encouragement and one feedback request, a reminder timer a week later,
    # and one reapply timer at the date the message states (6 months)
    assert kinds(cloud) == {"encouragement": 1, "feedback_request": 1}
    timers = {s["Name"]: schedule_due_at(s) for s in cloud.schedules()}
    assert timers == {
        f"followup-{rejection.id}": LOGGED_AT + timedelta(days=7),
        f"reapply-{rejection.id}": rejection.rejected_at + timedelta(days=182),
    }
    assert rejection.cooldown.basis == "message_hint"

    # When feedback arrives (and its event comes twice)
    seed_feedback(now=LOGGED_AT + timedelta(days=3))
    workflow.run_until_quiet()

    # Then one plan, and the reminder is cancelled
    assert kinds(cloud)["plan_ready"] == 1
    assert [s["Name"] for s in cloud.schedules()] == [f"reapply-{rejection.id}"]

    # When the reapply date comes
    fired = workflow.fire_timers_due_by(rejection.reapply_at)
    workflow.run_until_quiet()

    # Then one "you can reapply now", and no timer is left
    assert fired == [f"reapply-{rejection.id}"]
    assert kinds(cloud) == {
        "encouragement": 1,
        "feedback_request": 1,
        "plan_ready": 1,
        "reapply_open": 1,
    }
    assert cloud.schedules() == []
    # and one email per notification, though every event was handled twice
    assert len(cloud.emails()) == 4


def test_a_feedback_reminder_is_sent_once_when_no_feedback_arrived(cloud: Cloud) -> None:
    seed_profile()
    workflow = InProcessWorkflow(cloud, copies=2)
    seed_rejection(now=LOGGED_AT)
    workflow.run_until_quiet()

    workflow.fire_timers_due_by(LOGGED_AT + timedelta(days=7))
    workflow.run_until_quiet()

    assert kinds(cloud)["feedback_followup"] == 1


def test_a_reminder_that_fires_after_feedback_arrived_says_nothing(cloud: Cloud) -> None:
    # Given feedback recorded, but its event not yet handled (events arrive in any order)
    seed_profile()
    workflow = InProcessWorkflow(cloud)
    seed_rejection(now=LOGGED_AT)
    workflow.run_until_quiet()
    seed_feedback(now=LOGGED_AT + timedelta(days=2))
    cloud.take_published()  # "Feedback Received" is lost in transit for now

    # When the reminder fires anyway
    workflow.fire_timers_due_by(LOGGED_AT + timedelta(days=7))
    workflow.run_until_quiet()

    # Then no reminder is sent
    assert "feedback_followup" not in kinds(cloud)


def test_a_throttled_email_fails_the_step_and_its_retry_sends_it_once(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given SES throttles the first email it is asked to send
    seed_profile()
    real_send = Mailer.send
    calls = {"n": 0}

    def flaky_send(self: Mailer, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError(
                {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}},
                "SendEmail",
            )
        real_send(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Mailer, "send", flaky_send)
    seed_rejection(now=LOGGED_AT)
    event = next(e for e in cloud.take_published() if e["detail-type"] == "Rejection Logged")
    from functions.encourage.app import handler
    from tests.support.events import LambdaContext, sqs_batch

    # When the step runs, its message fails (so its queue hands it over again, later)
    batch = sqs_batch(event, cloud.queue_arns["EncourageQueue"])
    failed = handler(batch, LambdaContext())
    assert failed == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    # the inbox entry is already stored, its email not yet sent
    assert kinds(cloud) == {"encouragement": 1}
    assert cloud.emails() == []

    # When the retry comes, and then a duplicate of the same event
    assert handler(sqs_batch(event, cloud.queue_arns["EncourageQueue"], 2), LambdaContext()) == {
        "batchItemFailures": []
    }
    handler(sqs_batch(event, cloud.queue_arns["EncourageQueue"]), LambdaContext())

    # Then exactly one inbox entry and one email
    assert kinds(cloud) == {"encouragement": 1}
    assert len(cloud.emails()) == 1
