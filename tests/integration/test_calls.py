"""The calls a delivery and a timer cost: a new notification is stored with its email claimed
(or skipped) in one write, a step hands over the profile it read, and a reapply timer is set
in one call when there is none yet (an update when there is)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bounceback import aws
from bounceback.events import CooldownElapsed, CooldownElapsedData, EventMetadata
from bounceback.model import Notification, NotificationKind
from bounceback.services import services
from bounceback.workflow.notify import deliver
from tests.support.cloud import Cloud, iter_kinds
from tests.support.seed import seed_profile, seed_rejection

NOW = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)


@pytest.fixture
def calls(cloud: Cloud) -> Iterator[Counter[str]]:
    counted: Counter[str] = Counter()

    def count(event_name: str, **_: object) -> None:
        counted[event_name.split(".", 1)[1]] += 1

    for factory in (aws.dynamodb, aws.scheduler, aws.sesv2):
        factory().meta.events.register("before-call.*.*", count)
    yield counted
    for factory in (aws.dynamodb, aws.scheduler, aws.sesv2):
        factory().meta.events.unregister("before-call.*.*", count)


def _note() -> Notification:
    return Notification(
        id="encouragement-r-calls",
        user_id="ada",
        kind=NotificationKind.ENCOURAGEMENT,
        title="Title",
        body="Body",
        created_at=NOW,
        rejection_id="r-calls",
    )


@pytest.mark.parametrize("email", [True, False])
def test_a_new_notification_settles_its_email_in_the_write_that_stores_it(
    cloud: Cloud, calls: Counter[str], email: bool
) -> None:
    seed_profile("ada", email_notifications=email)
    seed_rejection("ada", "r-calls", now=NOW)
    profile = services().profiles.get("ada")  # as the step read it
    calls.clear()

    assert deliver(services(), _note(), NOW, profile) is True

    (item,) = iter_kinds(cloud.items(), "notification")
    if email:
        assert calls == Counter(
            {"dynamodb.TransactWriteItems": 1, "sesv2.SendEmail": 1, "dynamodb.UpdateItem": 1}
        )
        assert item["email_status"] == {"S": "sent"}
        assert len(cloud.emails()) == 1
    else:
        assert calls == Counter({"dynamodb.TransactWriteItems": 1})
        assert item["email_status"] == {"S": "skipped"}
        assert cloud.emails() == []
    assert "email_lease_until" not in item
    # and a duplicate stores and sends nothing more
    assert deliver(services(), _note(), NOW, profile) is False
    assert len(cloud.emails()) == (1 if email else 0)


def test_a_reapply_timer_is_one_call_and_a_new_date_updates_it(
    cloud: Cloud, calls: Counter[str]
) -> None:
    def event(at: datetime) -> CooldownElapsed:
        return CooldownElapsed(
            metadata=EventMetadata(correlation_id="c", occurred_at=at),
            data=CooldownElapsedData(user_id="ada", rejection_id="r-calls", reapply_at=at),
        )

    timers = services().timers
    first, later = NOW + timedelta(days=30), NOW + timedelta(days=60)
    timers.reschedule("reapply-r-calls", first, event(first))
    assert calls == Counter({"scheduler.CreateSchedule": 1})
    timers.reschedule("reapply-r-calls", later, event(later))
    (schedule,) = cloud.scheduler.list_schedules(GroupName=cloud.group)["Schedules"]
    stored = cloud.scheduler.get_schedule(Name=schedule["Name"], GroupName=cloud.group)
    assert stored["ScheduleExpression"] == f"at({later:%Y-%m-%dT%H:%M:%S})"
    assert calls["scheduler.DeleteSchedule"] == 0
