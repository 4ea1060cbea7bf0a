"""Job-board connections: one per employer integration, each with its own URL and secret.

The secret is encrypted with the stage's KMS key before it is stored (encryption context: the
connection id, so a ciphertext cannot be moved to another connection), returned once at
creation, never logged, and decrypted only by the webhook function when a delivery arrives.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING

from bounceback.errors import NotFoundError
from bounceback.model import Connection
from bounceback.store.connections import ConnectionStore
from bounceback.store.table import Page

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

SECRET_CACHE_SECONDS = 300  # a warm container skips KMS for a few minutes per connection


class Connections:
    def __init__(self, store: ConnectionStore, kms: KMSClient, key_id: str) -> None:
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
        self._store.add(connection, base64.b64encode(ciphertext).decode())

    def get(self, connection_id: str) -> Connection | None:
        found = self._store.get(connection_id)
        return None if found is None else found.connection

    def secret(self, connection_id: str) -> tuple[Connection, str]:
        """The connection and its secret, in clear, for verifying one delivery."""
        found = self._store.get(connection_id)
        if found is None:
            raise NotFoundError("unknown connection")
        cached = self._secrets.get(connection_id)
        if cached and cached[0] > time.monotonic():
            return found.connection, cached[1]
        plaintext = self._kms.decrypt(
            CiphertextBlob=base64.b64decode(found.sealed_secret),
            EncryptionContext={"connection_id": connection_id},
        )["Plaintext"].decode()
        self._secrets[connection_id] = (time.monotonic() + SECRET_CACHE_SECONDS, plaintext)
        return found.connection, plaintext

    def page(self, *, limit: int, next_token: str | None) -> Page[Connection]:
        return self._store.page(limit=limit, next_token=next_token)

    def delete(self, connection_id: str) -> None:
        self._secrets.pop(connection_id, None)
        if not self._store.delete(connection_id):
            raise NotFoundError("connection not found")
