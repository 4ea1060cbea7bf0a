"""Step 2, "ask for feedback": a ready-to-send request to the recruiter, and one reminder.

On "Rejection Logged" the user gets a polite draft addressed to the recruiter (when known) and
a one-time timer is set a week later. When it comes due ("Feedback Follow-up Due") the user is
reminded, unless feedback arrived meanwhile; "Feedback Received" cancels the timer. The due
handler checks for feedback itself too, because events arrive in any order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bounceback.events import EventMetadata, FeedbackFollowupDue, FeedbackFollowupDueData
from bounceback.model import NotificationKind, Profile, Rejection
from bounceback.services import Services
from bounceback.timers import followup_timer_name
from bounceback.workflow.notify import notify
from bounceback.workflow.rejection_timers import set_timer

FOLLOWUP_AFTER = timedelta(days=7)


def _greeting(rejection: Rejection) -> str:
    recruiter = rejection.recruiter
    return f"Dear {recruiter.name}," if recruiter and recruiter.name else "Dear hiring team,"


def draft_feedback_request(rejection: Rejection, sender_name: str) -> str:
    """The message the user can send as it is (or edit)."""
    stage = (
        f" and for the time you spent with me through the {rejection.stage}"
        if rejection.stage
        else ""
    )
    return (
        f"{_greeting(rejection)}\n\n"
        f"Thank you for letting me know your decision about the {rejection.role} role{stage}. "
        "I appreciated learning about the team.\n\n"
        "If you have a few minutes, I would be grateful for any feedback on my application "
        "and interviews: what I could have done better, or what would make me a stronger "
        "candidate next time. Even a sentence or two would help me a great deal.\n\n"
        "Thank you again, and I hope our paths cross in the future.\n\n"
        f"Best regards,\n{sender_name}"
    )


def compose_request(rejection: Rejection, sender_name: str) -> tuple[str, str]:
    recruiter = rejection.recruiter
    to = ""
    if recruiter and recruiter.email:
        to = (
            f" to {recruiter.name} <{recruiter.email}>"
            if recruiter.name
            else f" to {recruiter.email}"
        )
    body = (
        "Feedback is the fastest way to be better prepared for the next one, and most "
        f"recruiters answer a short, kind request. Here is a message ready to send{to}:\n\n"
        + draft_feedback_request(rejection, sender_name)
        + "\n\nWhen they reply, add their answer to this rejection and we will turn it into a "
        "preparation plan. We will remind you in a week if nothing has come back."
    )
    return f"Ask {rejection.company} for feedback", body


def compose_followup(rejection: Rejection, sender_name: str) -> tuple[str, str]:
    draft = (
        f"{_greeting(rejection)}\n\nI hope you are well. I am following up on my note about the "
        f"{rejection.role} role: if you have a moment to share any feedback, I would really "
        f"value it.\n\nThank you,\n{sender_name}"
    )
    body = (
        f"It has been a week since {rejection.company}'s decision and no feedback has arrived "
        "yet. A gentle follow-up often gets an answer. Here is a short one:\n\n"
        + draft
        + "\n\nIf they do not reply, that is all right: their silence says nothing about you."
    )
    return f"A gentle follow-up to {rejection.company}", body


def _sender_name(profile: Profile | None) -> str:
    return profile.display_name if profile else ""


def request_feedback(
    services: Services, *, user_id: str, rejection_id: str, now: datetime, correlation_id: str
) -> bool:
    """On "Rejection Logged". Returns True when the request was created by this call."""
    rejection = services.rejections.get(user_id, rejection_id)
    if rejection is None or rejection.status != "rejected":
        return False
    if not set_timer(
        services,
        user_id=user_id,
        rejection_id=rejection.id,
        name=followup_timer_name(rejection.id),
        at=now + FOLLOWUP_AFTER,
        event=FeedbackFollowupDue(
            metadata=EventMetadata(correlation_id=correlation_id, occurred_at=now + FOLLOWUP_AFTER),
            data=FeedbackFollowupDueData(user_id=user_id, rejection_id=rejection.id),
        ),
    ):
        return False  # deleted meanwhile
    profile = services.profiles.get(user_id)  # signs the draft, and addresses the email
    title, body = compose_request(rejection, _sender_name(profile))
    return notify(
        services,
        kind=NotificationKind.FEEDBACK_REQUEST,
        user_id=user_id,
        rejection_id=rejection.id,
        title=title,
        body=body,
        now=now,
        profile=profile,
    )


def send_followup(services: Services, *, user_id: str, rejection_id: str, now: datetime) -> bool:
    """On "Feedback Follow-up Due": remind the user, unless feedback has arrived."""
    detail = services.rejections.get_detail(user_id, rejection_id)
    if detail is None or detail.rejection.status != "rejected" or detail.feedback:
        return False
    profile = services.profiles.get(user_id)
    title, body = compose_followup(detail.rejection, _sender_name(profile))
    return notify(
        services,
        kind=NotificationKind.FEEDBACK_FOLLOWUP,
        user_id=user_id,
        rejection_id=rejection_id,
        title=title,
        body=body,
        now=now,
        profile=profile,
    )


def cancel_followup(services: Services, *, rejection_id: str) -> bool:
    """On "Feedback Received": the reminder is no longer needed."""
    return services.timers.cancel(followup_timer_name(rejection_id))
