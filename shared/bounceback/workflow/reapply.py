"""Step 4, "keep going": the reapply date is scheduled, and when it comes the user hears
"you can reapply now", with what they have done since.

The waiting period is resolved when the rejection is logged (``bounceback.cooldowns``) and
stored on it; this step turns it into a one-time timer. A date already past (an old rejection)
opens the window at once by publishing "Cooldown Elapsed" straight away.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bounceback.events import CooldownElapsed, CooldownElapsedData, EventMetadata
from bounceback.model import Area, NotificationKind, Rejection
from bounceback.services import Services
from bounceback.timers import reapply_timer_name
from bounceback.workflow.notify import notify
from bounceback.workflow.rejection_timers import set_timer

# Scheduler fires at the minute; a timer a little early is still this timer, not a stale one.
FIRING_TOLERANCE = timedelta(minutes=2)


def _elapsed_event(
    rejection: Rejection, occurred_at: datetime, correlation_id: str
) -> CooldownElapsed:
    return CooldownElapsed(
        metadata=EventMetadata(correlation_id=correlation_id, occurred_at=occurred_at),
        data=CooldownElapsedData(
            user_id=rejection.user_id, rejection_id=rejection.id, reapply_at=rejection.reapply_at
        ),
    )


def schedule_reapply(
    services: Services, rejection: Rejection, *, now: datetime, correlation_id: str
) -> str:
    """Set (or reset) the reapply timer. Returns "scheduled" or "elapsed" (published now)."""
    name = reapply_timer_name(rejection.id)
    if rejection.reapply_at <= now:
        services.timers.cancel(name)
        services.bus.publish(_elapsed_event(rejection, now, correlation_id))
        return "elapsed"
    set_timer(
        services,
        user_id=rejection.user_id,
        rejection_id=rejection.id,
        name=name,
        at=rejection.reapply_at,
        event=_elapsed_event(rejection, rejection.reapply_at, correlation_id),
        replace=True,
    )
    return "scheduled"


def on_rejection_logged(
    services: Services, *, user_id: str, rejection_id: str, now: datetime, correlation_id: str
) -> str | None:
    rejection = services.rejections.get(user_id, rejection_id)
    if rejection is None or rejection.status != "rejected":
        return None
    return schedule_reapply(services, rejection, now=now, correlation_id=correlation_id)


def compose_reapply(
    rejection: Rejection,
    *,
    feedback_count: int,
    areas_worked_on: list[str],
    other_applications: int,
) -> tuple[str, str]:
    paragraphs = [
        f"Your waiting period for {rejection.company} is over: you can apply again now, for "
        f"the {rejection.role} role or any other opening there."
    ]
    progress: list[str] = []
    if feedback_count:
        progress.append(
            f"you received {feedback_count} piece{'s' if feedback_count != 1 else ''} of "
            "feedback on this application"
        )
    if areas_worked_on:
        progress.append("you have been preparing on " + ", ".join(areas_worked_on))
    if other_applications:
        progress.append(
            f"you logged {other_applications} other application"
            f"{'s' if other_applications != 1 else ''}"
        )
    if progress:
        paragraphs.append("Since then, " + "; ".join(progress) + ".")
    paragraphs.append(
        "You are not the same candidate who applied last time. Look at your preparation plan, "
        "tailor your resume to the role, and go for it."
    )
    return f"You can reapply to {rejection.company} now", "\n\n".join(paragraphs)


def notify_reapply(services: Services, *, user_id: str, rejection_id: str, now: datetime) -> bool:
    """On "Cooldown Elapsed". Returns True when the notification was created by this call."""
    rejection = services.rejections.get(user_id, rejection_id)
    if rejection is None or rejection.status != "rejected":
        return False
    if rejection.reapply_at > now + FIRING_TOLERANCE:
        return False  # a timer from before the date was moved later; the new timer will come
    feedback_count = 0
    areas: list[str] = []
    for feedback, _company, _role in services.rejections.iter_feedback(user_id):
        if feedback.rejection_id == rejection.id:
            feedback_count += 1
        if feedback.received_at >= rejection.rejected_at:
            for finding in feedback.areas or ():
                label = finding.area.value.replace("_", " ")
                if finding.area is not Area.OUTSIDE_CONTROL and label not in areas:
                    areas.append(label)
    others = sum(
        1
        for other in services.rejections.iter_all(user_id)
        if other.id != rejection.id and other.rejected_at > rejection.rejected_at
    )
    title, body = compose_reapply(
        rejection, feedback_count=feedback_count, areas_worked_on=areas, other_applications=others
    )
    return notify(
        services,
        kind=NotificationKind.REAPPLY_OPEN,
        user_id=user_id,
        rejection_id=rejection.id,
        title=title,
        body=body,
        now=now,
    )
