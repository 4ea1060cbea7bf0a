"""Job-board connections: one per employer integration, each with its own URL and secret.

The secret is encrypted with the stage's KMS key before it is stored (encryption context: the
connection id, so a ciphertext cannot be moved to another connection), returned once at
creation, never logged, and decrypted only by the webhook function when a delivery arrives.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from bounceback.errors import NotFoundError
from bounceback.store import Store

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

CONNECTIONS = "CONNECTIONS"
SECRET_CACHE_SECONDS = 300  # a warm container skips KMS for a few minutes per connection


class Connection(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    provider: str
    company: str
    created_at: datetime

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.provider}/{self.id}"


def _pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


class Connections:
    def __init__(self, store: Store, kms: KMSClient, key_id: str) -> None:
        self._store = store
        self._kms = kms
        self._key_id = key_id
        self._secrets: dict[str, tuple[float, str]] = {}

    def create(self, connection: Connection, secret: str) -> None:
        ciphertext = self._kms.encrypt(
            KeyId=self._key_id,
            Plaintext=secret.encode(),
            EncryptionContext={"connection_id": connection.id},
        )["CiphertextBlob"]
        self._store.put_new_item(
            {
                "PK": _pk(connection.id),
                "SK": "CONN",
                "type": "connection",
                "GSI1PK": CONNECTIONS,
                "GSI1SK": f"{connection.created_at.isoformat()}#{connection.id}",
                "secret": base64.b64encode(ciphertext).decode(),
            }
            | connection.model_dump(mode="json")
        )

    def get(self, connection_id: str) -> Connection | None:
        item = self._store.get_item(_pk(connection_id), "CONN")
        return None if item is None else _connection(item)

    def secret(self, connection_id: str) -> tuple[Connection, str]:
        """The connection and its secret, in clear, for verifying one delivery."""
        item = self._store.get_item(_pk(connection_id), "CONN")
        if item is None:
            raise NotFoundError("unknown connection")
        cached = self._secrets.get(connection_id)
        if cached and cached[0] > time.monotonic():
            return _connection(item), cached[1]
        plaintext = self._kms.decrypt(
            CiphertextBlob=base64.b64decode(item["secret"]),
            EncryptionContext={"connection_id": connection_id},
        )["Plaintext"].decode()
        self._secrets[connection_id] = (time.monotonic() + SECRET_CACHE_SECONDS, plaintext)
        return _connection(item), plaintext

    def list(self, *, limit: int, next_token: str | None) -> tuple[list[Connection], str | None]:
        items, token = self._store.query_collection(CONNECTIONS, limit=limit, next_token=next_token)
        return [_connection(i) for i in items], token

    def delete(self, connection_id: str) -> None:
        self._secrets.pop(connection_id, None)
        if not self._store.delete_item(_pk(connection_id), "CONN"):
            raise NotFoundError("connection not found")


def _connection(item: dict[str, Any]) -> Connection:
    return Connection(
        id=item["id"],
        provider=item["provider"],
        company=item["company"],
        created_at=item["created_at"],
    )
