"""Every kind of item the table holds, as it is stored (docs/access-patterns.md, "Items").

Kept apart from the domain models in ``model.py``: an item carries its keys, its ``type`` and
the bookkeeping the domain does not know (a correlation id, ``email_status``, a lease), and
converts to and from its domain object here. Keys come from ``keys.py``. Nested values
(cooldown, recruiter, findings) are the domain's own frozen value types, stored as maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, PlainSerializer

from bounceback.model import (
    AreaFinding,
    Connection,
    Cooldown,
    Feedback,
    Notification,
    NotificationKind,
    Profile,
    Recruiter,
    Rejection,
)
from bounceback.store import keys
from bounceback.store.table import Item

# pending -> sending (claimed, under a lease) -> sent; or pending -> skipped (no address).
EmailStatus = Literal["pending", "sending", "sent", "skipped"]
# A time written with its offset spelled out (``+00:00``), as webhook deliveries always were.
OffsetTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]


def _fields(item: Item, model: type[BaseModel]) -> dict[str, Any]:
    """The item's values of the domain model's fields (an item carries more)."""
    return item.model_dump(include=set(model.model_fields))


class CollectionItem(Item):
    """An item that is also in a GSI1 collection (newest first)."""

    GSI1PK: str
    GSI1SK: str


# ------------------------------------------------------------------ profiles and email claims
class ProfileItem(Item):
    type: Literal["profile"] = "profile"
    user_id: str
    display_name: str
    emails: tuple[str, ...]
    verified_emails: tuple[str, ...] = ()  # absent on profiles stored before verification
    timezone: str
    email_notifications: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, profile: Profile) -> ProfileItem:
        key = keys.profile(profile.user_id)
        return cls(PK=key.pk, SK=key.sk, **profile.model_dump())

    def to_profile(self) -> Profile:
        return Profile.model_validate(_fields(self, Profile))


class EmailOwnerItem(Item):
    """The one user who proved they own an address: webhooks find the user by it.

    Before addresses were verified, every address a user named got such an item, without
    ``verified``: those are kept (harmless) but route nothing, and give way to a proof."""

    type: Literal["email"] = "email"
    user_id: str
    verified: bool = False
    verified_at: datetime | None = None

    @classmethod
    def of(cls, address: str, user_id: str, at: datetime) -> EmailOwnerItem:
        key = keys.email(address)
        return cls(PK=key.pk, SK=key.sk, user_id=user_id, verified=True, verified_at=at)


class EmailCodeItem(Item):
    """The code last sent to prove an address: only its salted hash is kept, with how many
    wrong codes were tried and when codes were sent (to bound them)."""

    type: Literal["email_code"] = "email_code"
    user_id: str
    address: str
    code_hash: str
    salt: str
    attempts: int = 0
    sent_at: datetime
    sends_since: datetime  # the start of the current day's allowance
    sends: int = 1
    expires_at: int  # epoch seconds: the table's TTL attribute, and the code's expiry

    @classmethod
    def of(cls, user_id: str, address: str, **values: object) -> EmailCodeItem:
        key = keys.email_code(user_id, address)
        return cls.model_validate(
            {"PK": key.pk, "SK": key.sk, "user_id": user_id, "address": address, **values}
        )


# ------------------------------------------------------------------ rejections and feedback
class RejectionItem(CollectionItem):
    type: Literal["rejection"] = "rejection"
    id: str
    user_id: str
    company: str
    role: str
    stage: str | None = None
    reason: str | None = None
    message: str | None = None
    rejected_at: datetime
    logged_at: datetime
    source: str
    recruiter: Recruiter | None = None
    cooldown: Cooldown
    reapply_at: datetime
    status: str = "rejected"
    correlation_id: str | None = None  # of the request that logged it: its event carries it
    deleted_at: datetime | None = None  # set while it is being deleted: it is gone for reads

    @property
    def live(self) -> bool:
        return self.deleted_at is None

    @classmethod
    def of(cls, rejection: Rejection, correlation_id: str | None = None) -> RejectionItem:
        key = keys.rejection(rejection.user_id, rejection.id)
        return cls(
            PK=key.pk,
            SK=key.sk,
            GSI1PK=keys.rejections_of(rejection.user_id),
            GSI1SK=keys.newest_first(rejection.rejected_at, rejection.id),
            correlation_id=correlation_id,
            **rejection.model_dump(),
        )

    def to_rejection(self) -> Rejection:
        return Rejection.model_validate(_fields(self, Rejection))


class FeedbackItem(CollectionItem):
    """Feedback on a rejection, with the company and role it was about (the plan reads every
    feedback of a user from its collection without reading each rejection)."""

    type: Literal["feedback"] = "feedback"
    id: str
    rejection_id: str
    user_id: str
    company: str
    role: str
    text: str
    received_at: datetime
    areas: tuple[AreaFinding, ...] | None = None  # None until analysed
    recorded_at: datetime | None = None  # when it was recorded: its event happened then
    correlation_id: str | None = None  # of the request that recorded it

    @classmethod
    def of(
        cls,
        user_id: str,
        feedback: Feedback,
        *,
        company: str,
        role: str,
        recorded_at: datetime | None = None,
        correlation_id: str | None = None,
    ) -> FeedbackItem:
        key = keys.feedback(user_id, feedback.rejection_id, feedback.id)
        return cls(
            PK=key.pk,
            SK=key.sk,
            GSI1PK=keys.feedback_of(user_id),
            GSI1SK=keys.newest_first(feedback.received_at, feedback.id),
            user_id=user_id,
            company=company,
            role=role,
            recorded_at=recorded_at,
            correlation_id=correlation_id,
            **feedback.model_dump(),
        )

    def to_feedback(self) -> Feedback:
        return Feedback.model_validate(_fields(self, Feedback))


# ------------------------------------------------------------------ notifications
class NotificationItem(CollectionItem):
    type: Literal["notification"] = "notification"
    id: str
    user_id: str
    kind: NotificationKind
    title: str
    body: str
    created_at: datetime
    rejection_id: str | None = None
    email_status: EmailStatus = "pending"  # the email goes out only once, see NotificationStore
    email_lease_until: int | None = None  # epoch seconds, while a sender holds it
    emailed_at: datetime | None = None

    @classmethod
    def of(cls, notification: Notification) -> NotificationItem:
        key = keys.notification(notification.user_id, notification.rejection_id, notification.id)
        return cls(
            PK=key.pk,
            SK=key.sk,
            GSI1PK=keys.notifications_of(notification.user_id),
            GSI1SK=keys.newest_first(notification.created_at, notification.id),
            **notification.model_dump(),
        )

    def to_notification(self) -> Notification:
        return Notification.model_validate(_fields(self, Notification))


# ------------------------------------------------------------------ connections
class ConnectionItem(CollectionItem):
    type: Literal["connection"] = "connection"
    id: str
    provider: str
    company: str
    created_at: datetime
    secret: str  # base64 of the KMS ciphertext; never the secret in clear
    api_base_url: str | None = None
    api_key: str | None = None  # base64 of the KMS ciphertext; never the key in clear

    @classmethod
    def of(
        cls, connection: Connection, sealed_secret: str, sealed_api_key: str | None = None
    ) -> ConnectionItem:
        key = keys.connection(connection.id)
        return cls(
            PK=key.pk,
            SK=key.sk,
            GSI1PK=keys.CONNECTIONS,
            GSI1SK=keys.newest_first_offset(connection.created_at, connection.id),
            secret=sealed_secret,
            api_key=sealed_api_key,
            **connection.model_dump(),
        )

    def to_connection(self) -> Connection:
        return Connection.model_validate(_fields(self, Connection))


# ------------------------------------------------------------------ webhook deliveries
class DeliveryItem(Item):
    """The claim on one webhook delivery: held for a lease while it is being logged, then
    completed for good. In its job application's collection when the provider names one."""

    type: Literal["webhook_delivery"] = "webhook_delivery"
    user_id: str
    rejection_id: str
    connection_id: str
    provider: str
    received_at: OffsetTime
    GSI1PK: str | None = None
    GSI1SK: str | None = None
    lease_until: int | None = None  # epoch seconds
    completed_at: datetime | None = None

    @classmethod
    def of(
        cls,
        *,
        user_id: str,
        rejection_id: str,
        connection_id: str,
        provider: str,
        application_key: str | None,
        received_at: datetime,
        lease_until: int,
    ) -> DeliveryItem:
        key = keys.delivery(user_id, rejection_id)
        collection: dict[str, str] = {}
        if application_key:
            collection = {
                "GSI1PK": keys.application(connection_id, application_key),
                "GSI1SK": keys.newest_first_offset(received_at, rejection_id),
            }
        return cls(
            PK=key.pk,
            SK=key.sk,
            user_id=user_id,
            rejection_id=rejection_id,
            connection_id=connection_id,
            provider=provider,
            received_at=received_at,
            lease_until=lease_until,
            **collection,
        )


# ------------------------------------------------------------------ ATS lookups
class AtsLookupItem(Item):
    """A verified delivery from a provider that sends ids only (Lever, Teamtailor,
    SmartRecruiters), waiting for its lookup. Its insert is its "ATS Lookup Needed" event (the
    stream's outbox), so storing it and queueing the lookup cannot diverge. ``needed`` is the
    adapter's ``LookupNeeded`` as JSON: ids and keys only, never personal data."""

    type: Literal["ats_lookup"] = "ats_lookup"
    id: str
    connection_id: str
    provider: str
    needed: str
    received_at: datetime
    correlation_id: str | None = None
    expires_at: int  # epoch seconds: the table's TTL attribute

    @classmethod
    def of(
        cls,
        *,
        lookup_id: str,
        connection_id: str,
        provider: str,
        needed: str,
        received_at: datetime,
        correlation_id: str,
        expires_at: int,
    ) -> AtsLookupItem:
        key = keys.ats_lookup(lookup_id)
        return cls(
            PK=key.pk,
            SK=key.sk,
            id=lookup_id,
            connection_id=connection_id,
            provider=provider,
            needed=needed,
            received_at=received_at,
            correlation_id=correlation_id,
            expires_at=expires_at,
        )


_KINDS: dict[str, type[Item]] = {
    kind.model_fields["type"].default: kind
    for kind in (
        ProfileItem,
        EmailOwnerItem,
        EmailCodeItem,
        RejectionItem,
        FeedbackItem,
        NotificationItem,
        ConnectionItem,
        DeliveryItem,
        AtsLookupItem,
    )
}


def parse(attributes: Mapping[str, Any]) -> Item | None:
    """One item of a read that returns several kinds (a user's partition), by its ``type``;
    None for an item of no known kind."""
    kind = _KINDS.get(str(attributes.get("type")))
    return None if kind is None else kind.model_validate(attributes)
