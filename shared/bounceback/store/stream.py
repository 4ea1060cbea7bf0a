"""The table's stream: what a committed write was, read back as the item it wrote.

DynamoDB Streams hands every change of the table to ``functions/publish_events`` (its filter
keeps new rejections, feedback and ATS lookups only); this turns a record's new image into the
item model that wrote it, so the stream and the table speak the same types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bounceback.store.items import AtsLookupItem, FeedbackItem, RejectionItem, parse
from bounceback.store.table import from_attribute_values

CommittedItem = RejectionItem | FeedbackItem | AtsLookupItem


def committed_item(record: Mapping[str, Any]) -> CommittedItem | None:
    """The rejection, feedback or ATS lookup a stream record inserted; None for any other."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage")
    if not image:
        return None
    item = parse(from_attribute_values(image))
    return item if isinstance(item, RejectionItem | FeedbackItem | AtsLookupItem) else None


def sequence_number(record: Mapping[str, Any]) -> str:
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
