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
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from bounceback.analysis.plan import Plan
from bounceback.model import (
    WHITE_SPACE,
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


# Both read the text as sent, before white space is stripped: a control character at either
# end is refused like any other (stripping would take some, such as a form feed, and not others).
def _one_line(value: object) -> object:
    # Names, companies and roles end up in email subjects and headers: no control characters.
    if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must be one line of text, without control characters")
    return value


def _text(value: object) -> object:
    if isinstance(value, str) and any(
        (ord(c) < 32 or ord(c) == 127) and c not in _LINE_BREAKS_AND_TABS for c in value
    ):
        raise ValueError("must be text: line breaks and tabs, but no other control characters")
    return value


# The same rules as patterns, for the OpenAPI document only (the validators above give the
# clearer message): no control characters, and text that is not only white space (it is
# stripped, and then must not be empty).
_NO_CONTROL = r"\x00-\x1f\x7f"
_NO_CONTROL_BUT_BREAKS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
ONE_LINE_PATTERN = rf"^[^{_NO_CONTROL}]*[^{WHITE_SPACE}{_NO_CONTROL}][^{_NO_CONTROL}]*$"
TEXT_PATTERN = rf"^[^{_NO_CONTROL_BUT_BREAKS}]*$"
LONG_TEXT_PATTERN = (
    rf"^[^{_NO_CONTROL_BUT_BREAKS}]*[^{WHITE_SPACE}{_NO_CONTROL}][^{_NO_CONTROL_BUT_BREAKS}]*$"
)

ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    BeforeValidator(_one_line),
    Field(json_schema_extra={"pattern": ONE_LINE_PATTERN}),
]
ReasonText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=500),
    BeforeValidator(_text),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000),
    BeforeValidator(_text),
    Field(json_schema_extra={"pattern": LONG_TEXT_PATTERN}),
]


def _whole_number(value: object) -> object:
    # JSON has one number type: 30 and 30.0 are the same number of days, and JSON Schema's
    # "integer" says so too. JSON true is not 1, and "30" is not a number of days.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number of days")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number of days")
        return int(value)
    return value


# The bounds first: after a validator, pydantic would not write them into the JSON schema.
Days = Annotated[
    int,
    Field(ge=0, le=3650, description="Waiting period in days (0 to 3650)."),
    BeforeValidator(_whole_number),
]


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown timezone {name!r} (use an IANA name like Europe/London)"
        ) from error
    return name


# Every body defers building its validator to its first use: a cold start builds those of the
# route it serves, not the API's thirty (docs/decisions.md, "Cold starts").
class Body(BaseModel):
    """A response body."""

    model_config = ConfigDict(defer_build=True)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000, defer_build=True)


class ProfileIn(Request):
    display_name: ShortText
    emails: Annotated[
        list[Email],
        Field(min_length=1, max_length=5, description="Addresses webhooks find you by."),
    ]
    timezone: Annotated[str, AfterValidator(_known_timezone)] = "UTC"
    email_notifications: StrictBool = True


class ProfileOut(Body):
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


class EmailCodeSent(Body):
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
    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    stage: ShortText | None = None
    reason: ReasonText | None = None
    message: LongText | None = None
    recruiter: RecruiterIn | None = None
    cooldown_days: Days | None = Field(
        default=None, description="Set your own waiting period; null clears it."
    )

    @model_validator(mode="after")
    def _changes_something(self) -> RejectionPatch:
        if not self.model_fields_set:
            raise ValueError("nothing to change: name at least one field")
        return self


class FeedbackIn(Request):
    text: LongText
    received_at: datetime | None = None


class AreaOut(Body):
    area: Area
    evidence: str
    skills: list[str]


class FeedbackOut(Body):
    id: str
    text: str
    received_at: datetime
    areas: list[AreaOut] | None = Field(description="null until the feedback is analysed")


class CooldownOut(Body):
    days: int
    basis: CooldownBasis
    source: str | None


class RecoveryOut(Body):
    encouraged: bool
    feedback_requested: bool
    feedback_followup: Literal["waiting", "sent", "not_needed"]
    plan_ready: bool
    reapply: Literal["waiting", "open"]


class RejectionOut(Body):
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


class RejectionPage(Body):
    items: list[RejectionOut]
    next_token: str | None = None


class FeedbackAccepted(Body):
    id: str
    rejection_id: str
    status: Literal["accepted"] = "accepted"


class NotificationOut(Body):
    id: str
    kind: NotificationKind
    title: str
    body: str
    created_at: datetime
    rejection_id: str | None = None


class NotificationPage(Body):
    items: list[NotificationOut]
    next_token: str | None = None


class ExportOut(Body):
    exported_at: datetime
    profile: ProfileOut | None
    rejections: list[RejectionOut]
    notifications: list[NotificationOut]
    plan: Plan


def _provider_names() -> list[str]:
    # Imported when needed: only an admin creating a connection (or the document) reads it.
    from bounceback.providers.registry import LOOKUP_PROVIDERS, PROVIDERS

    return sorted([*PROVIDERS, *LOOKUP_PROVIDERS])


def _known_provider(name: str) -> str:
    if name not in _provider_names():
        raise ValueError(f"unknown provider {name!r} (one of: {', '.join(_provider_names())})")
    return name


def _provider_enum(schema: dict[str, object]) -> None:
    schema["enum"] = _provider_names()


# A key sent in a header, or a URL: printable ASCII, no white space (nothing can split a header).
_PRINTABLE = r"^[!-~]+$"
ApiKeyText = Annotated[str, StringConstraints(pattern=_PRINTABLE, min_length=8, max_length=512)]
ApiUrlText = Annotated[str, StringConstraints(pattern=_PRINTABLE, max_length=2048)]


class ConnectionIn(Request):
    provider: Annotated[
        str, AfterValidator(_known_provider), Field(json_schema_extra=_provider_enum)
    ]
    company: ShortText
    secret: Annotated[str, StringConstraints(min_length=16, max_length=512)] | None = Field(
        default=None,
        description=(
            "The secret the ATS issued or you chose; generated if absent. Required for lever, "
            "teamtailor and smartrecruiters (each issues its own signing key)."
        ),
    )
    api_key: ApiKeyText | None = Field(
        default=None,
        description=(
            "lever, teamtailor and smartrecruiters only (required there): the employer's API key, "
            "used to read the candidate, job and reason back from the ATS. Stored encrypted; "
            "never returned."
        ),
    )
    api_base_url: ApiUrlText | None = Field(
        default=None,
        description=(
            "lever, teamtailor and smartrecruiters only: the ATS API the key is sent to (an "
            "absolute http(s) URL). Defaults to the provider's public API."
        ),
    )


class SecretIn(Request):
    secret: Annotated[str, StringConstraints(min_length=16, max_length=512)] = Field(
        description="The signing key the ATS issued (or rotated to)."
    )


class ConnectionOut(Body):
    id: EntityId
    provider: str
    company: str
    webhook_path: str
    created_at: datetime
    api_base_url: str | None = Field(
        default=None, description="The ATS API lookups call (lookup providers only)."
    )


class ConnectionCreated(ConnectionOut):
    secret: str = Field(description="Shown once: paste it into the ATS. Never returned again.")


class ConnectionList(Body):
    items: list[ConnectionOut]
    next_token: str | None = None


class DeadLettersOut(Body):
    queues: dict[str, int] = Field(
        description="Messages waiting in each dead-letter queue, by the queue's logical id."
    )


class RedriveOut(Body):
    redriven: int = Field(description="How many parked failures were put back through their step.")


class ErrorDetail(Body):
    loc: list[str | int] = Field(description="Where: `body`, then the field's path in it.")
    msg: str
    type: str = Field(description="The kind of error, e.g. `missing` or `string_too_long`.")


class ErrorOut(Body):
    """Every error answer of the API (and the JWT authorizer's 401)."""

    message: str = Field(description="What is wrong, for a person to read.")
    details: list[ErrorDetail] | None = Field(
        default=None, description="For a 422: each invalid field and what is wrong with it."
    )


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
