"""Put a user and their rejection in the table the way the app does (through the write side)."""

from __future__ import annotations

from datetime import datetime

from bounceback.model import Profile, Rejection
from bounceback.services import services
from bounceback.workflow.recording import RejectionDraft, log_rejection, record_feedback
from tests.support.events import SAMPLE_FEEDBACK, SAMPLE_REJECTION, SAMPLE_USER, load_event


def seed_profile(
    user_id: str = SAMPLE_USER, *, email_notifications: bool = True, verified: bool = True
) -> Profile:
    """The sample profile; its addresses proved (``verified``), as after sign-up."""
    body = load_event("app.profile.json")
    now = datetime.fromisoformat("2026-11-01T08:00:00+00:00")
    profile = Profile(
        user_id=user_id,
        display_name=body["display_name"],
        emails=tuple(body["emails"]),
        verified_emails=tuple(body["emails"]) if verified else (),
        timezone=body["timezone"],
        email_notifications=email_notifications,
        created_at=now,
        updated_at=now,
    )
    return services().profiles.save(profile, previous=None, at=now)


def seed_rejection(
    user_id: str = SAMPLE_USER,
    rejection_id: str = SAMPLE_REJECTION,
    *,
    now: datetime | None = None,
    **changes: object,
) -> Rejection:
    # Rejected a quarter of an hour before it was logged, as the sample events describe it.
    sample = load_event("app.rejection.json") | {"rejected_at": "2026-11-02T09:00:00Z"}
    draft = RejectionDraft.model_validate(sample | changes)
    moment = now or datetime.fromisoformat("2026-11-02T09:15:00+00:00")
    rejection, _ = log_rejection(
        services(),
        user_id=user_id,
        rejection_id=rejection_id,
        draft=draft,
        source="app",
        now=moment,
        correlation_id="test",
    )
    return rejection


def seed_feedback(
    user_id: str = SAMPLE_USER,
    rejection_id: str = SAMPLE_REJECTION,
    feedback_id: str = SAMPLE_FEEDBACK,
    *,
    now: datetime | None = None,
    text: str | None = None,
) -> None:
    body = load_event("app.feedback.json")
    record_feedback(
        services(),
        user_id=user_id,
        rejection_id=rejection_id,
        feedback_id=feedback_id,
        text=text or body["text"],
        received_at=None,
        now=now or datetime.fromisoformat("2026-11-05T14:02:00+00:00"),
        correlation_id="test",
    )
