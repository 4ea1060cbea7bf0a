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

Providers whose webhooks carry ids only (Lever, Teamtailor, SmartRecruiters) fulfil
``LookupAdapter`` instead: the same handshake/verify/signing, but ``interpret`` answers
``Ignored`` or ``LookupNeeded`` (the ids to read back), and ``lookup(client, needed)`` reads the
candidate, job and reason from the employer's ATS API and answers one of the usual meanings
(``Ignored``, ``RejectionDelivery``, ``RejectionWithdrawn``). The webhook pipeline answers
``LookupNeeded`` itself: it stores the delivery, and the ATS lookup function
(``bounceback.workflow.ats_lookup``) calls ``lookup`` later, with retries; these adapters are
listed apart (``registry.LOOKUP_PROVIDERS``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

from bounceback.model import Recruiter

if TYPE_CHECKING:
    from bounceback.providers.ats_api import AtsApiClient

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


class LookupIds(_Frozen):
    """The ids a provider's lookup needs, taken from a verified delivery. Each lookup provider
    subclasses it (``LeverLookup``, …); ids only, never personal data, so it may be queued."""


class LookupNeeded(_Frozen):
    """A verified delivery that may be a rejection but names ids only: the candidate, the job and
    the reason must be read from the employer's ATS API (``LookupAdapter.lookup``).

    ``dedupe_key`` is the provider's key (PROVIDERS.md) as far as the delivery alone tells it; None
    when only the lookup can complete it (a SmartRecruiters delivery without ``event-id``). The
    meaning the lookup answers carries the final key. ``not_before`` is the earliest time the
    candidate may hear of the rejection (Teamtailor's transparent recruiting): notifications and
    emails wait for it; the rejection may be stored at once.
    """

    dedupe_key: str | None
    application_key: str  # as RejectionDelivery.application_key: how an undo finds it
    lookup: SerializeAsAny[LookupIds]
    not_before: datetime | None = None  # timezone-aware when present

    @classmethod
    def read(cls, text: str, ids: type[LookupIds]) -> LookupNeeded:
        """One read back from its JSON (``model_dump_json``), its ids as the provider's type."""
        data = json.loads(text)
        return cls.model_validate({**data, "lookup": ids.model_validate(data["lookup"])})


LookupInterpretation = Ignored | LookupNeeded


class HandshakeReply(_Frozen):
    status: int = 200
    body: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)


class SignedSender(Protocol):
    """What every adapter shares: the provider's setup handshake, its signature, its secrets."""

    name: str
    success_status: int  # what the provider counts as success (Greenhouse: exactly 200)
    secret_is_generated: bool  # True when Bounceback issues the secret, False when the ATS does

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None: ...

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None: ...

    def new_secret(self) -> str: ...

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        """The headers the provider would send with ``raw_body`` (keys lower-cased, as the
        webhook function passes them to ``verify``); ``delivery_id`` fills the provider's
        delivery-id header where it has one."""
        ...


class ProviderAdapter(SignedSender, Protocol):
    """A provider whose deliveries carry the rejection itself."""

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation: ...


class LookupAdapter(SignedSender, Protocol):
    """A provider whose deliveries carry ids only (Lever, Teamtailor, SmartRecruiters)."""

    default_api_base_url: str  # the provider's public API; a connection may point elsewhere
    lookup_ids: type[LookupIds]  # the ids its ``LookupNeeded`` carries (to read one back)

    def interpret(self, headers: Headers, raw_body: bytes) -> LookupInterpretation: ...

    def auth_headers(self, api_key: str) -> dict[str, str]:
        """The headers that carry ``api_key`` (and any header the API requires) on every call."""
        ...

    def lookup(self, client: AtsApiClient, needed: LookupNeeded) -> Interpretation:
        """Read what ``needed`` names from the ATS API and say what the delivery means. Raises
        the ``AtsApiError`` subclasses (``bounceback.errors``) when the API gives no usable
        answer; each says whether a later retry can help."""
        ...
