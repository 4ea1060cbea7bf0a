"""The table core: the only code that calls the DynamoDB client.

A handful of operations the aggregate stores compose (read one item, write one only if new,
update under a condition, read a partition or a collection, delete many, write several at
once), with attribute values converted to and from plain Python here and nowhere else. Items
go in and out as ``Item`` models (``items.py``); nothing here scans.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict

from bounceback.errors import ConflictError, InvalidRequestError
from bounceback.store.keys import Key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

MAX_PAGE = 100  # the largest page a collection query returns
BATCH_WRITE_LIMIT = 25  # BatchWriteItem's own limit

NEW = "attribute_not_exists(PK)"
EXISTS = "attribute_exists(PK)"

T = TypeVar("T")


class Item(BaseModel):
    """One item as the table stores it: field names are attribute names. Attributes the model
    does not name (older or newer bookkeeping) are ignored on reading."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    PK: str
    SK: str

    @property
    def key(self) -> Key:
        return Key(self.PK, self.SK)

    def attributes(self) -> dict[str, Any]:
        """The attributes to write; an absent (None) value is not written at all."""
        return self.model_dump(mode="json", exclude_none=True)


ItemT = TypeVar("ItemT", bound=Item)


class ConditionFailed(Exception):  # noqa: N818 (a condition is not an error of the caller)
    """A conditional write found the item in another state than its condition asked for.

    For a transaction, ``failed`` holds the positions of the writes whose condition failed."""

    def __init__(self, condition: str, failed: tuple[int, ...] = ()) -> None:
        super().__init__(condition)
        self.failed = failed


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


@dataclass(frozen=True)
class Put:
    """One put of a transaction, under a condition on the item it replaces."""

    item: Item
    condition: str | None = None
    values: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Delete:
    """One delete of a transaction, under a condition on the item it removes."""

    key: Key
    condition: str | None = None
    values: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Update:
    """One update of a transaction: attributes set and removed, under a condition (by default:
    the item exists)."""

    key: Key
    set_values: Mapping[str, Any] | None = None
    remove: Sequence[str] = ()
    condition: str = "attribute_exists(PK)"
    values: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Check:
    """A condition on another item that the transaction needs to hold (nothing is written)."""

    key: Key
    condition: str
    values: Mapping[str, Any] | None = None


Write = Put | Delete | Update | Check


# ------------------------------------------------------------------ attribute values
def _to_av(value: Any) -> AttributeValueTypeDef:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer().serialize(value)


def _to_avs(values: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    return {name: _to_av(value) for name, value in values.items() if value is not None}


def from_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as DynamoDB writes it (``{"S": ...}`` and the like) as plain Python."""
    return _from_avs(item)


def _from_avs(item: Mapping[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def _key_avs(key: Key) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": key.pk}, "SK": {"S": key.sk}}


# ------------------------------------------------------------------ page tokens
def encode_token(key: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


_PAGE_KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})


def decode_token(token: str, *, expected_partition: str) -> dict[str, Any]:
    """An opaque page token: the last key of a page, which must be exactly a key of the
    collection it came from (the caller's own: no peeking elsewhere). Anything else, however
    it was made, is a 400."""
    invalid = InvalidRequestError("next_token is not valid")
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError, RecursionError) as error:
        raise invalid from error
    if (
        not isinstance(key, dict)
        or set(key) != _PAGE_KEY_ATTRIBUTES
        or not all(
            isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)
            for value in key.values()
        )
        or key["GSI1PK"]["S"] != expected_partition
    ):
        raise invalid
    return key


class Table:
    """One DynamoDB table. ``client`` and ``name`` come from the caller (``services``)."""

    def __init__(self, client: DynamoDBClient, name: str) -> None:
        self._db = client
        self._name = name

    def get(self, key: Key, kind: type[ItemT]) -> ItemT | None:
        """The item under ``key`` (a strongly consistent read), or None."""
        response = self._db.get_item(TableName=self._name, Key=_key_avs(key), ConsistentRead=True)
        item = response.get("Item")
        return None if item is None else kind.model_validate(_from_avs(item))

    def put(
        self, item: Item, *, condition: str | None = None, values: Mapping[str, Any] | None = None
    ) -> bool:
        """Write the item if ``condition`` holds on what is stored under its key (without a
        condition: whatever is there). False: it did not hold, and nothing was written."""
        extra: dict[str, Any] = {}
        if condition:
            extra["ConditionExpression"] = condition
        if values:
            extra["ExpressionAttributeValues"] = _to_avs(values)
        try:
            self._db.put_item(
                TableName=self._name,
                Item=_to_avs(item.attributes()),
                **extra,
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def put_new(self, item: Item) -> bool:
        """Write the item unless its key is taken (the write-once of every business key)."""
        return self.put(item, condition=NEW)

    def update(
        self,
        key: Key,
        *,
        set_values: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
        condition: str = EXISTS,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        """Set and remove attributes of the item under ``condition`` (by default: it exists).

        Raises ``ConditionFailed`` when the condition does not hold. Attribute names are
        aliased (any name may be reserved in DynamoDB); ``values`` are the condition's own
        placeholders and must not be spelled ``:v<n>``."""
        request = _update_request(Update(key, set_values, remove, condition, values))
        try:
            self._db.update_item(TableName=self._name, **request)
        except self._db.exceptions.ConditionalCheckFailedException as error:
            raise ConditionFailed(condition) from error

    def delete(self, key: Key) -> bool:
        """Delete the item; True when there was one."""
        response = self._db.delete_item(
            TableName=self._name, Key=_key_avs(key), ReturnValues="ALL_OLD"
        )
        return bool(response.get("Attributes"))

    def delete_many(self, keys: Sequence[Key]) -> None:
        """Delete the items, in batches, until DynamoDB has processed every one: what it hands
        back unprocessed (throttling) is sent again after a jittered backoff, a bounded number
        of times; then the call fails (and is retried as a whole by its caller)."""
        for start in range(0, len(keys), BATCH_WRITE_LIMIT):
            requests: Any = [
                {"DeleteRequest": {"Key": _key_avs(key)}}
                for key in keys[start : start + BATCH_WRITE_LIMIT]
            ]
            pending: Any = {self._name: requests}
            for attempt in range(1, UNPROCESSED_ATTEMPTS + 1):
                response = self._db.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
                # Throttled: DynamoDB hands back what it did not do; wait before resending.
                _sleep_with_jitter(attempt)
            else:
                left = len(pending.get(self._name, []))
                raise RuntimeError(f"{left} deletes still unprocessed after throttling")

    def query_partition(self, pk: str, *, sk_prefix: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a partition (or of its sort keys starting with ``sk_prefix``), in sort
        key order, strongly consistent, page after page."""
        kwargs: dict[str, Any] = {
            "TableName": self._name,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ConsistentRead": True,
        }
        if sk_prefix is not None:
            kwargs["KeyConditionExpression"] = "PK = :pk AND begins_with(SK, :prefix)"
            kwargs["ExpressionAttributeValues"][":prefix"] = {"S": sk_prefix}
        while True:
            response = self._db.query(**kwargs)
            for item in response.get("Items", []):
                yield _from_avs(item)
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def query_collection(
        self, collection: str, kind: type[ItemT], *, limit: int, next_token: str | None
    ) -> Page[ItemT]:
        """One page of a GSI1 collection, newest first. The page token only opens the
        collection it came from."""
        kwargs: dict[str, Any] = {
            "TableName": self._name,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": collection}},
            "ScanIndexForward": False,
            "Limit": max(1, min(limit, MAX_PAGE)),
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = decode_token(next_token, expected_partition=collection)
        try:
            response = self._db.query(**kwargs)
        except self._db.exceptions.ClientError as error:
            # A well-formed token whose key DynamoDB still refuses as a starting point.
            if next_token and error.response.get("Error", {}).get("Code") == "ValidationException":
                raise InvalidRequestError("next_token is not valid") from error
            raise
        items = [kind.model_validate(_from_avs(i)) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return Page(items, encode_token(last) if last else None)

    def iter_collection(self, collection: str, kind: type[ItemT]) -> Iterator[ItemT]:
        """Every item of a GSI1 collection, newest first, a full page at a time."""
        token: str | None = None
        while True:
            page = self.query_collection(collection, kind, limit=MAX_PAGE, next_token=token)
            yield from page.items
            if page.next_token is None:
                return
            token = page.next_token

    def scan_collection_keys(self) -> Iterator[dict[str, Any]]:
        """``PK``, ``SK``, ``GSI1PK`` and ``GSI1SK`` of every item in a collection: a Scan, for
        maintenance only (``rekey``), never on a request's or an event's path."""
        kwargs: dict[str, Any] = {
            "TableName": self._name,
            "FilterExpression": "attribute_exists(GSI1SK)",
            "ProjectionExpression": "PK, SK, GSI1PK, GSI1SK",
        }
        while True:
            response = self._db.scan(**kwargs)
            for item in response.get("Items", []):
                yield _from_avs(item)
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def transact(self, writes: Sequence[Write]) -> None:
        """Write all or nothing. Raises ``ConditionFailed`` (with the positions of the writes
        whose condition failed) when a condition did not hold.

        DynamoDB cancels a transaction that meets another one on the same item
        (``TransactionConflict``); it is tried again a few times with jittered backoff, as
        AWS advises, and then answered as a conflict the caller may retry (409)."""
        requests = [_transact_request(self._name, write) for write in writes]
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                self._db.transact_write_items(TransactItems=requests)
                return
            except self._db.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons", [])
                codes = [reason.get("Code", "None") for reason in reasons]
                failed = tuple(
                    i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"
                )
                if failed:
                    raise ConditionFailed("a condition of the transaction", failed) from error
                if "TransactionConflict" not in codes:
                    raise
                if attempt == TRANSACTION_ATTEMPTS:
                    raise ConflictError(
                        "the request met another change to the same data; try again"
                    ) from error
                _sleep_with_jitter(attempt)


TRANSACTION_ATTEMPTS = 4
UNPROCESSED_ATTEMPTS = 8  # BatchWriteItem rounds before the leftovers are an error
_BACKOFF_BASE_SECONDS = 0.05
_BACKOFF_CAP_SECONDS = 2.0


def _sleep_with_jitter(attempt: int) -> None:
    """Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter")."""
    ceiling = min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2**attempt)
    time.sleep(random.uniform(0, ceiling))  # noqa: S311 - jitter, not a secret


def _update_request(update: Update) -> dict[str, Any]:
    """The parameters of an UpdateItem (or of a transaction's Update) for ``update``.
    Attribute names are aliased (any name may be reserved in DynamoDB)."""
    set_values = dict(update.set_values or {})
    names = {f"#a{i}": name for i, name in enumerate([*set_values, *update.remove])}
    alias = {name: placeholder for placeholder, name in names.items()}
    parts = []
    if set_values:
        parts.append("SET " + ", ".join(f"{alias[n]} = :v{i}" for i, n in enumerate(set_values)))
    if update.remove:
        parts.append("REMOVE " + ", ".join(alias[n] for n in update.remove))
    placeholders = {f":v{i}": value for i, value in enumerate(set_values.values())}
    placeholders |= dict(update.values or {})
    request: dict[str, Any] = {
        "Key": _key_avs(update.key),
        "UpdateExpression": " ".join(parts),
        "ConditionExpression": update.condition,
    }
    if names:
        request["ExpressionAttributeNames"] = names
    if placeholders:
        request["ExpressionAttributeValues"] = _to_avs(placeholders)
    return request


def _transact_request(table: str, write: Write) -> TransactWriteItemTypeDef:
    if isinstance(write, Update):
        return cast(
            "TransactWriteItemTypeDef", {"Update": {"TableName": table, **_update_request(write)}}
        )
    request: dict[str, Any] = {"TableName": table}
    if isinstance(write, Put):
        request["Item"] = _to_avs(write.item.attributes())
    else:
        request["Key"] = _key_avs(write.key)
    if write.condition:
        request["ConditionExpression"] = write.condition
    if write.values:
        request["ExpressionAttributeValues"] = _to_avs(write.values)
    operation = {Put: "Put", Delete: "Delete", Check: "ConditionCheck"}[type(write)]
    return cast("TransactWriteItemTypeDef", {operation: request})
