"""TransactWriteItems on the embedded DynamoDB at the cost of the items it touches.

moto makes a transaction all-or-nothing by deep-copying every table it names before the first
write and putting the copies back if any part fails. Every step of the workflow writes in a
transaction, so each one copied the whole table: the cost grew with the data, and a local run
of a few hundred journeys spent most of its time copying (a profile of the throughput bench
showed 46 % of the busy time in ``copy.deepcopy``), holding the DynamoDB lock while it did.

Here the transaction keeps a journal instead: before an item is first touched its current
version is copied (one item, not the table), with the length of its table's stream; a failed
transaction puts those items back and forgets the stream records it wrote. The checks, the
order of the writes and the errors are moto's own, so handlers meet the answers AWS gives.
It runs under the embedded DynamoDB's lock, like every other data operation, so no other call
sees the writes of a transaction that is then undone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_WRITES = {"ConditionCheck", "Put", "Delete", "Update"}
_MAX_ITEMS = 100


@dataclass
class _Journal:
    """What a transaction must put back if it fails: each touched item as it was, and where
    each touched table's stream ended."""

    items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = field(
        default_factory=list
    )
    stream_ends: dict[str, tuple[Table, int]] = field(default_factory=dict)

    def remember(self, table: Table, key: dict[str, Any]) -> None:
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = (
            DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
        )
        before = table.get_item(hash_value, range_value)
        # Updates change an item in place, so the journal holds a copy.
        self.items.append((table, hash_value, range_value, copy.deepcopy(before)))
        if table.name not in self.stream_ends and table.stream_shard is not None:
            self.stream_ends[table.name] = (table, len(table.stream_shard.items))

    def roll_back(self) -> None:
        # Newest first, so an item touched twice ends as it was before the first touch.
        for table, hash_value, range_value, before in reversed(self.items):
            if table.range_key_attr is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before  # type: ignore[assignment] # as moto does
            elif before is None:
                table.items.get(hash_value, {}).pop(range_value, None)
            else:
                table.items[hash_value][range_value] = before
        for table, length in self.stream_ends.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]  # type: ignore[no-any-return]
    attributes = op["Item"]
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


def _holds(condition: str, names: Any, values: Any, current: Item | None) -> bool:
    return bool(get_filter_expression(condition, names, values).expr(current))


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's ``DynamoDBBackend.transact_write_items``, with a journal for its rollback."""
    if len(transact_items) > _MAX_ITEMS:
        raise TooManyTransactionsException()
    journal = _Journal()
    targets: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for transact_item in transact_items:
        if len(transact_item) > 1:
            raise TransactWriteSingleOpException
        original_item: dict[str, Any] | None = None
        try:
            op_type, op = next(iter(transact_item.items()))
            if op_type not in _WRITES:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            condition = op.get("ConditionExpression")
            table = self.get_table(table_name)
            key = _key_of(table, op_type, op)
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            journal.remember(table, key)

            current = self.get_item(table_name, key)
            if condition is not None and not _holds(condition, names, values, current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=original_item)
            expressions = {
                "condition_expression": condition,
                "expression_attribute_names": names,
                "expression_attribute_values": values,
            }
            if op_type == "Put":
                self.put_item(table_name, op["Item"], **expressions)
            elif op_type == "Delete":
                self.delete_item(table_name, key, **expressions)
            elif op_type == "Update":
                self.update_item(
                    table_name, key, update_expression=op["UpdateExpression"], **expressions
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            journal.roll_back()
            raise
        except ConditionalCheckFailed as failed:
            errors.append(("ConditionalCheckFailed", str(failed.message), original_item))
        except Exception as error:  # moto reports any failure per item
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        journal.roll_back()
        raise TransactionCanceledException(errors)


def install() -> None:
    """Swap moto's implementation for this one (before the DynamoDB lock wraps it)."""
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
