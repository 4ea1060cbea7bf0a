"""Rewrites the ``GSI1SK`` of rejections, feedback and notifications written before their time
was spelled in UTC to the microsecond (``keys.newest_first``), so old and new items sort
together by instant.

Run once per stage after deploying that change, with the table's name and AWS credentials:
``TABLE_NAME=bounceback-<stage> python -m bounceback.store.rekey``. It is safe to run again
(it rewrites nothing twice) and beside live traffic: each rewrite is conditional on the key
it read, so an item written meanwhile keeps what it was written with. Paging tokens handed out
before stay valid: they are positions in the index, not items. Until it has run, an old item
whose time came with an offset other than UTC sorts by that time's text, as it always did.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from bounceback import aws
from bounceback.store import keys
from bounceback.store.table import ConditionFailed, Table

# The collections whose sort key is keys.newest_first (connections and webhook deliveries
# keep their own spelling, keys.newest_first_offset).
_BY_INSTANT = ("#REJECTIONS", "#FEEDBACK", "#NOTIFICATIONS")


def rekey(table: Table) -> int:
    """Rewrite every sort key of those collections not yet in today's spelling; returns how
    many were rewritten."""
    rewritten = 0
    for item in table.scan_collection_keys():
        if not str(item.get("GSI1PK", "")).endswith(_BY_INSTANT):
            continue
        old = str(item["GSI1SK"])
        moment, _, item_id = old.partition("#")
        try:
            new = keys.newest_first(datetime.fromisoformat(moment), item_id)
        except ValueError:
            continue  # not a key this module wrote
        if new == old:
            continue
        try:
            table.update(
                keys.Key(str(item["PK"]), str(item["SK"])),
                set_values={"GSI1SK": new},
                condition="GSI1SK = :old",
                values={":old": old},
            )
        except ConditionFailed:
            continue  # rewritten meanwhile, with the new spelling
        rewritten += 1
    return rewritten


def main() -> int:
    name = os.environ.get("TABLE_NAME")
    if not name:
        print("TABLE_NAME=bounceback-<stage> is needed", file=sys.stderr)
        return 2
    print(f"{rekey(Table(aws.dynamodb(), name))} sort keys rewritten in {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
