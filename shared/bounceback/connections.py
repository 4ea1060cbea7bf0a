"""Job-board connections: one per employer integration, each with its own URL and secret.

The secret is encrypted with the stage's KMS key before it is stored (encryption context: the
connection id, so a ciphertext cannot be moved to another connection), returned once at
creation, never logged, and decrypted only by the webhook function when a delivery arrives.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime
from typing import TYPE_CHECKING

from bounceback.errors import InvalidRequestError, NotFoundError
from bounceback.ids import new_id
from bounceback.model import Connection
from bounceback.observability import logger
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


def new_connection(
    connections: Connections, *, provider: str, company: str, secret: str | None, now: datetime
) -> tuple[Connection, str]:
    """A new connection for ``provider``, with the given secret or one the provider's format
    calls for. Returns it with its secret in clear: the only time the secret is shown."""
    # Imported here: every function loads this module, and only the API creates connections.
    from bounceback.providers.registry import get_adapter

    adapter = get_adapter(provider)
    if adapter is None:
        raise InvalidRequestError(f"unknown provider {provider!r}")
    connection = Connection(id=new_id(), provider=provider, company=company, created_at=now)
    secret = secret or adapter.new_secret()
    connections.create(connection, secret)
    logger.info("connection created", extra={"connection_id": connection.id, "provider": provider})
    return connection, secret
