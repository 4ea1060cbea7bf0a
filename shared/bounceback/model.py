"""The domain: what Bounceback knows about a job seeker's rejections.

Plain pydantic models with no AWS and no event or HTTP shapes. Storage items live in
``store/items.py``, event contracts in ``events.py``, API bodies in ``http/schemas.py``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# Identifiers are opaque, URL-safe strings; user ids are the token's `sub` (Cognito uses UUIDs,
# other OIDC providers use other shapes), so they are constrained loosely but never empty.
EntityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
UserId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^#\s]+$")]


def _normalise_email(value: str) -> str:
    # Addresses are matched case-insensitively (webhooks find users by email), so they are
    # stored lower-cased. A light syntactic check: deliverability is not ours to judge.
    return value.strip().lower()


# The characters str.strip() removes, spelled out for a pattern: what "\s" means differs
# between regex engines (pydantic's, Python's, and the ECMA-262 one JSON Schema names), and a
# pattern is also a promise in the OpenAPI document.
WHITE_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ADDRESS_PART = rf"[^@{WHITE_SPACE}\x00-\x1f\x7f]+"

Email = Annotated[
    str,
    StringConstraints(
        max_length=254,
        pattern=rf"^[{WHITE_SPACE}]*{_ADDRESS_PART}@{_ADDRESS_PART}\.{_ADDRESS_PART}[{WHITE_SPACE}]*$",
    ),
    AfterValidator(_normalise_email),
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Area(StrEnum):
    """The fixed vocabulary of improvement areas (BRIEF: "Improvement areas")."""

    TECHNICAL_SKILLS = "technical_skills"
    EXPERIENCE = "experience"
    COMMUNICATION = "communication"
    CONFIDENCE = "confidence"
    RESUME = "resume"
    STORYTELLING = "storytelling"
    PREPARATION = "preparation"
    CULTURE_FIT = "culture_fit"
    LOGISTICS = "logistics"
    OUTSIDE_CONTROL = "outside_control"


class AreaFinding(Frozen):
    """One improvement area found in a text, with the sentence that shows it."""

    area: Area
    evidence: str
    skills: tuple[str, ...] = ()


class CooldownBasis(StrEnum):
    USER_OVERRIDE = "user_override"
    MESSAGE_HINT = "message_hint"
    COMPANY_POLICY = "company_policy"
    DEFAULT = "default"


class Cooldown(Frozen):
    days: int = Field(ge=0, le=3650)
    basis: CooldownBasis
    source: str | None = None


class Recruiter(Frozen):
    name: str | None = Field(default=None, max_length=200)
    email: Email | None = None


class NotificationKind(StrEnum):
    ENCOURAGEMENT = "encouragement"
    FEEDBACK_REQUEST = "feedback_request"
    FEEDBACK_FOLLOWUP = "feedback_followup"
    PLAN_READY = "plan_ready"
    REAPPLY_OPEN = "reapply_open"


class Feedback(Frozen):
    id: EntityId
    rejection_id: EntityId
    text: str
    received_at: datetime
    areas: tuple[AreaFinding, ...] | None = None  # None until analysed


class Rejection(Frozen):
    id: EntityId
    user_id: UserId
    company: str
    role: str
    stage: str | None = None
    reason: str | None = None
    message: str | None = None
    rejected_at: datetime
    logged_at: datetime
    source: str  # "app" or the provider's name
    recruiter: Recruiter | None = None
    cooldown: Cooldown
    reapply_at: datetime
    status: str = "rejected"  # "withdrawn" when an ATS takes the rejection back


class Notification(Frozen):
    id: EntityId
    user_id: UserId
    kind: NotificationKind
    title: str
    body: str
    created_at: datetime
    rejection_id: EntityId | None = None


class Profile(Frozen):
    """A user's profile. ``emails`` are the addresses they named; ``verified_emails`` those
    they proved they own (the token's verified email, or a code sent to the address). Only a
    verified address routes a job board's rejection to them or receives their mail."""

    user_id: UserId
    display_name: str
    emails: tuple[Email, ...]
    verified_emails: tuple[Email, ...] = ()
    timezone: str = "UTC"
    email_notifications: bool = True
    created_at: datetime
    updated_at: datetime

    @property
    def mail_to(self) -> str | None:
        """Where the user's mail goes: their first verified address, if any."""
        return next((e for e in self.emails if e in self.verified_emails), None)


class Connection(Frozen):
    """One employer integration of a job board: its own webhook URL and (stored apart,
    encrypted) its own secret. A provider whose webhooks carry ids only (Lever, Teamtailor,
    SmartRecruiters) also has an API key (stored apart, encrypted, never shown) and the base URL
    of the ATS API it is sent to."""

    id: str
    provider: str
    company: str
    created_at: datetime
    api_base_url: str | None = None  # only for providers whose deliveries need a lookup

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.provider}/{self.id}"
