"""Job-board connections: one item per employer integration, its secret (and, for providers
whose deliveries need a lookup, its API key) sealed (encrypted by ``bounceback.connections``
before it gets here), listed newest first."""

from __future__ import annotations

from dataclasses import dataclass

from bounceback.model import Connection
from bounceback.store import keys
from bounceback.store.items import ConnectionItem
from bounceback.store.table import ConditionFailed, Page, Table


@dataclass(frozen=True)
class SealedConnection:
    connection: Connection
    sealed_secret: str  # base64 of the KMS ciphertext
    sealed_api_key: str | None = None  # base64 of the KMS ciphertext


class ConnectionStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(
        self, connection: Connection, sealed_secret: str, sealed_api_key: str | None = None
    ) -> bool:
        """Store a new connection; False when its id is taken."""
        return self._table.put_new(ConnectionItem.of(connection, sealed_secret, sealed_api_key))

    def get(self, connection_id: str) -> SealedConnection | None:
        item = self._table.get(keys.connection(connection_id), ConnectionItem)
        if item is None:
            return None
        return SealedConnection(item.to_connection(), item.secret, item.api_key)

    def page(self, *, limit: int, next_token: str | None) -> Page[Connection]:
        """One page of every connection of the stage, newest first."""
        page = self._table.query_collection(
            keys.CONNECTIONS, ConnectionItem, limit=limit, next_token=next_token
        )
        return Page([item.to_connection() for item in page.items], page.next_token)

    def replace_secret(self, connection_id: str, sealed_secret: str) -> bool:
        """Put a new sealed secret on the connection; False: there is no such connection."""
        try:
            self._table.update(keys.connection(connection_id), set_values={"secret": sealed_secret})
        except ConditionFailed:
            return False
        return True

    def delete(self, connection_id: str) -> bool:
        """Delete the connection; False: there was none."""
        return self._table.delete(keys.connection(connection_id))
