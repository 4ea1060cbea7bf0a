"""The contract every job-board adapter fulfils.

An adapter is a module in this package exposing one object ``ADAPTER`` of a class with these
methods (see ``ProviderAdapter``). ``registry.py`` maps a provider name to its adapter, so adding a
provider is one new module and one registry line.

The webhook function calls, in order:
1. ``handshake(headers, raw_body)`` — a setup/verification request the provider sends before any
   secret applies (e.g. JazzHR's VERIFY) answered without a signature check; most return None.
2. ``verify(headers, raw_body, secret, now)`` — raise ``InvalidSignatureError`` unless the raw bytes
   are signed exactly as the provider signs them (constant-time comparison).
3. ``interpret(headers, raw_body)`` — what the delivery means: ``Ignored``, ``RejectionDelivery`` or
   ``RejectionWithdrawn``; raise ``InvalidPayloadError`` for a body that is not the provider's JSON.

``signature_headers`` is the other direction: the headers the provider itself would send with a
body, so samples, the local demo and tests sign deliveries exactly as the provider does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from bounceback.model import Recruiter

Headers = Mapping[str, str]  # keys lower-cased by the caller


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CandidateRejection(_Frozen):
    """A rejection normalised from any provider. The company comes from the connection."""

    emails: tuple[str, ...] = Field(min_length=1)  # every address the payload gives, in order
    candidate_name: str | None = None
    role: str
    stage: str | None = None
    reason: str | None = None  # the reason text, as the recruiter chose it
    rejected_at: datetime | None = None  # always timezone-aware when present
    company: str | None = None  # only when the payload names the hiring company itself
    message: str | None = None  # the rejection text as the candidate received it, when sent
    recruiter: Recruiter | None = None  # who to ask for feedback, when the payload names them


class Ignored(_Frozen):
    """Not a rejection (ping, other action, withdrawal by the candidate): answer success."""

    why: str


class RejectionDelivery(_Frozen):
    dedupe_key: str  # the provider's de-duplication key (PROVIDERS.md), stable across retries
    rejection: CandidateRejection
    # The job application this rejection belongs to (e.g. ``greenhouse:<application id>``), for
    # providers that can later take the rejection back; None where the provider has no such id.
    application_key: str | None = None


class RejectionWithdrawn(_Frozen):
    """The employer took a rejection back (e.g. Greenhouse ``unreject_candidate``).

    The undo does not carry what the rejection was keyed on (Greenhouse sends ``rejected_at:
    null``), so the rejection(s) to withdraw are found by ``application_key``, the same value the
    original ``RejectionDelivery`` carried; ``dedupe_key`` de-duplicates retries of this withdrawal.
    """

    dedupe_key: str  # this withdrawal's own de-duplication key, stable across retries
    emails: tuple[str, ...]
    application_key: str | None = None  # matches ``RejectionDelivery.application_key``


Interpretation = Ignored | RejectionDelivery | RejectionWithdrawn


class HandshakeReply(_Frozen):
    status: int = 200
    body: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)


class ProviderAdapter(Protocol):
    name: str
    success_status: int  # what the provider counts as success (Greenhouse: exactly 200)
    secret_is_generated: bool  # True when Bounceback issues the secret, False when the ATS does

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None: ...

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None: ...

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation: ...

    def new_secret(self) -> str: ...

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        """The headers the provider would send with ``raw_body`` (keys lower-cased, as the
        webhook function passes them to ``verify``); ``delivery_id`` fills the provider's
        delivery-id header where it has one."""
        ...
