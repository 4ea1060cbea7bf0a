"""Teamtailor company webhooks: ``job_application.update``, read back from Teamtailor's API.

Body ``{"payload": {"event_name", "data": {"id", "type", "attributes"}}, "signature"}``. Signature
(v2) in the ``TT-Signature`` header and in the body's ``signature`` field, each base64 of
``t=<unix s>,v2=<hex>``. Teamtailor's docs said the hex is HMAC-SHA256 of ``"{t}." + JSON of
payload`` until 2025-11-10 and of ``"{t}." + raw request body`` since; a body that carries its own
signature cannot be covered by it, so which bytes are really signed is unconfirmed. A delivery is
accepted when the header verifies over ``{t}.{raw body}``, or the body's ``signature`` verifies over
``{t}.`` + the ``payload`` text exactly as it appears in the raw body. The deprecated v1 (it signs
only ``data.id``) is refused. ``t`` more than an hour old or 5 minutes ahead is refused (our replay
window: Teamtailor sends once, with no retries).

A rejection is an update whose ``rejected_at`` is not null; other updates are ignored. The
attributes are listed snake_case but said to be kebab-case: both are read. The candidate, job and
reject reason come from the API; a reject reason with ``rejected-by-company: false`` is the
candidate withdrawing, not a rejection. ``transparent_recruiting_visible_at`` is when the
candidate may first hear of it (``LookupNeeded.not_before``). Any 2xx is success; we answer 200.

API: ``Authorization: Token token=<key>``, a dated ``X-Api-Version``, JSON:API
(``application/vnd.api+json``) with kebab-case attributes.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any

from bounceback.errors import AtsAnswerInvalidError, InvalidPayloadError, InvalidSignatureError
from bounceback.providers._common import (
    Lenient,
    hmac_sha256,
    key_part,
    new_url_safe_secret,
    parse_datetime,
    parse_json_object,
    read_model,
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

_HEADER = "tt-signature"
_EVENT = "job_application.update"
# Teamtailor's docs repo shows 20161108; current integrations send 20240404 (which is current is
# unconfirmed). Dated versions keep answering, so the newer one is sent.
API_VERSION = "20240404"
JSON_API = "application/vnd.api+json"
_MAX_AGE = timedelta(hours=1)
_MAX_AHEAD = timedelta(minutes=5)
_MAX_ENTRIES = 16
_STAMP = re.compile(r"^[0-9]{1,12}$")
_HEX_DIGEST = re.compile(r"^[0-9a-fA-F]{64}$")
_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class TeamtailorLookup(LookupIds):
    application_id: str
    rejected_at: str  # exactly as the delivery sent it (part of the dedupe key)
    job_title: str | None = None
    stage_name: str | None = None


# --- the delivery ---------------------------------------------------------------------------------


class _Data(Lenient):
    id: str | int | None = None
    type: str | None = None
    attributes: dict[str, Any] | None = None


# --- the API's answers (JSON:API) -----------------------------------------------------------------


class _Ref(Lenient):
    type: str | None = None
    id: str | int | None = None


class _Relationship(Lenient):
    data: _Ref | None = None


class _Resource(Lenient):
    type: str | None = None
    id: str | int | None = None
    attributes: dict[str, Any] | None = None
    relationships: dict[str, _Relationship | None] | None = None


class _Document(Lenient):
    data: _Resource
    included: list[_Resource] | None = None


class _OptionalDocument(Lenient):
    data: _Resource | None = None


class TeamtailorAdapter:
    name = "teamtailor"
    success_status = 200  # any 2xx counts
    secret_is_generated = False  # Teamtailor generates the webhook's signature key
    default_api_base_url = "https://api.teamtailor.com/v1"
    lookup_ids: type[LookupIds] = TeamtailorLookup

    def handshake(self, headers: Headers, raw_body: bytes) -> HandshakeReply | None:
        return None

    def verify(self, headers: Headers, raw_body: bytes, secret: str, now: datetime) -> None:
        header = (headers.get(_HEADER) or "").strip()
        in_body = _body_signature(raw_body)
        if not header and in_body is None:
            raise InvalidSignatureError("missing tt-signature header")
        key = secret.encode()
        first_error: InvalidSignatureError | None = None
        # Either documented reading verifies the delivery; each is tried on its own.
        readings: list[tuple[str, str, bytes | None]] = []
        if header:
            readings.append((_HEADER, header, raw_body))
        if in_body is not None:
            readings.append(("body signature", in_body, _raw_payload(raw_body)))
        for name, value, signed in readings:
            try:
                stamp = _check(key, value, signed, name)
            except InvalidSignatureError as error:
                first_error = first_error or error
                continue
            _check_time(stamp, now)
            return
        raise first_error or InvalidSignatureError("signature does not match the body")

    def interpret(self, headers: Headers, raw_body: bytes) -> LookupInterpretation:
        body = parse_json_object(raw_body)
        payload = body.get("payload")
        if not isinstance(payload, dict):
            raise InvalidPayloadError("body has no payload")
        event = payload.get("event_name", payload.get("event-name"))
        if not isinstance(event, str):
            raise InvalidPayloadError("payload has no event_name")
        if event != _EVENT:
            return Ignored(why=f"teamtailor event {event[:60]!r} is not an application update")
        data = read_model(_Data, payload.get("data"), "payload data")
        attributes = data.attributes or {}
        rejected_at = _attribute_text(attributes, "rejected_at")
        if rejected_at is None:
            return Ignored(why="the application update is not a rejection")
        application_id = key_part(data.id) if data.id is not None else ""
        if not application_id:
            raise InvalidPayloadError("job application update without an id")
        visible_at = _attribute_text(attributes, "transparent_recruiting_visible_at")
        return LookupNeeded(
            # PROVIDERS.md: teamtailor:<data.id>:<rejected_at>, as sent.
            dedupe_key=f"teamtailor:{application_id}:{rejected_at}",
            application_key=application_key(application_id),
            lookup=TeamtailorLookup(
                application_id=application_id,
                rejected_at=rejected_at,
                job_title=_attribute_text(attributes, "job_title"),
                stage_name=_attribute_text(attributes, "stage_name"),
            ),
            not_before=parse_datetime(visible_at),
        )

    def new_secret(self) -> str:
        return new_url_safe_secret()

    def signature_headers(
        self, raw_body: bytes, secret: str, now: datetime, delivery_id: str
    ) -> dict[str, str]:
        """``TT-Signature`` over ``{t}.{raw body}`` (the body's own ``signature`` is made by
        ``signed_body``)."""
        return {_HEADER: signature_value(secret, int(now.timestamp()), raw_body)}

    def auth_headers(self, api_key: str) -> dict[str, str]:
        return {
            "authorization": f"Token token={api_key}",
            "x-api-version": API_VERSION,
            "accept": JSON_API,
        }

    def lookup(self, client: AtsApiClient, needed: LookupNeeded) -> Interpretation:
        ids = needed.lookup
        if not isinstance(ids, TeamtailorLookup):
            raise TypeError("a Teamtailor lookup needs TeamtailorLookup ids")
        answer = client.get(
            "job-applications", ids.application_id, query={"include": "candidate,job,reject-reason"}
        )
        document = read_answer(_Document, answer, "job application")
        attributes = document.data.attributes or {}
        rejected_at = _attribute_text(attributes, "rejected_at")
        if rejected_at is None:
            # Un-rejected since: the delivery no longer describes the application.
            return Ignored(why="the application is no longer rejected")
        reason = _related(client, ids.application_id, document, "reject-reason")
        if reason is not None and _attribute(reason, "rejected_by_company") is False:
            return Ignored(why="the candidate withdrew")
        candidate = _related(client, ids.application_id, document, "candidate", required=True)
        job = _related(client, ids.application_id, document, "job")
        candidate = candidate or {}
        rejection = CandidateRejection(
            emails=answer_emails([_attribute_text(candidate, "email")]),
            candidate_name=_name(candidate),
            role=answer_role(_attribute_text(job or {}, "title") or ids.job_title),
            stage=ids.stage_name,
            reason=_attribute_text(reason or {}, "reason"),
            rejected_at=parse_datetime(rejected_at) or parse_datetime(ids.rejected_at),
        )
        # The delivery's key (its rejected_at is signed, and the API may format it differently).
        key = needed.dedupe_key or f"teamtailor:{ids.application_id}:{ids.rejected_at}"
        return RejectionDelivery(
            dedupe_key=key, rejection=rejection, application_key=needed.application_key
        )


def application_key(application_id: str) -> str:
    return f"teamtailor:{application_id}"


def signature_value(secret: str, stamp: int, signed: bytes) -> str:
    """A v2 signature as Teamtailor sends it: base64 of ``t=<stamp>,v2=<hex>`` over
    ``{stamp}.`` + ``signed``."""
    digest = hmac_sha256(secret.encode(), f"{stamp}.".encode() + signed).hex()
    return base64.b64encode(f"t={stamp},v2={digest}".encode()).decode()


def signed_body(payload_text: str, secret: str, now: datetime) -> bytes:
    """A delivery body as Teamtailor sends it: the payload text and a ``signature`` over
    ``{t}.`` + that text."""
    stamp = int(now.timestamp())
    signature = signature_value(secret, stamp, payload_text.encode())
    return f'{{"payload":{payload_text},"signature":{json.dumps(signature)}}}'.encode()


# --- signatures -----------------------------------------------------------------------------------


def _check(key: bytes, value: str, signed: bytes | None, name: str) -> int:
    """The signature's timestamp when ``value`` signs ``{t}.`` + ``signed``."""
    stamp, digests = _parse_signature(value, name)
    if signed is None:
        raise InvalidSignatureError("the body's payload cannot be read as sent")
    expected = hmac_sha256(key, f"{stamp}.".encode() + signed)
    matched = False
    for digest in digests:  # no early exit: timing must not tell which entry matched
        matched |= hmac.compare_digest(expected, digest)
    if not matched:
        raise InvalidSignatureError(f"{name} does not match the body")
    return stamp


def _parse_signature(value: str, name: str) -> tuple[int, list[bytes]]:
    """``t`` and the v2 digests of base64(``t=<unix s>,v2=<hex>[,v2=<hex>…]``); the plain text
    form is read too. Only v1 → refused."""
    decoded = value.strip()
    if not decoded.startswith("t="):
        try:
            decoded = base64.b64decode(decoded + "=" * (-len(decoded) % 4), validate=True).decode(
                "ascii"
            )
        except (binascii.Error, ValueError):
            raise InvalidSignatureError(f"malformed {name}") from None
    stamp: int | None = None
    digests: list[bytes] = []
    saw_v1 = False
    for entry in decoded.split(",")[: 2 + _MAX_ENTRIES]:
        label, _, content = entry.strip().partition("=")
        if label == "t" and _STAMP.match(content):
            stamp = int(content)
        elif label == "v2" and _HEX_DIGEST.match(content):
            digests.append(bytes.fromhex(content))
        elif label == "v1":
            saw_v1 = True
    if stamp is None:
        raise InvalidSignatureError(f"malformed {name}")
    if not digests:
        if saw_v1:
            raise InvalidSignatureError("v1 signatures are refused: configure the webhook for v2")
        raise InvalidSignatureError(f"malformed {name}")
    return stamp, digests


def _check_time(stamp: int, now: datetime) -> None:
    age = now.timestamp() - stamp
    if age > _MAX_AGE.total_seconds():
        raise InvalidSignatureError("signature timestamp is more than an hour old")
    if -age > _MAX_AHEAD.total_seconds():
        raise InvalidSignatureError("signature timestamp is in the future")


def _body_signature(raw_body: bytes) -> str | None:
    try:
        body = json.loads(raw_body)
    except (ValueError, RecursionError):
        return None
    value = body.get("signature") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _raw_payload(raw_body: bytes) -> bytes | None:
    """The ``payload`` member's value exactly as it appears in the raw body; None when the body is
    not one JSON object or names ``payload`` other than exactly once (a second copy could be the
    one a parser reads while the first is the one signed)."""
    try:
        members = _raw_members(raw_body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    found = [value for key, value in members if key == "payload"]
    return found[0].encode("utf-8") if len(found) == 1 else None


def _raw_members(document: str) -> list[tuple[str, str]]:
    """Each top-level member of a JSON object as (key, value text exactly as written);
    ``ValueError`` when the text is not exactly one JSON object."""
    position = _skip(document, 0)
    if document[position : position + 1] != "{":
        raise ValueError("not an object")
    position = _skip(document, position + 1)
    members: list[tuple[str, str]] = []
    closed = document[position : position + 1] == "}"
    while not closed:
        if document[position : position + 1] != '"':
            raise ValueError("expected a key")
        key, position = _DECODER.raw_decode(document, position)
        position = _skip(document, position)
        if document[position : position + 1] != ":":
            raise ValueError("expected a colon")
        start = _skip(document, position + 1)
        _, end = _DECODER.raw_decode(document, start)
        members.append((str(key), document[start:end]))
        position = _skip(document, end)
        separator = document[position : position + 1]
        closed = separator == "}"
        if not closed:
            if separator != ",":
                raise ValueError("expected a comma")
            position = _skip(document, position + 1)
    if _skip(document, position + 1) != len(document):
        raise ValueError("text after the object")
    return members


def _skip(document: str, position: int) -> int:
    match = _WHITESPACE.match(document, position)
    return match.end() if match else position


# --- reading attributes ---------------------------------------------------------------------------


def _attribute(attributes: dict[str, Any], name: str) -> Any:
    """An attribute by its snake_case or kebab-case name (Teamtailor's docs show both)."""
    if name in attributes:
        return attributes[name]
    return attributes.get(name.replace("_", "-"))


def _attribute_text(attributes: dict[str, Any], name: str) -> str | None:
    value = _attribute(attributes, name)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return text(str(value))


def _name(candidate: dict[str, Any]) -> str | None:
    parts = [_attribute_text(candidate, "first_name"), _attribute_text(candidate, "last_name")]
    return text(" ".join(p for p in parts if p))


def _related(
    client: AtsApiClient,
    application_id: str,
    document: _Document,
    relationship: str,
    *,
    required: bool = False,
) -> dict[str, Any] | None:
    """The attributes of a related resource: from ``included`` when the answer has it, else from
    ``/job-applications/{id}/{relationship}``; None when the application has none."""
    relationships = document.data.relationships or {}
    link = relationships.get(relationship) or relationships.get(relationship.replace("-", "_"))
    reference = link.data if link else None
    if reference is not None and reference.id is not None:
        for resource in document.included or []:
            if resource.type == reference.type and key_part(resource.id) == key_part(reference.id):
                return resource.attributes or {}
    elif link is not None or not required:
        # The application has no such resource (``data: null``), or it was not asked for.
        return None
    answer = client.get("job-applications", application_id, relationship)
    related = read_answer(_OptionalDocument, answer, relationship).data
    if related is None:
        if required:
            raise AtsAnswerInvalidError(f"ATS API application has no {relationship}")
        return None
    return related.attributes or {}


ADAPTER = TeamtailorAdapter()

__all__ = [
    "ADAPTER",
    "API_VERSION",
    "TeamtailorAdapter",
    "TeamtailorLookup",
    "application_key",
    "signature_value",
    "signed_body",
]
