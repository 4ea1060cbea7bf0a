"""SmartRecruiters webhooks: ``application.status.updated``, read back from SmartRecruiters' API.

Subscriptions are made through the Webhooks API. Activation: SmartRecruiters POSTs a request
carrying ``X-Hook-Secret`` and needs a 200 echoing that header, without a signature check (the
signing key may not exist yet). Once a key is made (``POST /subscriptions/{id}/secret-key``; the
connection's ``secret``), every event carries ``smartrecruiters-signature: v1=<hex>[;v1=<hex>…]``
(several while an old key lives on, up to 16) and ``smartrecruiters-timestamp`` (unix s): hex =
HMAC-SHA256 over ``timestamp.body.event-id.event-name.event-version.link`` joined by ``.``, a
missing header being the empty string and ``link`` the ``Link`` header as sent (angle brackets and
``; rel=self`` included). Any ``v1`` entry may match. A timestamp more than 25 hours old or
5 minutes ahead is refused: our replay window, wide enough for SmartRecruiters' last retry after
24 hours if retries keep the first timestamp (undocumented).

The event name, version and id are headers; the body holds ids only (``{"job_id", "candidate_id"}``
in the documented example; the ids are also read from the signed ``Link`` when the body has
neither). Success is exactly 202 within 5 seconds, so the lookup must run after the answer.

API: ``X-SmartToken: <key>``. The candidate carries ``primaryAssignment`` and
``secondaryAssignments``; the one whose ``job.id`` is the delivery's ``job_id`` is the application.
A rejection is ``status == "REJECTED"`` (``WITHDRAWN`` is the candidate's choice).
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import AliasChoices, BaseModel, Field, ValidationError

from bounceback.errors import (
    AtsAnswerInvalidError,
    AtsNotFoundError,
    InvalidPayloadError,
    InvalidSignatureError,
)
from bounceback.providers._common import (
    CamelLenient,
    Lenient,
    hmac_sha256,
    join_name,
    key_part,
    new_url_safe_secret,
    parse_datetime,
    parse_json_object,
    read_model,
    require_header,
    text,
)
from bounceback.providers.ats_api import AtsApiClient, answer_emails, answer_role, read_answer
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
)

_SIGNATURE = "smartrecruiters-signature"
_TIMESTAMP = "smartrecruiters-timestamp"
_EVENT_ID = "event-id"
_EVENT_NAME = "event-name"
_EVENT_VERSION = "event-version"
_LINK = "link"
_HOOK_SECRET = "x-hook-secret"  # noqa: S105 (a header name, not a secret)
_STATUS_UPDATED = "application.status.updated"
_REJECTED = "REJECTED"
_MAX_AGE = timedelta(hours=25)
_MAX_AHEAD = timedelta(minutes=5)
_MAX_ENTRIES = 32  # SmartRecruiters keeps at most 16 keys alive
_STAMP = re.compile(r"^[0-9]{1,12}$")
_HEX_DIGEST = re.compile(r"^[0-9a-fA-F]{64}$")
# A handshake secret we echo in a response header: printable ASCII, bounded.
_HOOK_SECRET_FORMAT = re.compile(r"^[\x21-\x7e]{1,512}$")
_APPLICATION_PATH = re.compile(r"/candidates/([^/]+)/jobs/([^/]+)/?$")
_SAMPLE_EVENT_VERSION = "v201910"
_PUBLIC_API = "https://api.smartrecruiters.com"

ModelT = TypeVar("ModelT", bound=BaseModel)


class SmartRecruitersLookup(LookupIds):
    candidate_id: str
    job_id: str
    link: str | None = None  # the signed Link's URL, followed only under api_base_url
    timestamp: str  # smartrecruiters-timestamp as sent: the fallback rejection time


# --- the delivery ---------------------------------------------------------------------------------


class _Ids(Lenient):
    job_id: str | int | None = Field(default=None, validation_alias=AliasChoices("job_id", "jobId"))
    candidate_id: str | int | None = Field(
        default=None, validation_alias=AliasChoices("candidate_id", "candidateId")
    )


# --- the API's answers ----------------------------------------------------------------------------


class _Job(CamelLenient):
    id: str | int | None = None
    title: str | None = None


class _Reason(CamelLenient):
    id: str | int | None = None
    label: str | None = None


class _Assignment(CamelLenient):
    job: _Job | None = None
    status: str | None = None
    sub_status: str | None = None
    # A client generated from the 2017 API description says reasonOfRejection, a later schema
    # reasonForRejection: both are read.
    reason_of_rejection: _Reason | None = None
    reason_for_rejection: _Reason | None = None


class _Candidate(CamelLenient):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    primary_assignment: _Assignment | None = None
    secondary_assignments: list[_Assignment] | None = None


class _StatusChange(CamelLenient):
    changed_on: str | None = None
    status: str | None = None
    job: _Job | None = None
    job_id: str | int | None = None


class _Labelled(CamelLenient):
    id: str | int | None = None
    label: str | None = None


class SmartRecruitersAdapter:
    name = "smartrecruiters"
    success_status = 202  # exactly 202 within 5 s; anything else is retried, then suspended
    secret_is_generated = False  # SmartRecruiters issues the key (POST …/secret-key)
    default_api_base_url = _PUBLIC_API
    lookup_ids: type[LookupIds] = SmartRecruitersLookup

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        secret = (headers.get(_HOOK_SECRET) or "").strip()
        if not secret:
            return None
        if not _HOOK_SECRET_FORMAT.match(secret):
            # Never echo what could split a header; the request then fails verification (401).
            return None
        return HandshakeReply(status=200, headers={"X-Hook-Secret": secret})

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        signatures = require_header(headers, _SIGNATURE)
        stamp = require_header(headers, _TIMESTAMP)
        if not _STAMP.match(stamp):
            raise InvalidSignatureError("malformed smartrecruiters-timestamp header")
        received = _v1_entries(signatures)
        expected = hmac_sha256(secret.encode(), signed_bytes(headers, raw_body, stamp))
        matched = False
        for digest in received:  # no early exit: timing must not tell which entry matched
            matched |= hmac.compare_digest(expected, digest)
        if not matched:
            raise InvalidSignatureError("smartrecruiters-signature does not match the body")
        age = now.timestamp() - int(stamp)
        if age > _MAX_AGE.total_seconds():
            raise InvalidSignatureError("smartrecruiters-timestamp is too old")
        if -age > _MAX_AHEAD.total_seconds():
            raise InvalidSignatureError("smartrecruiters-timestamp is in the future")

    def interpret(self, headers: Headers, raw_body: bytes) -> LookupInterpretation:
        body = parse_json_object(raw_body)
        event = (headers.get(_EVENT_NAME) or "").strip()
        if event != _STATUS_UPDATED:
            return Ignored(why=f"smartrecruiters event {event[:60]!r} is not a status update")
        link = link_url(headers.get(_LINK))
        ids = read_model(_Ids, body, "body")
        candidate_id, job_id = key_part(ids.candidate_id), key_part(ids.job_id)
        if (not candidate_id or not job_id) and link is not None:
            candidate_id, job_id = _ids_from_link(link) or (candidate_id, job_id)
        if not candidate_id or not job_id:
            raise InvalidPayloadError("status update names no candidate_id and job_id")
        event_id = (headers.get(_EVENT_ID) or "").strip()
        return LookupNeeded(
            # PROVIDERS.md: smartrecruiters:<event-id> (assumed stable across retries); without
            # one, the lookup completes candidate:job:<status change time>.
            dedupe_key=f"smartrecruiters:{event_id}" if event_id else None,
            application_key=application_key(candidate_id, job_id),
            lookup=SmartRecruitersLookup(
                candidate_id=candidate_id,
                job_id=job_id,
                link=link,
                timestamp=(headers.get(_TIMESTAMP) or "").strip(),
            ),
        )

    def new_secret(self) -> str:
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        """The headers of an ``application.status.updated`` delivery of ``raw_body``: the event
        headers, a ``Link`` to the application the body names, and the signature over them."""
        headers = {
            _EVENT_ID: delivery_id,
            _EVENT_NAME: _STATUS_UPDATED,
            _EVENT_VERSION: _SAMPLE_EVENT_VERSION,
            _TIMESTAMP: str(int(now.timestamp())),
        }
        ids = _sample_ids(raw_body)
        if ids is not None:
            headers[_LINK] = f"<{_PUBLIC_API}/candidates/{ids[0]}/jobs/{ids[1]}>; rel=self"
        return headers | {_SIGNATURE: "v1=" + signature_hex(secret, headers, raw_body)}

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {"x-smarttoken": api_key, "accept": "application/json"}

    def lookup(self, client: AtsApiClient, needed: LookupNeeded) -> Interpretation:
        ids = needed.lookup
        if not isinstance(ids, SmartRecruitersLookup):
            raise TypeError("a SmartRecruiters lookup needs SmartRecruitersLookup ids")
        candidate = read_answer(_Candidate, client.get("candidates", ids.candidate_id), "candidate")
        assignment = _assignment(client, candidate, ids)
        status = (assignment.status or "").strip().upper()
        if status != _REJECTED:
            return Ignored(why=f"application status {status[:30]!r} is not a rejection")
        changed_on = _rejected_on(client, ids)
        rejection = CandidateRejection(
            emails=answer_emails([candidate.email]),
            candidate_name=join_name(candidate.first_name, candidate.last_name),
            role=answer_role(_job_title(client, assignment, ids)),
            stage=text(assignment.sub_status),
            reason=_reason(client, assignment),
            rejected_at=parse_datetime(changed_on) if changed_on else _timestamp(ids.timestamp),
        )
        key = needed.dedupe_key or ":".join(
            ("smartrecruiters", ids.candidate_id, ids.job_id, changed_on or ids.timestamp)
        )
        return RejectionDelivery(
            dedupe_key=key, rejection=rejection, application_key=needed.application_key
        )


def application_key(candidate_id: str, job_id: str) -> str:
    return f"smartrecruiters:{candidate_id}:{job_id}"


def signed_bytes(headers: Headers, raw_body: bytes, stamp: str | None = None) -> bytes:
    """``timestamp.body.event-id.event-name.event-version.link``, each header exactly as sent
    (a missing one is empty)."""

    def header(name: str) -> bytes:
        return (headers.get(name) or "").encode()

    timestamp = stamp.encode() if stamp is not None else header(_TIMESTAMP)
    return b".".join(
        (
            timestamp,
            raw_body,
            header(_EVENT_ID),
            header(_EVENT_NAME),
            header(_EVENT_VERSION),
            header(_LINK),
        )
    )


def signature_hex(secret: str, headers: Headers, raw_body: bytes) -> str:
    return hmac_sha256(secret.encode(), signed_bytes(headers, raw_body)).hex()


def link_url(value: str | None) -> str | None:
    """The URL of the ``rel=self`` entry of a ``Link`` header (``<url>; rel=self``)."""
    for entry in (value or "").split(","):
        match = re.match(r"\s*<([^>]*)>(.*)$", entry)
        if match is None:
            continue
        parameters = [p.strip().lower().replace('"', "") for p in match.group(2).split(";")]
        if "rel=self" in parameters or not any(p.startswith("rel=") for p in parameters):
            return text(match.group(1))
    return None


def _v1_entries(header: str) -> list[bytes]:
    found: list[bytes] = []
    for entry in re.split(r"[;,]", header)[:_MAX_ENTRIES]:
        version, _, digest = entry.strip().partition("=")
        if version.strip() == "v1" and _HEX_DIGEST.match(digest.strip()):
            found.append(bytes.fromhex(digest.strip()))
    if not found:
        raise InvalidSignatureError("malformed smartrecruiters-signature header")
    return found


def _ids_from_link(link: str) -> tuple[str, str] | None:
    match = _APPLICATION_PATH.search(urlsplit(link).path)
    if match is None:
        return None
    return unquote(match.group(1)), unquote(match.group(2))


def _sample_ids(raw_body: bytes) -> tuple[str, str] | None:
    try:
        ids = _Ids.model_validate(parse_json_object(raw_body))
    except (InvalidPayloadError, ValueError):
        return None
    if ids.candidate_id is None or ids.job_id is None:
        return None
    return key_part(ids.candidate_id), key_part(ids.job_id)


def _timestamp(stamp: str) -> datetime | None:
    return parse_datetime(int(stamp)) if _STAMP.match(stamp) else None


def _assignment(
    client: AtsApiClient, candidate: _Candidate, ids: SmartRecruitersLookup
) -> _Assignment:
    """The candidate's application to the delivery's job: from the candidate's assignments, else
    read on its own (at the signed ``Link`` when it lies under the base, else from the ids)."""
    assignments = [candidate.primary_assignment, *(candidate.secondary_assignments or [])]
    for assignment in assignments:
        if assignment and assignment.job and key_part(assignment.job.id) == ids.job_id:
            return assignment
    if ids.link is not None and client.is_under_base(ids.link):
        answer = client.get_url(ids.link)
    else:
        answer = client.get("candidates", ids.candidate_id, "jobs", ids.job_id)
    return read_answer(_Assignment, answer, "application")


def _job_title(client: AtsApiClient, assignment: _Assignment, ids: SmartRecruitersLookup) -> str:
    title = text(assignment.job.title) if assignment.job else None
    if title is None:
        title = text(read_answer(_Job, client.get("jobs", ids.job_id), "job").title)
    return answer_role(title)


def _reason(client: AtsApiClient, assignment: _Assignment) -> str | None:
    reason = assignment.reason_of_rejection or assignment.reason_for_rejection
    if reason is None:
        return None
    if text(reason.label) or reason.id is None:
        return text(reason.label)
    # An id without its label: the account's list of rejection reasons names it.
    try:
        answer = client.get("configuration", "rejection-reasons")
    except (AtsNotFoundError, AtsAnswerInvalidError):
        return None
    for item in _content(answer):
        labelled = _optional(_Labelled, item)
        if labelled is not None and key_part(labelled.id) == key_part(reason.id):
            return text(labelled.label)
    return None


def _rejected_on(client: AtsApiClient, ids: SmartRecruitersLookup) -> str | None:
    """``changedOn`` of the latest change to REJECTED for this job in the candidate's status
    history, exactly as sent; None when the history does not say (the delivery time is used)."""
    try:
        answer = client.get("candidates", ids.candidate_id, "status", "history")
    except (AtsNotFoundError, AtsAnswerInvalidError):
        return None
    latest: tuple[datetime, str] | None = None
    for item in _content(answer):
        change = _optional(_StatusChange, item)
        if change is None:
            continue
        job_id = key_part(change.job.id if change.job else change.job_id)
        if (change.status or "").strip().upper() != _REJECTED or job_id not in ("", ids.job_id):
            continue
        moment = parse_datetime(change.changed_on)
        if moment is not None and change.changed_on and (latest is None or moment > latest[0]):
            latest = (moment, change.changed_on.strip())
    return latest[1] if latest else None


def _optional(model: type[ModelT], item: object) -> ModelT | None:
    """One entry of a list, or None when it is not the expected shape (skipped, not fatal)."""
    try:
        return model.model_validate(item)
    except (ValidationError, RecursionError):
        return None


def _content(answer: Any) -> list[Any]:
    """A list answer: bare, or SmartRecruiters' ``{"content": [...]}`` page."""
    if isinstance(answer, dict):
        answer = answer.get("content")
    return answer if isinstance(answer, list) else []


ADAPTER = SmartRecruitersAdapter()

__all__ = [
    "ADAPTER",
    "SmartRecruitersAdapter",
    "SmartRecruitersLookup",
    "application_key",
    "link_url",
    "signature_hex",
    "signed_bytes",
]
