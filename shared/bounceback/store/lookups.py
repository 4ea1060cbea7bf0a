"""Deliveries waiting for their ATS lookup: written once per delivery, read by the lookup.

The write is the enqueue: the table's stream turns each new item into "ATS Lookup Needed"
(``bounceback.workflow.publish``), so a delivery that was stored is surely looked up, and a
duplicate delivery (same key) stores nothing and queues nothing. Items expire by TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bounceback.store import keys
from bounceback.store.items import AtsLookupItem
from bounceback.store.table import Table

# Longer than any sender's retries (SmartRecruiters: 24 hours; its event log: 30 days).
LOOKUP_RETENTION = timedelta(days=35)


class LookupStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(
        self,
        *,
        lookup_id: str,
        connection_id: str,
        provider: str,
        needed: str,
        received_at: datetime,
        correlation_id: str,
    ) -> bool:
        """Store the delivery's lookup; False when this delivery was stored before."""
        item = AtsLookupItem.of(
            lookup_id=lookup_id,
            connection_id=connection_id,
            provider=provider,
            needed=needed,
            received_at=received_at,
            correlation_id=correlation_id,
            expires_at=int((received_at + LOOKUP_RETENTION).timestamp()),
        )
        return self._table.put_new(item)

    def get(self, lookup_id: str) -> AtsLookupItem | None:
        return self._table.get(keys.ats_lookup(lookup_id), AtsLookupItem)
