"""Request and response bodies of the public HTTP API (BRIEF: "Public HTTP contract").

Requests forbid unknown fields and bound every text, so bad input is a clear 422 before
anything is stored. Responses are built from domain objects by the ``*_view`` functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
)

from bounceback.analysis.plan import Plan
from bounceback.model import (
    Area,
    Cooldown,
    CooldownBasis,
    Email,
    EntityId,
    Feedback,
    Notification,
    NotificationKind,
    Profile,
    Recruiter,
    Rejection,
)

_LINE_BREAKS_AND_TABS = {"\n", "\r", "\t"}


def _one_line(value: str) -> str:
    # Names, companies and roles end up in email subjects and headers: no control characters.
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must be one line of text, without control characters")
    return value


def _text(value: str) -> str:
    if any((ord(c) < 32 or ord(c) == 127) and c not in _LINE_BREAKS_AND_TABS for c in value):
        raise ValueError("must be text: line breaks and tabs, but no other control characters")
    return value


ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_one_line),
]
ReasonText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_text)
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000),
    AfterValidator(_text),
]
# Strict: JSON true is not 1, and "30" is not a number of days.
Days = Annotated[
    int, Strict(), Field(ge=0, le=3650, description="Waiting period in days (0 to 3650).")
]


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown timezone {name!r} (use an IANA name like Europe/London)"
        ) from error
    return name


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class ProfileIn(Request):
    display_name: ShortText
    emails: Annotated[
        list[Email],
        Field(min_length=1, max_length=5, description="Addresses webhooks find you by."),
    ]
    timezone: Annotated[str, AfterValidator(_known_timezone)] = "UTC"
    email_notifications: StrictBool = True


class ProfileOut(BaseModel):
    display_name: str
    emails: list[str]
    verified_emails: list[str] = Field(
        description="The addresses proved to be yours: only these route job boards' rejections "
        "to you and receive your mail."
    )
    timezone: str
    email_notifications: bool
    created_at: datetime
    updated_at: datetime


class EmailCodeIn(Request):
    email: Email


class EmailCodeSent(BaseModel):
    email: str
    valid_minutes: int


class EmailVerifyIn(Request):
    email: Email
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] = Field(
        description="The 6-digit code sent to the address."
    )


class RecruiterIn(Request):
    name: ShortText | None = None
    email: Email | None = None


class RejectionIn(Request):
    company: ShortText
    role: ShortText
    stage: ShortText | None = Field(default=None, examples=["Onsite interview"])
    rejected_at: datetime | None = Field(
        default=None, description="When they said no (ISO 8601 with timezone); default now."
    )
    reason: ReasonText | None = None
    message: LongText | None = Field(default=None, description="The rejection text as received.")
    recruiter: RecruiterIn | None = None
    cooldown_days: Days | None = Field(
        default=None, description="Your own waiting period: wins over every other source."
    )


class RejectionPatch(Request):
    stage: ShortText | None = None
    reason: ReasonText | None = None
    message: LongText | None = None
    recruiter: RecruiterIn | None = None
    cooldown_days: Days | None = Field(
        default=None, description="Set your own waiting period; null clears it."
    )


class FeedbackIn(Request):
    text: LongText
    received_at: datetime | None = None


class AreaOut(BaseModel):
    area: Area
    evidence: str
    skills: list[str]


class FeedbackOut(BaseModel):
    id: str
    text: str
    received_at: datetime
    areas: list[AreaOut] | None = Field(description="null until the feedback is analysed")


class CooldownOut(BaseModel):
    days: int
    basis: CooldownBasis
    source: str | None


class RecoveryOut(BaseModel):
    encouraged: bool
    feedback_requested: bool
    feedback_followup: Literal["waiting", "sent", "not_needed"]
    plan_ready: bool
    reapply: Literal["waiting", "open"]


class RejectionOut(BaseModel):
    id: str
    company: str
    role: str
    stage: str | None
    reason: str | None
    message: str | None
    rejected_at: datetime
    logged_at: datetime
    source: str
    status: str
    recruiter: Recruiter | None
    reapply_at: datetime
    cooldown: CooldownOut
    feedback: list[FeedbackOut] = Field(default_factory=list)
    recovery: RecoveryOut | None = None


class RejectionPage(BaseModel):
    items: list[RejectionOut]
    next_token: str | None = None


class FeedbackAccepted(BaseModel):
    id: str
    rejection_id: str
    status: Literal["accepted"] = "accepted"


class NotificationOut(BaseModel):
    id: str
    kind: NotificationKind
    title: str
    body: str
    created_at: datetime
    rejection_id: str | None = None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_token: str | None = None


class ExportOut(BaseModel):
    exported_at: datetime
    profile: ProfileOut | None
    rejections: list[RejectionOut]
    notifications: list[NotificationOut]
    plan: Plan


class ConnectionIn(Request):
    provider: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,31}$")]
    company: ShortText
    secret: Annotated[str, StringConstraints(min_length=16, max_length=512)] | None = Field(
        default=None, description="The secret the ATS issued or you chose; generated if absent."
    )


class ConnectionOut(BaseModel):
    id: EntityId
    provider: str
    company: str
    webhook_path: str
    created_at: datetime


class ConnectionCreated(ConnectionOut):
    secret: str = Field(description="Shown once: paste it into the ATS. Never returned again.")


class ConnectionList(BaseModel):
    items: list[ConnectionOut]
    next_token: str | None = None


class DeadLettersOut(BaseModel):
    queues: dict[str, int] = Field(
        description="Messages waiting in each dead-letter queue, by the queue's logical id."
    )


class RedriveOut(BaseModel):
    redriven: int = Field(description="How many parked failures were put back through their step.")


class ErrorOut(BaseModel):
    message: str
    details: list[dict[str, object]] | None = None


# ------------------------------------------------------------------ domain -> body
def profile_view(profile: Profile) -> ProfileOut:
    return ProfileOut(
        display_name=profile.display_name,
        emails=list(profile.emails),
        verified_emails=[e for e in profile.emails if e in profile.verified_emails],
        timezone=profile.timezone,
        email_notifications=profile.email_notifications,
        created_at=profile.created_at,
        updated_at=profile.updated_at,
    )


def feedback_view(feedback: Feedback) -> FeedbackOut:
    areas = None
    if feedback.areas is not None:
        areas = [
            AreaOut(area=a.area, evidence=a.evidence, skills=list(a.skills)) for a in feedback.areas
        ]
    return FeedbackOut(
        id=feedback.id, text=feedback.text, received_at=feedback.received_at, areas=areas
    )


def cooldown_view(cooldown: Cooldown) -> CooldownOut:
    return CooldownOut(days=cooldown.days, basis=cooldown.basis, source=cooldown.source)


def recovery_view(
    rejection: Rejection, feedback: list[Feedback], notifications: list[Notification], now: datetime
) -> RecoveryOut:
    kinds = {n.kind for n in notifications}
    followup: Literal["waiting", "sent", "not_needed"] = "waiting"
    if NotificationKind.FEEDBACK_FOLLOWUP in kinds:
        followup = "sent"
    elif feedback or rejection.status != "rejected":
        followup = "not_needed"
    return RecoveryOut(
        encouraged=NotificationKind.ENCOURAGEMENT in kinds,
        feedback_requested=NotificationKind.FEEDBACK_REQUEST in kinds,
        feedback_followup=followup,
        plan_ready=NotificationKind.PLAN_READY in kinds,
        reapply="open" if rejection.reapply_at <= now else "waiting",
    )


def rejection_view(
    rejection: Rejection,
    feedback: list[Feedback] | None = None,
    recovery: RecoveryOut | None = None,
) -> RejectionOut:
    return RejectionOut(
        id=rejection.id,
        company=rejection.company,
        role=rejection.role,
        stage=rejection.stage,
        reason=rejection.reason,
        message=rejection.message,
        rejected_at=rejection.rejected_at,
        logged_at=rejection.logged_at,
        source=rejection.source,
        status=rejection.status,
        recruiter=rejection.recruiter,
        reapply_at=rejection.reapply_at,
        cooldown=cooldown_view(rejection.cooldown),
        feedback=[feedback_view(f) for f in feedback or []],
        recovery=recovery,
    )


def notification_view(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.id,
        kind=notification.kind,
        title=notification.title,
        body=notification.body,
        created_at=notification.created_at,
        rejection_id=notification.rejection_id,
    )
