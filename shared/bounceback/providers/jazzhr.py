"""JazzHR candidate-export webhooks.

JazzHR has no rejection event: the customer attaches an automatic "Candidate Export" to a workflow
step in the "Not Hired" category. Each export carries ``X-JazzHR-Event: CANDIDATE-EXPORT`` and an
HR Open Standards payload; it is a rejection when a profile's ``workflowStatusCategory`` in
``additionalProfileInformation`` is ``"Not Hired"``.

Signature: ``X-JazzHR-Signature``, the hex HMAC-SHA256 of the raw body keyed with the secret we
gave JazzHR. On setup JazzHR sends ``X-JazzHR-Event: VERIFY`` with ``{"data": "JazzHR Verify
Event"}`` and needs a 200 before it sends anything else. Any 2xx is success.

Dedupe key (JazzHR names none): ``jazzhr:<person id>:<profile id>:<workflowDispositionDatetime>``.
A profile is one application, and the disposition time changes only when the workflow status does,
so a retried export collapses while a later rejection of the same application does not.
"""

from __future__ import annotations

import json
from datetime import datetime

from bounceback.providers._common import (
    CamelLenient,
    check_digest,
    decode_hex_digest,
    hmac_sha256,
    join_name,
    key_part,
    new_url_safe_secret,
    parse_datetime,
    parse_json_object,
    read_model,
    require_emails,
    require_header,
    require_role,
    text,
)
from bounceback.providers.base import (
    CandidateRejection,
    HandshakeReply,
    Headers,
    Ignored,
    Interpretation,
    RejectionDelivery,
)

_SIGNATURE = "x-jazzhr-signature"
_EVENT = "x-jazzhr-event"
_EXPORT = "CANDIDATE-EXPORT"
_VERIFY = "VERIFY"
_VERIFY_DATA = "JazzHR Verify Event"
_NOT_HIRED = "not hired"


class _Id(CamelLenient):
    value: str | int | None = None


class _Name(CamelLenient):
    formatted_name: str | None = None
    given: str | None = None
    family: str | None = None


class _Email(CamelLenient):
    address: str | None = None


class _Communication(CamelLenient):
    email: list[_Email] | None = None


class _Person(CamelLenient):
    id: _Id | None = None
    name: _Name | None = None
    communication: _Communication | None = None


class _AssociatedOpening(CamelLenient):
    position_opening_id: _Id | None = None
    position_title: str | None = None


class _Profile(CamelLenient):
    profile_id: _Id | None = None
    associated_position_openings: list[_AssociatedOpening] | None = None


class _Candidate(CamelLenient):
    person: _Person | None = None
    profiles: list[_Profile] | None = None


class _PositionProfile(CamelLenient):
    position_id: _Id | None = None
    position_title: str | None = None


class _PositionOpening(CamelLenient):
    position_profiles: list[_PositionProfile] | None = None


class _ProfileInformation(CamelLenient):
    workflow_status: str | None = None
    workflow_status_category: str | None = None
    workflow_disposition_datetime: str | None = None


class _Export(CamelLenient):
    candidate: _Candidate | None = None
    position_openings: list[_PositionOpening] | None = None
    # Keyed by profile id (one job application of the candidate).
    additional_profile_information: dict[str, _ProfileInformation] | None = None


class JazzHRAdapter:
    name = "jazzhr"
    success_status = 200  # any 2xx counts (3xx is a failure); VERIFY needs exactly 200
    secret_is_generated = True  # the partner secret: we issue it, the customer gives it to JazzHR

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        # JazzHR signs VERIFY too, but answering it stores nothing, so the handshake is answered
        # without checking the signature (the caller has already checked the connection exists).
        if headers.get(_EVENT, "").strip().upper() != _VERIFY or not _is_verify_body(raw_body):
            return None
        return HandshakeReply(status=200)

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        received = decode_hex_digest(require_header(headers, _SIGNATURE), _SIGNATURE)
        check_digest(hmac_sha256(secret.encode(), raw_body), received, _SIGNATURE)

    def interpret(self, headers: Headers, raw_body: bytes) -> Interpretation:
        event = headers.get(_EVENT, "").strip().upper()
        if event != _EXPORT:
            return Ignored(why=f"jazzhr event {event[:60]!r} is not a candidate export")
        export = read_model(_Export, parse_json_object(raw_body), "candidate export")
        not_hired = [
            (profile_id, info)
            for profile_id, info in (export.additional_profile_information or {}).items()
            if (info.workflow_status_category or "").strip().lower() == _NOT_HIRED
        ]
        if not not_hired:
            return Ignored(why="no profile is in a Not Hired workflow status")
        # One export can carry several applications of the candidate; the one that just moved to
        # Not Hired is the one with the latest disposition time.
        profile_id, info = max(not_hired, key=lambda item: _disposition_order(item[1]))
        candidate = export.candidate or _Candidate()
        person = candidate.person or _Person()
        name = person.name or _Name()
        emails = [e.address for e in (person.communication or _Communication()).email or []]
        rejection = CandidateRejection(
            emails=require_emails(emails),
            candidate_name=text(name.formatted_name) or join_name(name.given, name.family),
            role=require_role(_position_title(export, profile_id)),
            # The workflow step the customer attached the export to, e.g. "Not a Fit".
            reason=text(info.workflow_status),
            rejected_at=parse_datetime(info.workflow_disposition_datetime),
        )
        person_id = person.id.value if person.id else None
        return RejectionDelivery(
            dedupe_key=":".join(
                (
                    "jazzhr",
                    key_part(person_id),
                    key_part(profile_id),
                    key_part(info.workflow_disposition_datetime),
                )
            ),
            rejection=rejection,
            application_key=f"jazzhr:{key_part(profile_id)}",
        )

    def new_secret(self) -> str:
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        # JazzHR has no delivery-id header; the event header tells VERIFY from an export.
        event = _VERIFY if _is_verify_body(raw_body) else _EXPORT
        return {_SIGNATURE: hmac_sha256(secret.encode(), raw_body).hex(), _EVENT: event}


def _is_verify_body(raw_body: bytes) -> bool:
    try:
        parsed = json.loads(raw_body)
    except (ValueError, RecursionError):
        return False
    return isinstance(parsed, dict) and parsed.get("data") == _VERIFY_DATA


def _disposition_order(info: _ProfileInformation) -> float:
    parsed = parse_datetime(info.workflow_disposition_datetime)
    return parsed.timestamp() if parsed else float("-inf")


def _position_title(export: _Export, profile_id: str) -> str | None:
    """The job of one profile: its associated opening's title, else the matching position
    opening's title, else the only job the export names."""
    candidate = export.candidate or _Candidate()
    profile = next(
        (
            p
            for p in candidate.profiles or []
            if p.profile_id and key_part(p.profile_id.value) == profile_id
        ),
        None,
    )
    openings = (profile.associated_position_openings or []) if profile else []
    for opening in openings:
        if text(opening.position_title):
            return opening.position_title
    opening_ids = {
        key_part(o.position_opening_id.value) for o in openings if o.position_opening_id is not None
    }
    titles = [
        (key_part(p.position_id.value) if p.position_id else "", p.position_title)
        for opening in export.position_openings or []
        for p in opening.position_profiles or []
        if text(p.position_title)
    ]
    for position_id, title in titles:
        if position_id in opening_ids:
            return title
    distinct = {title for _, title in titles}
    return distinct.pop() if len(distinct) == 1 else None


ADAPTER = JazzHRAdapter()

__all__ = ["ADAPTER", "JazzHRAdapter"]
