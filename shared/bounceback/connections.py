"""Job-board connections: one per employer integration, each with its own URL and secret.

The secret is encrypted with the stage's KMS key before it is stored (encryption context: the
connection id, so a ciphertext cannot be moved to another connection), returned once at
creation, never logged, and decrypted only by the webhook function when a delivery arrives.

Providers whose webhooks carry ids only (Lever, Teamtailor, SmartRecruiters) also need the
employer's API key, to read the candidate, job and reason back from the ATS. It is sealed the
same way, under its own encryption context (``field: api_key``, so neither ciphertext can stand
in for the other), never returned by any route, never logged, and decrypted only by the lookup
function. ``api_base_url`` (the ATS API the key may be sent to) defaults to the provider's
public API.
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
_API_KEY = "api_key"  # the name of the field, in the encryption context


class Connections:
    def __init__(self, store: ConnectionStore, kms: KMSClient, key_id: str) -> None:
        self._store = store
        self._kms = kms
        self._key_id = key_id
        # connection id -> (valid until, the sealed secret it was decrypted from, the secret)
        self._secrets: dict[str, tuple[float, str, str]] = {}

    def create(self, connection: Connection, secret: str, api_key: str | None = None) -> None:
        sealed_key = None if api_key is None else self._seal(connection.id, api_key, _API_KEY)
        self._store.add(connection, self._seal(connection.id, secret), sealed_key)

    def _seal(self, connection_id: str, plaintext: str, field: str | None = None) -> str:
        ciphertext = self._kms.encrypt(
            KeyId=self._key_id,
            Plaintext=plaintext.encode(),
            EncryptionContext=_context(connection_id, field),
        )["CiphertextBlob"]
        return base64.b64encode(ciphertext).decode()

    def _unseal(self, connection_id: str, sealed: str, field: str | None = None) -> str:
        return self._kms.decrypt(
            CiphertextBlob=base64.b64decode(sealed),
            EncryptionContext=_context(connection_id, field),
        )["Plaintext"].decode()

    def get(self, connection_id: str) -> Connection | None:
        found = self._store.get(connection_id)
        return None if found is None else found.connection

    def secret(self, connection_id: str) -> tuple[Connection, str]:
        """The connection and its secret, in clear, for verifying one delivery."""
        found = self._store.get(connection_id)
        if found is None:
            raise NotFoundError("unknown connection")
        cached = self._secrets.get(connection_id)
        # A replaced secret is seen at once: the cache holds only for the ciphertext it read.
        if cached and cached[0] > time.monotonic() and cached[1] == found.sealed_secret:
            return found.connection, cached[2]
        plaintext = self._unseal(connection_id, found.sealed_secret)
        self._secrets[connection_id] = (
            time.monotonic() + SECRET_CACHE_SECONDS,
            found.sealed_secret,
            plaintext,
        )
        return found.connection, plaintext

    def replace_secret(self, connection_id: str, secret: str) -> Connection:
        """The connection signs with ``secret`` from now on (an ATS that issues its key only once
        it knows the URL, or a rotated key)."""
        found = self._store.get(connection_id)
        if found is None or not self._store.replace_secret(
            connection_id, self._seal(connection_id, secret)
        ):
            raise NotFoundError("connection not found")
        self._secrets.pop(connection_id, None)
        return found.connection

    def api_key(self, connection_id: str) -> tuple[Connection, str]:
        """The connection and its ATS API key, in clear, for one lookup. Not cached: a key the
        employer replaced must not outlive its connection in a warm container."""
        found = self._store.get(connection_id)
        if found is None:
            raise NotFoundError("unknown connection")
        if found.sealed_api_key is None:
            raise NotFoundError("the connection has no API key")
        return found.connection, self._unseal(connection_id, found.sealed_api_key, _API_KEY)

    def page(self, *, limit: int, next_token: str | None) -> Page[Connection]:
        return self._store.page(limit=limit, next_token=next_token)

    def delete(self, connection_id: str) -> None:
        self._secrets.pop(connection_id, None)
        if not self._store.delete(connection_id):
            raise NotFoundError("connection not found")


def _context(connection_id: str, field: str | None) -> dict[str, str]:
    context = {"connection_id": connection_id}
    return context if field is None else context | {"field": field}


def new_connection(
    connections: Connections,
    *,
    provider: str,
    company: str,
    secret: str | None,
    now: datetime,
    api_key: str | None = None,
    api_base_url: str | None = None,
) -> tuple[Connection, str]:
    """A new connection for ``provider``, with the given secret or one the provider's format
    calls for. Returns it with its secret in clear: the only time the secret is shown.

    A provider whose deliveries need a lookup requires ``secret`` (the ATS issues its signing
    key: a generated one would never match) and ``api_key``; ``api_base_url`` defaults to the
    provider's public API. Every other provider refuses both (it would never use them)."""
    # Imported here: every function loads this module, and only the API creates connections.
    from bounceback.providers.ats_api import normalise_api_base_url
    from bounceback.providers.registry import get_adapter, get_lookup_adapter

    lookup = get_lookup_adapter(provider)
    adapter = lookup or get_adapter(provider)
    if adapter is None:
        raise InvalidRequestError(f"unknown provider {provider!r}")
    base_url: str | None = None
    if lookup is None:
        if api_key is not None or api_base_url is not None:
            raise InvalidRequestError(f"{provider} connections take no api_key or api_base_url")
    else:
        if not secret:
            raise InvalidRequestError(f"{provider} issues its own signing key: send it as secret")
        if not api_key:
            raise InvalidRequestError(f"{provider} connections need the employer's api_key")
        try:
            base_url = normalise_api_base_url(api_base_url or lookup.default_api_base_url)
        except ValueError as error:
            raise InvalidRequestError(str(error)) from None
    connection = Connection(
        id=new_id(), provider=provider, company=company, created_at=now, api_base_url=base_url
    )
    secret = secret or adapter.new_secret()
    connections.create(connection, secret, api_key)
    logger.info("connection created", extra={"connection_id": connection.id, "provider": provider})
    return connection, secret
