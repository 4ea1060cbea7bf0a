"""Lever webhooks: ``candidateArchiveChange``, read back from Lever's API.

Signature (in the body, not a header): ``signature`` is the lowercase hex HMAC-SHA256 of
``token + str(triggeredAt)``, keyed with the webhook's signature token (the connection's
``secret``, issued by Lever). It does not cover ``data``, so nothing in ``data`` is trusted beyond
the ids: the opportunity's archive state, its reason and the job are read from Lever's API. A
``triggeredAt`` more than 24 hours old or more than 5 minutes in the future is refused (our replay
window: whether Lever's retries keep the first ``triggeredAt`` is unconfirmed).

A delivery ``event = "candidateArchiveChange"`` with ``data.toArchived`` set is an archive; Lever
archives hires too, so the archive reason's ``type`` decides (``non-hired`` is a rejection,
``hired`` is ignored). ``toArchived: null`` is an unarchive, taken as a withdrawal of an earlier
rejection (like Greenhouse's unreject) once the API confirms the opportunity is active again. A
connection test arrives with empty ``data``: ignored. Any 2xx is success; we answer 200.

API (key form): HTTP Basic with the key as user name and an empty password. Objects come wrapped
in ``{"data": ...}``.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from bounceback.errors import AtsAnswerInvalidError, InvalidPayloadError, InvalidSignatureError
from bounceback.providers._common import (
    CamelLenient,
    check_digest,
    decode_hex_digest,
    hmac_sha256,
    key_part,
    new_url_safe_secret,
    parse_datetime,
    parse_json_object,
    read_model,
    text,
    usable_emails,
)
from bounceback.providers.ats_api import (
    AtsApiClient,
    answer_emails,
    answer_role,
    read_answer,
)
from bounceback.providers.base import (
    CandidateRejection,
    HandshakeReply,
    Headers,
    Ignored,
    Interpretation,
    LookupIds,
    LookupInterpretation,
    LookupNeeded,
    RejectionDelivery,
    RejectionWithdrawn,
)

_EVENT = "candidateArchiveChange"
_MAX_AGE = timedelta(hours=24)
_MAX_AHEAD = timedelta(minutes=5)
_HIRED = "hired"
_NON_HIRED = "non-hired"


class LeverLookup(LookupIds):
    """What an archive change names. ``archived`` False is an unarchive."""

    opportunity_id: str
    archived: bool
    reason_id: str | None = None  # as the delivery said: the API's answer wins
    archived_at_ms: int | None = None
    triggered_at_ms: int


# --- the delivery ---------------------------------------------------------------------------------


class _ToArchived(CamelLenient):
    archived_at: int | str | None = None
    reason: str | None = None


class _Data(CamelLenient):
    opportunity_id: str | None = None
    candidate_id: str | None = None  # legacy name of the same id
    to_archived: _ToArchived | None = None


# --- the API's answers ----------------------------------------------------------------------------


class _Archived(CamelLenient):
    archived_at: int | float | str | None = None
    reason: str | None = None


class _PostingRef(CamelLenient):
    id: str | None = None
    text: str | None = None


class _Application(CamelLenient):
    id: str | None = None
    posting: str | _PostingRef | None = None
    email: str | None = None


class _Opportunity(CamelLenient):
    id: str | None = None
    name: str | None = None
    emails: list[str | None] | None = None
    archived: _Archived | None = None
    # Ids unless the request expanded them; an opportunity has at most one application.
    applications: list[_Application | str] | None = None


class _Posting(CamelLenient):
    text: str | None = None


class _ArchiveReason(CamelLenient):
    text: str | None = None
    type: str | None = None


class LeverAdapter:
    name = "lever"
    success_status = 200  # any 2xx counts (which ones exactly is unconfirmed): 200 is safest
    secret_is_generated = False  # Lever shows the webhook's signature token: the employer copies it
    default_api_base_url = "https://api.lever.co/v1"
    lookup_ids: type[LookupIds] = LeverLookup

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        # A connection test is signed like any delivery: verify → interpret → Ignored.
        return None

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        try:
            body = parse_json_object(raw_body)
        except InvalidPayloadError:
            raise InvalidSignatureError("missing signature: body is not JSON") from None
        token = body.get("token")
        signature = body.get("signature")
        if not isinstance(token, str) or not token:
            raise InvalidSignatureError("missing token")
        if not isinstance(signature, str) or not signature.strip():
            raise InvalidSignatureError("missing signature")
        triggered = _triggered_text(body.get("triggeredAt"))
        received = decode_hex_digest(signature.strip(), "signature")
        check_digest(_digest(secret, token, triggered), received, "signature")
        # Checked once the signature is known to be Lever's: only then is the time worth reading.
        age_ms = _epoch_ms(now) - int(triggered)
        if age_ms > _MAX_AGE.total_seconds() * 1000:
            raise InvalidSignatureError("triggeredAt is more than 24 hours old")
        if -age_ms > _MAX_AHEAD.total_seconds() * 1000:
            raise InvalidSignatureError("triggeredAt is in the future")

    def interpret(self, headers: Headers, raw_body: bytes) -> LookupInterpretation:
        body = parse_json_object(raw_body)
        raw_data = body.get("data")
        if not raw_data:
            return Ignored(why="lever connection test (no data)")
        event = body.get("event")
        if not isinstance(event, str):
            raise InvalidPayloadError("body has no event")
        if event != _EVENT:
            return Ignored(why=f"lever event {event[:60]!r} is not an archive change")
        if not isinstance(raw_data, dict) or "toArchived" not in raw_data:
            raise InvalidPayloadError("candidateArchiveChange without toArchived")
        data = read_model(_Data, raw_data, "data")
        opportunity_id = text(data.opportunity_id) or text(data.candidate_id)
        if opportunity_id is None:
            raise InvalidPayloadError("candidateArchiveChange without an opportunity id")
        triggered_ms = int(_triggered_text(body.get("triggeredAt"), error=InvalidPayloadError))
        application = application_key(opportunity_id)
        archive = data.to_archived
        if archive is None:
            return LookupNeeded(
                dedupe_key=f"lever:{opportunity_id}:unarchived:{triggered_ms}",
                application_key=application,
                lookup=LeverLookup(
                    opportunity_id=opportunity_id, archived=False, triggered_at_ms=triggered_ms
                ),
            )
        archived_at_ms = _ms_or_none(archive.archived_at)
        return LookupNeeded(
            dedupe_key=_dedupe_key(opportunity_id, archived_at_ms),
            application_key=application,
            lookup=LeverLookup(
                opportunity_id=opportunity_id,
                archived=True,
                reason_id=text(archive.reason),
                archived_at_ms=archived_at_ms,
                triggered_at_ms=triggered_ms,
            ),
        )

    def new_secret(self) -> str:
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        # Lever signs in the body (``sign_body``), so it sends no signature header.
        return {}

    def auth_headers(self, api_key: str) -> dict[str, str]:
        credentials = base64.b64encode(f"{api_key}:".encode()).decode()
        return {"authorization": f"Basic {credentials}"}

    def lookup(self, client: AtsApiClient, needed: LookupNeeded) -> Interpretation:
        ids = needed.lookup
        if not isinstance(ids, LeverLookup):
            raise TypeError("a Lever lookup needs LeverLookup ids")
        opportunity = _opportunity(client, ids.opportunity_id)
        if not ids.archived:
            return _unarchive(opportunity, ids, needed)
        archived = opportunity.archived
        if archived is None:
            # Unarchived since: the unarchive has its own delivery.
            return Ignored(why="the opportunity is no longer archived")
        reason_id = text(archived.reason) or ids.reason_id
        if reason_id is None:
            raise AtsAnswerInvalidError("ATS API archive has no reason")
        reason = read_answer(
            _ArchiveReason, _data(client.get("archive_reasons", reason_id)), "archive reason"
        )
        kind = (reason.type or "").strip().lower()
        if kind == _HIRED:
            return Ignored(why="archived as hired")
        if kind != _NON_HIRED:
            # Never guess: logging a hire as a rejection would be the worst mistake here.
            raise AtsAnswerInvalidError("ATS API archive reason has an unknown type")
        archived_at_ms = _ms_or_none(archived.archived_at) or ids.archived_at_ms
        rejection = CandidateRejection(
            emails=answer_emails(_emails(opportunity)),
            candidate_name=text(opportunity.name),
            role=answer_role(_job_title(client, ids.opportunity_id, opportunity)),
            reason=text(reason.text),
            rejected_at=parse_datetime(archived_at_ms / 1000) if archived_at_ms else None,
        )
        # Keyed on the API's archivedAt (``data`` is not signed); the same as the delivery's
        # when both are there. A retry that finds a later archive logs that one, and that
        # archive's own delivery then collapses into it.
        key = _dedupe_key(ids.opportunity_id, archived_at_ms) or needed.dedupe_key
        if key is None:
            raise AtsAnswerInvalidError("ATS API archive has no archivedAt")
        return RejectionDelivery(
            dedupe_key=key, rejection=rejection, application_key=needed.application_key
        )


def application_key(opportunity_id: str) -> str:
    return f"lever:{key_part(opportunity_id)}"


def sign_body(payload: dict[str, Any], secret: str, *, token: str, now: datetime) -> bytes:
    """``payload`` as Lever sends it: with ``token``, ``triggeredAt`` (ms) and ``signature``."""
    triggered = str(_epoch_ms(now))
    signed = {
        **payload,
        "token": token,
        "triggeredAt": int(triggered),
        "signature": _digest(secret, token, triggered).hex(),
    }
    return _compact(signed)


# --- helpers --------------------------------------------------------------------------------------


def _digest(secret: str, token: str, triggered: str) -> bytes:
    return hmac_sha256(secret.encode(), (token + triggered).encode())


def _triggered_text(value: object, error: type[Exception] = InvalidSignatureError) -> str:
    """``triggeredAt`` exactly as it enters the signature: the integer's decimal digits."""
    if isinstance(value, bool):
        raise error("malformed triggeredAt")
    if isinstance(value, int) and 0 <= value < 10**15:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        return value
    raise error("missing or malformed triggeredAt")


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _ms_or_none(value: int | float | str | None) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if 0 < value < 10**15 else None
    stripped = value.strip()
    return int(stripped) if stripped.isdigit() and len(stripped) <= 15 else None


def _dedupe_key(opportunity_id: str, archived_at_ms: int | None) -> str | None:
    # PROVIDERS.md: lever:<opportunityId>:<toArchived.archivedAt>
    return None if archived_at_ms is None else f"lever:{opportunity_id}:{archived_at_ms}"


def _data(answer: Any) -> Any:
    """Lever wraps every object in ``{"data": ...}``."""
    if not isinstance(answer, dict) or "data" not in answer:
        raise AtsAnswerInvalidError("ATS API answer has no data")
    return answer["data"]


def _opportunity(client: AtsApiClient, opportunity_id: str) -> _Opportunity:
    answer = client.get("opportunities", opportunity_id, query={"expand": "applications"})
    return read_answer(_Opportunity, _data(answer), "opportunity")


def _applications(
    client: AtsApiClient, opportunity_id: str, opportunity: _Opportunity
) -> list[_Application]:
    listed = opportunity.applications or []
    expanded = [a for a in listed if isinstance(a, _Application)]
    if expanded or not listed:
        return expanded
    # Not expanded after all (ids only): list them.
    answer = _data(client.get("opportunities", opportunity_id, "applications"))
    if not isinstance(answer, list):
        raise AtsAnswerInvalidError("ATS API applications are not a list")
    return [read_answer(_Application, item, "application") for item in answer]


def _emails(opportunity: _Opportunity) -> list[str | None]:
    found = list(opportunity.emails or [])
    found += [a.email for a in opportunity.applications or [] if isinstance(a, _Application)]
    return found


def _job_title(client: AtsApiClient, opportunity_id: str, opportunity: _Opportunity) -> str | None:
    for application in _applications(client, opportunity_id, opportunity):
        posting = application.posting
        if isinstance(posting, _PostingRef):
            if text(posting.text):
                return posting.text
            posting = posting.id
        if posting and text(posting):
            answer = _data(client.get("postings", posting))
            return read_answer(_Posting, answer, "posting").text
    return None


def _unarchive(opportunity: _Opportunity, ids: LeverLookup, needed: LookupNeeded) -> Interpretation:
    if opportunity.archived is not None:
        return Ignored(why="the opportunity is archived again")
    return RejectionWithdrawn(
        dedupe_key=needed.dedupe_key or f"lever:{ids.opportunity_id}:unarchived",
        emails=usable_emails(_emails(opportunity)),
        application_key=needed.application_key,
    )


def _compact(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


ADAPTER = LeverAdapter()

__all__ = ["ADAPTER", "LeverAdapter", "LeverLookup", "application_key", "sign_body"]
