"""What every adapter of a provider that sends ids promises, whatever arrives: verify raises only
InvalidSignatureError, interpret only InvalidPayloadError, and a lookup over any answer the API
could give raises only the typed ATS errors."""

from __future__ import annotations

import contextlib
import json
import string
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounceback.errors import AtsApiError, InvalidPayloadError, InvalidSignatureError
from bounceback.providers.ats_api import AtsApiClient, ClientSettings
from bounceback.providers.base import (
    HandshakeReply,
    Ignored,
    LookupAdapter,
    LookupNeeded,
    RejectionDelivery,
    RejectionWithdrawn,
)
from bounceback.providers.registry import LOOKUP_PROVIDERS
from bounceback_local.fake_ats import PREFIXES, demo_documents
from tests.unit.providers.helpers import NOW, load_event, raw_body
from tests.unit.providers.lookup_support import sample_needed

ADAPTERS = sorted(LOOKUP_PROVIDERS.values(), key=lambda a: a.name)
IDS = [a.name for a in ADAPTERS]

_HEADER_NAMES = st.sampled_from(
    [
        "tt-signature",
        "smartrecruiters-signature",
        "smartrecruiters-timestamp",
        "event-id",
        "event-name",
        "event-version",
        "link",
        "x-hook-secret",
    ]
)
_HEADER_VALUES = st.one_of(
    st.text(max_size=120),
    st.text(alphabet="0123456789abcdef", min_size=60, max_size=68).map(lambda s: f"v1={s}"),
    st.text(alphabet=string.ascii_letters + string.digits + "+/=,;. <>", max_size=120),
    st.sampled_from(["application.status.updated", "1741947300", "<https://x.example/a>"]),
)
_HEADERS = st.dictionaries(st.one_of(_HEADER_NAMES, st.text(max_size=20)), _HEADER_VALUES)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_OUTCOMES = (Ignored, RejectionDelivery, RejectionWithdrawn)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(document, dict):
        return {**document, head: _replace(document[head], tuple(rest), value)}
    copy = list(document)
    copy[head] = _replace(copy[head], tuple(rest), value)
    return copy


@st.composite
def _mutated(draw: st.DrawFn, document: Any) -> Any:
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(document)
        if not paths:
            return draw(_JSON)
        document = _replace(document, draw(st.sampled_from(paths)), draw(_JSON))
    return document


# --- verify, interpret, handshake -----------------------------------------------------------------


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_SETTINGS
@given(headers=_HEADERS, body=st.binary(max_size=300))
def test_verify_raises_only_signature_errors(
    adapter: LookupAdapter, headers: dict[str, str], body: bytes
) -> None:
    with contextlib.suppress(InvalidSignatureError):
        adapter.verify(headers, body, "a-secret-for-property-tests", NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_SETTINGS
@given(document=_JSON, headers=_HEADERS)
def test_verify_raises_only_signature_errors_on_json(
    adapter: LookupAdapter, document: Any, headers: dict[str, str]
) -> None:
    with contextlib.suppress(InvalidSignatureError):
        adapter.verify(headers, json.dumps(document).encode(), "secret", NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_SETTINGS
@given(headers=_HEADERS, body=st.binary(max_size=300))
def test_interpret_and_handshake_never_fail_on_arbitrary_bytes(
    adapter: LookupAdapter, headers: dict[str, str], body: bytes
) -> None:
    reply = adapter.handshake(headers, body)
    assert reply is None or isinstance(reply, HandshakeReply)
    with contextlib.suppress(InvalidPayloadError):
        assert isinstance(adapter.interpret(headers, body), Ignored | LookupNeeded)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_SETTINGS
@given(data=st.data())
def test_interpret_never_fails_on_mutated_samples(
    adapter: LookupAdapter, data: st.DataObject
) -> None:
    event = load_event(f"{adapter.name}.rejection")
    document = data.draw(_mutated(json.loads(raw_body(event))))
    body = json.dumps(document).encode()
    try:
        meaning = adapter.interpret(event["headers"], body)
    except InvalidPayloadError:
        return
    assert isinstance(meaning, Ignored | LookupNeeded)
    if isinstance(meaning, LookupNeeded):
        assert meaning.application_key.startswith(f"{adapter.name}:")
        assert meaning.not_before is None or meaning.not_before.tzinfo is not None


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_a_body_that_is_not_json_is_an_invalid_payload(adapter: LookupAdapter) -> None:
    headers = load_event(f"{adapter.name}.rejection")["headers"]
    for body in (b"", b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"[" * 100_000):
        with pytest.raises(InvalidPayloadError):
            adapter.interpret(headers, body)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_a_wrong_secret_is_refused_and_the_error_reveals_nothing(adapter: LookupAdapter) -> None:
    event = load_event(f"{adapter.name}.rejection")
    secret = adapter.new_secret()
    with pytest.raises(InvalidSignatureError) as caught:
        adapter.verify(event["headers"], raw_body(event), secret, NOW)
    assert secret not in str(caught.value)
    assert len(str(caught.value)) < 80


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_the_employer_brings_the_signing_secret(adapter: LookupAdapter) -> None:
    # Each of these ATSs issues its own signing key: a generated one would be useless.
    assert adapter.secret_is_generated is False


# --- lookups over any answer ----------------------------------------------------------------------


class _Answer:
    def __init__(self, status: int, data: bytes) -> None:
        self.status = status
        self._data = data
        self.headers: dict[str, str] = {}

    def read(self, amount: int) -> bytes:
        return self._data[:amount]

    def release_conn(self) -> None:
        return None

    def close(self) -> None:
        return None


class _DocumentPool:
    """Answers each path from a dict, as the fake server would, without sockets."""

    def __init__(self, provider: str, documents: dict[str, Any]) -> None:
        self.prefix = PREFIXES[provider]
        self.documents = documents

    def urlopen(self, method: str, url: str, **_: Any) -> _Answer:
        path = urlsplit(url).path.removeprefix(self.prefix)
        if path not in self.documents:
            return _Answer(404, b"{}")
        return _Answer(200, json.dumps(self.documents[path]).encode())


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_SETTINGS
@given(data=st.data())
def test_a_lookup_over_any_answer_raises_only_typed_errors(
    adapter: LookupAdapter, data: st.DataObject
) -> None:
    # Given the API's documents with some values swapped for arbitrary JSON
    documents = demo_documents()[adapter.name]
    path = data.draw(st.sampled_from(sorted(documents)))
    documents[path] = data.draw(_mutated(documents[path]))
    pool = _DocumentPool(adapter.name, documents)
    client = AtsApiClient(
        "http://ats.invalid" + PREFIXES[adapter.name],
        adapter.auth_headers("key"),
        settings=ClientSettings(attempts=1),
        pool=pool,  # type: ignore[arg-type]
    )
    # When looked up / Then a meaning, or a typed ATS error, nothing else
    try:
        meaning = adapter.lookup(client, sample_needed(f"{adapter.name}.rejection"))
    except AtsApiError:
        return
    assert isinstance(meaning, _OUTCOMES)
    if isinstance(meaning, RejectionDelivery):
        assert meaning.rejection.emails
        assert meaning.rejection.role.strip()
        assert meaning.rejection.rejected_at is None or meaning.rejection.rejected_at.tzinfo
