"""The table: DynamoDB items <-> domain objects, one method per access pattern.

One table, keys ``PK``/``SK`` and one overloaded index ``GSI1`` ("a collection, newest first").
docs/access-patterns.md lists every pattern; nothing here scans. Items are pydantic-free
dicts of attribute values built by the private ``_item_*`` helpers, kept apart from the domain
models in ``model.py``.

Idempotency lives here as conditional writes keyed on business keys: a rejection, a feedback,
a notification and a webhook delivery are each written with ``attribute_not_exists(PK)``, so a
retried request or a duplicated event finds the first write instead of making a second.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from bounceback.errors import ConflictError, InvalidRequestError
from bounceback.model import AreaFinding, Feedback, Notification, Profile, Rejection

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item = dict[str, Any]  # attribute values as boto3's client speaks them
MAX_PAGE = 100
TRANSACTION_LIMIT = 100


# ------------------------------------------------------------------ keys
def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def rejection_sk(rejection_id: str) -> str:
    return f"REJ#{rejection_id}"


def feedback_sk(rejection_id: str, feedback_id: str) -> str:
    return f"REJ#{rejection_id}#FB#{feedback_id}"


def notification_sk(rejection_id: str | None, notification_id: str) -> str:
    # Notifications about a rejection sit under it, so deleting the rejection deletes them.
    if rejection_id:
        return f"REJ#{rejection_id}#NOTE#{notification_id}"
    return f"NOTE#{notification_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


PROFILE_SK = "PROFILE"
REJECTIONS = "REJECTIONS"
NOTIFICATIONS = "NOTIFICATIONS"
FEEDBACK = "FEEDBACK"


def collection(user_id: str, name: str) -> str:
    return f"USER#{user_id}#{name}"


# ------------------------------------------------------------------ attribute values
def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _to_av(value: Any) -> AttributeValueTypeDef:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer().serialize(value)


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: deserializer.deserialize(value) for key, value in item.items()}


def _to_item(values: Mapping[str, Any]) -> Item:
    return {key: _to_av(value) for key, value in values.items() if value is not None}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _model_attrs(model: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True, exclude=exclude)


# ------------------------------------------------------------------ pagination
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


def encode_token(key: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_token(token: str, *, expected_partition: str) -> dict[str, Any]:
    """An opaque page token; it must name the caller's own collection (no peeking elsewhere)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidRequestError("next_token is not valid") from error
    if not isinstance(key, dict) or key.get("GSI1PK", {}).get("S") != expected_partition:
        raise InvalidRequestError("next_token is not valid")
    return key


# ------------------------------------------------------------------ recovery state
@dataclass(frozen=True)
class Written(Generic[T]):
    """The outcome of a write-once: the stored item, whether this call created it, and whether
    its event still has to be published (a retry whose first attempt failed to publish)."""

    item: T
    created: bool
    unpublished: bool


@dataclass(frozen=True)
class StoredNotification:
    notification: Notification
    email_status: Literal["pending", "sent", "skipped"]
    key: str  # its sort key, to mark it emailed


@dataclass(frozen=True)
class RejectionDetail:
    rejection: Rejection
    feedback: list[Feedback]
    notifications: list[Notification]


class Store:
    """Every read and write of the table. ``client`` and ``table_name`` come from the caller."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # ---------------------------------------------------------------- profiles
    def get_profile(self, user_id: str) -> Profile | None:
        item = self._get(user_pk(user_id), PROFILE_SK)
        return None if item is None else Profile.model_validate(_strip(item))

    def put_profile(self, profile: Profile, previous: Profile | None) -> None:
        """Store the profile and claim its emails (each address belongs to one user only)."""
        old = set(previous.emails) if previous else set()
        new = set(profile.emails)
        writes: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _to_item(
                        {"PK": user_pk(profile.user_id), "SK": PROFILE_SK, "type": "profile"}
                        | _model_attrs(profile)
                    ),
                }
            }
        ]
        for email in sorted(new - old):
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _to_item(
                            {
                                "PK": email_pk(email),
                                "SK": "EMAIL",
                                "type": "email",
                                "user_id": profile.user_id,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(PK) OR user_id = :me",
                        "ExpressionAttributeValues": {":me": _s(profile.user_id)},
                    }
                }
            )
        for email in sorted(old - new):
            writes.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {"PK": _s(email_pk(email)), "SK": _s("EMAIL")},
                        "ConditionExpression": "user_id = :me",
                        "ExpressionAttributeValues": {":me": _s(profile.user_id)},
                    }
                }
            )
        try:
            self._db.transact_write_items(TransactItems=writes)
        except self._db.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                raise ConflictError("one of these emails belongs to another account") from error
            raise

    def find_user_by_email(self, email: str) -> str | None:
        item = self._get(email_pk(email), "EMAIL")
        return None if item is None else str(item["user_id"])

    def delete_user(self, user_id: str) -> list[str]:
        """Delete every item of the user; returns the ids of the rejections that were deleted
        (the caller cancels their timers)."""
        profile = self.get_profile(user_id)
        keys: list[tuple[str, str]] = []
        rejection_ids: list[str] = []
        for item in self._query_partition(user_pk(user_id)):
            keys.append((item["PK"], item["SK"]))
            if item.get("type") == "rejection":
                rejection_ids.append(str(item["id"]))
        if profile:
            keys.extend((email_pk(e), "EMAIL") for e in profile.emails)
        self._delete_keys(keys)
        return rejection_ids

    # ---------------------------------------------------------------- rejections
    def add_rejection(self, rejection: Rejection) -> Written[Rejection]:
        """Write the rejection once; a retry with the same id gets the first write back."""
        item = _rejection_item(rejection)
        if self._put_new(item):
            return Written(rejection, created=True, unpublished=True)
        existing = self._get(user_pk(rejection.user_id), rejection_sk(rejection.id))
        if existing is None:  # deleted between the two calls
            raise ConflictError("the rejection was deleted while it was being logged")
        return Written(_rejection(existing), False, "published_at" not in existing)

    def mark_published(self, pk: str, sk: str, at: datetime) -> None:
        """Record that an item's event is on the bus, so a retry does not publish it again."""
        self._db.update_item(
            TableName=self._table,
            Key={"PK": _s(pk), "SK": _s(sk)},
            UpdateExpression="SET published_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":at": _s(_iso(at))},
        )

    def get_rejection(self, user_id: str, rejection_id: str) -> Rejection | None:
        item = self._get(user_pk(user_id), rejection_sk(rejection_id))
        return None if item is None else _rejection(item)

    def get_rejection_detail(self, user_id: str, rejection_id: str) -> RejectionDetail | None:
        """The rejection with its feedback and notifications: one Query on its key prefix."""
        items = self._query_partition(user_pk(user_id), sk_prefix=rejection_sk(rejection_id))
        return _details(items).get(rejection_id)

    def rejection_details(self, user_id: str) -> list[RejectionDetail]:
        """Every rejection of the user with its feedback and notifications, newest first:
        one Query over the user's rejections' key prefix (for the export)."""
        details = _details(self._query_partition(user_pk(user_id), sk_prefix="REJ#"))
        return sorted(
            details.values(),
            key=lambda d: (d.rejection.rejected_at, d.rejection.id),
            reverse=True,
        )

    def list_rejections(
        self, user_id: str, *, limit: int, next_token: str | None
    ) -> Page[Rejection]:
        items, token = self._query_collection(collection(user_id, REJECTIONS), limit, next_token)
        return Page([_rejection(i) for i in items], token)

    def iter_rejections(self, user_id: str) -> Iterator[Rejection]:
        token: str | None = None
        while True:
            page = self.list_rejections(user_id, limit=MAX_PAGE, next_token=token)
            yield from page.items
            if page.next_token is None:
                return
            token = page.next_token

    def update_rejection(self, rejection: Rejection) -> None:
        """Write a rejection's new state over one that exists (the PATCH path, withdrawals).

        An update, not a put: bookkeeping the domain does not carry (``published_at``) stays,
        and fields that became empty are removed."""
        item = _rejection_item(rejection)
        keys = {"PK", "SK"}
        present = {k: v for k, v in item.items() if k not in keys}
        absent = sorted(set(Rejection.model_fields) - set(present))
        names = {f"#a{i}": name for i, name in enumerate([*present, *absent])}
        by_name = {name: alias for alias, name in names.items()}
        expression = "SET " + ", ".join(f"{by_name[k]} = :v{i}" for i, k in enumerate(present))
        if absent:
            expression += " REMOVE " + ", ".join(by_name[k] for k in absent)
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"PK": _s(item["PK"]), "SK": _s(item["SK"])},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    f":v{i}": _to_av(value) for i, value in enumerate(present.values())
                },
            )
        except self._db.exceptions.ConditionalCheckFailedException as error:
            raise ConflictError("the rejection no longer exists") from error

    def delete_rejection(self, user_id: str, rejection_id: str) -> bool:
        keys = [
            (item["PK"], item["SK"])
            for item in self._query_partition(
                user_pk(user_id), sk_prefix=rejection_sk(rejection_id)
            )
            if item["SK"] == rejection_sk(rejection_id)
            or item["SK"].startswith(rejection_sk(rejection_id) + "#")
        ]
        self._delete_keys(keys)
        return bool(keys)

    # ---------------------------------------------------------------- feedback
    def add_feedback(
        self, user_id: str, feedback: Feedback, *, company: str, role: str
    ) -> Written[Feedback]:
        """Write the feedback once, like ``add_rejection``."""
        item = {
            "PK": user_pk(user_id),
            "SK": feedback_sk(feedback.rejection_id, feedback.id),
            "type": "feedback",
            "user_id": user_id,
            "company": company,
            "role": role,
            "GSI1PK": collection(user_id, FEEDBACK),
            "GSI1SK": f"{_iso(feedback.received_at)}#{feedback.id}",
        } | _model_attrs(feedback)
        if self._put_new(item):
            return Written(feedback, created=True, unpublished=True)
        existing = self._get(user_pk(user_id), feedback_sk(feedback.rejection_id, feedback.id))
        if existing is None:
            raise ConflictError("the feedback was deleted while it was being recorded")
        return Written(_feedback(existing), False, "published_at" not in existing)

    def get_feedback(self, user_id: str, rejection_id: str, feedback_id: str) -> Feedback | None:
        item = self._get(user_pk(user_id), feedback_sk(rejection_id, feedback_id))
        return None if item is None else _feedback(item)

    def set_feedback_areas(
        self, user_id: str, rejection_id: str, feedback_id: str, areas: Sequence[AreaFinding]
    ) -> None:
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"PK": _s(user_pk(user_id)), "SK": _s(feedback_sk(rejection_id, feedback_id))},
                UpdateExpression="SET areas = :areas",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={
                    ":areas": _to_av([a.model_dump(mode="json") for a in areas])
                },
            )
        except self._db.exceptions.ConditionalCheckFailedException as error:
            raise ConflictError("the feedback no longer exists") from error

    def iter_user_feedback(self, user_id: str) -> Iterator[tuple[Feedback, str, str]]:
        """All of a user's feedback, newest first, with the company and role it was about."""
        token: str | None = None
        while True:
            items, token = self._query_collection(collection(user_id, FEEDBACK), MAX_PAGE, token)
            for item in items:
                yield _feedback(item), str(item.get("company", "")), str(item.get("role", ""))
            if token is None:
                return

    # ---------------------------------------------------------------- notifications
    def add_notification(self, notification: Notification) -> tuple[StoredNotification, bool]:
        """Store a notification once (its id is its business key); returns the stored one."""
        key = notification_sk(notification.rejection_id, notification.id)
        item = {
            "PK": user_pk(notification.user_id),
            "SK": key,
            "type": "notification",
            "email_status": "pending",
            "GSI1PK": collection(notification.user_id, NOTIFICATIONS),
            "GSI1SK": f"{_iso(notification.created_at)}#{notification.id}",
        } | _model_attrs(notification)
        if self._put_new(item):
            return StoredNotification(notification, "pending", key), True
        existing = self._get(user_pk(notification.user_id), key)
        if existing is None:
            raise ConflictError("the notification was deleted while it was being stored")
        return StoredNotification(_notification(existing), existing["email_status"], key), False

    def set_email_status(
        self, user_id: str, key: str, status: Literal["sent", "skipped"], at: datetime
    ) -> None:
        self._db.update_item(
            TableName=self._table,
            Key={"PK": _s(user_pk(user_id)), "SK": _s(key)},
            UpdateExpression="SET email_status = :s, emailed_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":s": _s(status), ":at": _s(_iso(at))},
        )

    def list_notifications(
        self, user_id: str, *, limit: int, next_token: str | None
    ) -> Page[Notification]:
        items, token = self._query_collection(collection(user_id, NOTIFICATIONS), limit, next_token)
        return Page([_notification(i) for i in items], token)

    # ---------------------------------------------------------------- generic items
    def put_new_item(self, values: Mapping[str, Any]) -> bool:
        """Write an item unless its key exists (de-duplication markers, connections)."""
        return self._put_new(dict(values))

    def get_item(self, pk: str, sk: str) -> dict[str, Any] | None:
        return self._get(pk, sk)

    def delete_item(self, pk: str, sk: str) -> bool:
        response = self._db.delete_item(
            TableName=self._table,
            Key={"PK": _s(pk), "SK": _s(sk)},
            ReturnValues="ALL_OLD",
        )
        return bool(response.get("Attributes"))

    def query_collection(
        self, partition: str, *, limit: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        return self._query_collection(partition, limit, next_token)

    # ---------------------------------------------------------------- leases
    def claim_item(self, values: Mapping[str, Any], *, now: datetime, lease: timedelta) -> bool:
        """Hold an item's key for ``lease`` while the caller does work that must happen once
        (a webhook delivery). True when this call holds it: the key was free, or an earlier
        holder's lease ran out (it crashed or timed out) before it called ``complete_item``."""
        item = dict(values) | {"lease_until": int((now + lease).timestamp())}
        try:
            self._db.put_item(
                TableName=self._table,
                Item=_to_item(item),
                ConditionExpression="attribute_not_exists(PK) OR "
                "(attribute_not_exists(completed_at) AND lease_until < :now)",
                ExpressionAttributeValues={":now": {"N": str(int(now.timestamp()))}},
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def complete_item(self, pk: str, sk: str, at: datetime) -> None:
        """The work a claim guarded is done: the key is never claimed again."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"PK": _s(pk), "SK": _s(sk)},
                UpdateExpression="SET completed_at = :at REMOVE lease_until",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":at": _s(_iso(at))},
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return  # deleted meanwhile (the user deleted their account): nothing to complete

    def release_item(self, pk: str, sk: str) -> None:
        """Give a claim back early (the work failed), so a retry need not wait for the lease."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"PK": _s(pk), "SK": _s(sk)},
                UpdateExpression="SET lease_until = :free",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(completed_at)",
                ExpressionAttributeValues={":free": {"N": "0"}},
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return

    # ---------------------------------------------------------------- private
    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        response = self._db.get_item(
            TableName=self._table, Key={"PK": _s(pk), "SK": _s(sk)}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else _from_item(item)

    def _put_new(self, values: dict[str, Any]) -> bool:
        try:
            self._db.put_item(
                TableName=self._table,
                Item=_to_item(values),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _query_partition(
        self, pk: str, *, sk_prefix: str | None = None
    ) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(pk)},
            "ConsistentRead": True,
        }
        if sk_prefix is not None:
            kwargs["KeyConditionExpression"] = "PK = :pk AND begins_with(SK, :prefix)"
            kwargs["ExpressionAttributeValues"][":prefix"] = _s(sk_prefix)
        while True:
            response = self._db.query(**kwargs)
            for item in response.get("Items", []):
                yield _from_item(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def _query_collection(
        self, partition: str, limit: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(partition)},
            "ScanIndexForward": False,
            "Limit": max(1, min(limit, MAX_PAGE)),
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = decode_token(next_token, expected_partition=partition)
        response = self._db.query(**kwargs)
        items = [_from_item(i) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return items, (encode_token(last) if last else None)

    def _delete_keys(self, keys: Sequence[tuple[str, str]]) -> None:
        for start in range(0, len(keys), 25):
            requests: Any = [
                {"DeleteRequest": {"Key": {"PK": _s(pk), "SK": _s(sk)}}}
                for pk, sk in keys[start : start + 25]
            ]
            pending: Any = {self._table: requests}
            while pending:
                response = self._db.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}


# ------------------------------------------------------------------ domain -> items -> domain
def _rejection_item(rejection: Rejection) -> dict[str, Any]:
    return {
        "PK": user_pk(rejection.user_id),
        "SK": rejection_sk(rejection.id),
        "type": "rejection",
        "GSI1PK": collection(rejection.user_id, REJECTIONS),
        "GSI1SK": f"{_iso(rejection.rejected_at)}#{rejection.id}",
    } | _model_attrs(rejection)


def _details(items: Iterable[Mapping[str, Any]]) -> dict[str, RejectionDetail]:
    """Rejections with their feedback and notifications, from the items under their keys."""
    rejections: dict[str, Rejection] = {}
    feedback: dict[str, list[Feedback]] = {}
    notifications: dict[str, list[Notification]] = {}
    for item in items:
        kind = item.get("type")
        if kind == "rejection":
            rejections[str(item["id"])] = _rejection(item)
        elif kind == "feedback":
            feedback.setdefault(str(item["rejection_id"]), []).append(_feedback(item))
        elif kind == "notification" and item.get("rejection_id"):
            notifications.setdefault(str(item["rejection_id"]), []).append(_notification(item))
    return {
        rejection_id: RejectionDetail(
            rejection,
            sorted(feedback.get(rejection_id, []), key=lambda f: f.received_at),
            sorted(notifications.get(rejection_id, []), key=lambda n: n.created_at),
        )
        for rejection_id, rejection in rejections.items()
    }


def _rejection(item: Mapping[str, Any]) -> Rejection:
    return Rejection.model_validate(_strip(item))


def _feedback(item: Mapping[str, Any]) -> Feedback:
    return Feedback.model_validate(_strip(item, extra={"user_id", "company", "role"}))


def _notification(item: Mapping[str, Any]) -> Notification:
    return Notification.model_validate(_strip(item, extra={"email_status", "emailed_at"}))


_KEY_ATTRS = {"PK", "SK", "GSI1PK", "GSI1SK", "type", "expires_at", "published_at"}


def _strip(item: Mapping[str, Any], *, extra: set[str] | None = None) -> dict[str, Any]:
    drop = _KEY_ATTRS | (extra or set())
    return {k: v for k, v in item.items() if k not in drop}
