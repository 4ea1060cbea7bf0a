"""The examples of the OpenAPI document: the samples of ``events/`` and what the API answers to
them.

The deployed function carries ``shared/`` only, so the request samples are copied here; a test
(tests/unit/http/test_examples.py) keeps each copy equal to its file in ``events/``, and another
(tests/integration/test_openapi_examples.py) sends them through the handler and checks that
every answer documented here is the one it gives. Built only when the document is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# events/api.post-rejections.json: the sample request's caller, key and moment.
SAMPLE_USER = "8d3f2a10-5b7c-4e21-9f3a-7c6b5a4d3e21"
SAMPLE_IDEMPOTENCY_KEY = "2f1d9c1e-rejection-northwind"
SAMPLE_NOW = "2026-11-02T09:15:00Z"

# events/app.profile.json
PROFILE: dict[str, Any] = {
    "display_name": "Ada Lovelace",
    "emails": ["ada@example.com"],
    "timezone": "Europe/London",
    "email_notifications": True,
}

# events/app.rejection.json
REJECTION: dict[str, Any] = {
    "company": "Northwind Analytics",
    "role": "Senior Data Engineer",
    "stage": "Onsite interview",
    "reason": "Another candidate matched more closely",
    "message": (
        "Thank you for taking the time to interview with us. The team enjoyed meeting you and "
        "your communication was excellent. We have decided to move forward with a candidate "
        "whose experience more closely matches the role, in particular with Kubernetes and "
        "streaming pipelines. You're welcome to reapply in 6 months."
    ),
    "recruiter": {"name": "Priya Shah", "email": "priya.shah@northwind.example"},
}

# events/app.feedback.json
FEEDBACK: dict[str, Any] = {
    "text": (
        "Thanks again for your time. The panel liked your enthusiasm, but felt your answers on "
        "system design lacked depth, and you didn't give concrete examples of the impact of "
        "your past projects. It would also help to research our product before the interview."
    ),
}

UNAUTHORIZED: dict[str, Any] = {"message": "Unauthorized"}  # the JWT authorizer's own body


def _now() -> datetime:
    return datetime.fromisoformat(SAMPLE_NOW)


def _json(value: Any) -> Any:
    return value.model_dump(mode="json")


def profile_answer() -> dict[str, Any]:
    """``PUT /me`` with the sample profile, by a token whose verified email is its address."""
    from bounceback.http.schemas import profile_view
    from bounceback.model import Profile

    profile = Profile(
        user_id=SAMPLE_USER,
        display_name=PROFILE["display_name"],
        emails=tuple(PROFILE["emails"]),
        verified_emails=tuple(PROFILE["emails"]),
        timezone=PROFILE["timezone"],
        email_notifications=PROFILE["email_notifications"],
        created_at=_now(),
        updated_at=_now(),
    )
    answer: dict[str, Any] = _json(profile_view(profile))
    return answer


def rejection_id() -> str:
    from bounceback.ids import derived_id

    return derived_id("rejection", SAMPLE_USER, SAMPLE_IDEMPOTENCY_KEY)


def rejection_answer() -> dict[str, Any]:
    """``POST /rejections`` with the sample rejection and the sample's ``Idempotency-Key``."""
    from bounceback.cooldowns import reapply_date, resolve_cooldown
    from bounceback.http.schemas import RejectionIn, rejection_view
    from bounceback.model import Recruiter, Rejection

    sample = RejectionIn.model_validate(REJECTION)
    rejected_at = sample.rejected_at or _now()  # logged as it arrives: rejected now
    cooldown = resolve_cooldown(
        company=sample.company,
        stage=sample.stage,
        message=" ".join(t for t in (sample.message, sample.reason) if t) or None,
        override_days=sample.cooldown_days,
    )
    rejection = Rejection(
        id=rejection_id(),
        user_id=SAMPLE_USER,
        company=sample.company,
        role=sample.role,
        stage=sample.stage,
        reason=sample.reason,
        message=sample.message,
        rejected_at=rejected_at,
        logged_at=_now(),
        source="app",
        recruiter=Recruiter.model_validate(REJECTION["recruiter"]),
        cooldown=cooldown,
        reapply_at=reapply_date(rejected_at, cooldown),
    )
    answer: dict[str, Any] = _json(rejection_view(rejection))
    return answer


def feedback_answer() -> dict[str, Any]:
    """``POST /rejections/{id}/feedback`` with the sample feedback (no ``Idempotency-Key``)."""
    from bounceback.http.schemas import FeedbackAccepted
    from bounceback.ids import derived_id

    feedback_id = derived_id("feedback", SAMPLE_USER, rejection_id(), FEEDBACK["text"])
    answer: dict[str, Any] = _json(FeedbackAccepted(id=feedback_id, rejection_id=rejection_id()))
    return answer


def invalid_profile_answer() -> dict[str, Any]:
    """``PUT /me`` with the sample profile less its ``display_name``."""
    return {
        "message": "the request is not valid",
        "details": [{"loc": ["body", "display_name"], "msg": "Field required", "type": "missing"}],
    }


def example(value: Any, summary: str) -> dict[str, Any]:
    return {"summary": summary, "value": value}
