"""TransactWriteItems on the embedded DynamoDB: all or nothing, as on AWS, without copying the
tables it names (a copy per transaction made every step slower as the table grew)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from bounceback_local import dynamodb_transactions

TABLE = "journal"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(
        DynamoDBBackend, "transact_write_items", dynamodb_transactions.transact_write_items
    )

    def never_copied(self: Table, memo: Any) -> Table:
        raise AssertionError("a transaction copied a whole table")

    monkeypatch.setattr(Table, "__deepcopy__", never_copied, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for n in range(50):
            client.put_item(TableName=TABLE, Item={"pk": {"S": "other"}, "sk": {"S": f"{n:03}"}})
        client.put_item(
            TableName=TABLE,
            Item={"pk": {"S": "user"}, "sk": {"S": "profile"}, "count": {"N": "1"}},
        )
        client.put_item(TableName=TABLE, Item={"pk": {"S": "user"}, "sk": {"S": "deleted"}})
        yield client


def _key(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "user"}, "sk": {"S": sk}}


def _item(client: Any, sk: str) -> dict[str, Any] | None:
    found = client.get_item(TableName=TABLE, Key=_key(sk), ConsistentRead=True)
    return found.get("Item")  # type: ignore[no-any-return]


def _stream_events(client: Any) -> list[str]:
    """What the table's stream holds, read from moto's backend (as the local stack's stream
    reader sees it)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(TABLE)
    assert table.stream_shard is not None
    return [record.record["eventName"] for record in table.stream_shard.items]


def _increment(sk: str = "profile") -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": _key(sk),
            "UpdateExpression": "SET #count = #count + :one",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def _put(sk: str, **condition: Any) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {**_key(sk), "v": {"S": "new"}}, **condition}}


def test_a_transaction_that_passes_writes_every_item_and_its_stream_records(
    dynamodb: Any,
) -> None:
    before = len(_stream_events(dynamodb))

    dynamodb.transact_write_items(TransactItems=[_increment(), _put("rejection#1")])

    assert _item(dynamodb, "profile")["count"] == {"N": "2"}  # type: ignore[index]
    assert _item(dynamodb, "rejection#1")["v"] == {"S": "new"}  # type: ignore[index]
    assert _stream_events(dynamodb)[before:] == ["MODIFY", "INSERT"]


def test_a_failed_condition_undoes_the_writes_before_it_and_their_stream_records(
    dynamodb: Any,
) -> None:
    before = _stream_events(dynamodb)
    must_be_absent = {"ConditionExpression": "attribute_not_exists(pk)"}

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(
            TransactItems=[_increment(), _put("rejection#2"), _put("deleted", **must_be_absent)]
        )

    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert _item(dynamodb, "profile")["count"] == {"N": "1"}  # type: ignore[index]
    assert _item(dynamodb, "rejection#2") is None
    assert _stream_events(dynamodb) == before


def test_an_item_named_twice_is_refused_and_nothing_is_written(dynamodb: Any) -> None:
    with pytest.raises(dynamodb.exceptions.ClientError, match="ValidationException"):
        dynamodb.transact_write_items(
            TransactItems=[_put("rejection#3"), _increment("rejection#4"), _put("rejection#3")]
        )

    assert _item(dynamodb, "rejection#3") is None
    assert _item(dynamodb, "rejection#4") is None


def test_a_condition_that_fails_with_all_old_returns_the_item_as_it_was(dynamodb: Any) -> None:
    must_be_absent = {
        "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=[_put("profile", **must_be_absent)])

    reason = cancelled.value.response["CancellationReasons"][0]
    assert reason["Item"]["count"] == {"N": "1"}


def test_a_table_keyed_by_hash_alone_is_put_back_too(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName="claims",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="claims", Item={"id": {"S": "held"}, "state": {"S": "pending"}})
    claim = {
        "Update": {
            "TableName": "claims",
            "Key": {"id": {"S": "held"}},
            "UpdateExpression": "SET #state = :sending",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {":sending": {"S": "sending"}},
        }
    }
    fresh = {"Put": {"TableName": "claims", "Item": {"id": {"S": "fresh"}}}}
    must_be_absent = {"ConditionExpression": "attribute_not_exists(pk)"}

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[claim, fresh, _put("deleted", **must_be_absent)]
        )

    held = dynamodb.get_item(TableName="claims", Key={"id": {"S": "held"}})["Item"]
    assert held["state"] == {"S": "pending"}
    assert "Item" not in dynamodb.get_item(TableName="claims", Key={"id": {"S": "fresh"}})
