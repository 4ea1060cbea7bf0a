"""What every adapter promises: signatures checked over the raw bytes, typed errors only."""

from __future__ import annotations

import contextlib
import json
import string
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounceback.errors import InvalidPayloadError, InvalidSignatureError
from bounceback.providers.base import (
    HandshakeReply,
    Ignored,
    ProviderAdapter,
    RejectionDelivery,
    RejectionWithdrawn,
)
from bounceback.providers.registry import PROVIDERS, get_adapter
from tests.unit.providers.helpers import NOW, load_event, raw_body

ADAPTERS = sorted(PROVIDERS.values(), key=lambda a: a.name)
IDS = [a.name for a in ADAPTERS]
REJECTION_SAMPLE = {a.name: f"{a.name}.rejection" for a in ADAPTERS}

# Per provider: header values that are present but not a signature in that provider's form.
MALFORMED: dict[str, list[dict[str, str]]] = {
    "greenhouse": [
        {"signature": "sha1 " + "0" * 40},
        {"signature": "sha256"},
        {"signature": "sha256 not-hex-at-all-" + "z" * 42},
        {"signature": "sha256 abc123"},
        {"signature": "sha256=" + "0" * 64},
        {"signature": "sha256 é" + "0" * 63},
    ],
    "ashby": [
        {"ashby-signature": "0" * 64},
        {"ashby-signature": "sha1=" + "0" * 40},
        {"ashby-signature": "sha256=xyz"},
        {"ashby-signature": "sha256 " + "0" * 64},
    ],
    "workable": [
        {"x-workable-signature": "g" * 64},
        {"x-workable-signature": "not base64!"},
        {"x-workable-signature": "AAAA"},
    ],
    "jazzhr": [
        {"x-jazzhr-signature": "sha256=" + "0" * 64},
        {"x-jazzhr-signature": "0" * 63},
        {"x-jazzhr-signature": "Z" * 64},
    ],
    "standard": [
        {"webhook-signature": "v1"},
        {"webhook-signature": "v2,AAAA"},
        {"webhook-signature": "v1,@@@not-base64@@@"},
        {"webhook-timestamp": "yesterday"},
        {"webhook-timestamp": "-1741947300"},
        {"webhook-timestamp": "1741947300.5"},
    ],
}


def _fixture(adapter: ProviderAdapter) -> tuple[bytes, str, dict[str, str]]:
    """A rejection body, a fresh secret and the headers that sign it."""
    body = raw_body(load_event(REJECTION_SAMPLE[adapter.name]))
    secret = adapter.new_secret()
    return body, secret, adapter.signature_headers(body, secret, NOW, "delivery-1")


def test_registry_knows_every_provider_by_its_own_name() -> None:
    # Given the registry / When looking each provider up / Then the adapter answers to its name
    assert set(PROVIDERS) == {"greenhouse", "ashby", "workable", "jazzhr", "standard"}
    for name, adapter in PROVIDERS.items():
        assert get_adapter(name) is adapter
        assert adapter.name == name
    assert get_adapter("lever") is None


def test_registry_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(TypeError):
        PROVIDERS["evil"] = PROVIDERS["greenhouse"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "status"),
    [("greenhouse", 200), ("ashby", 200), ("workable", 200), ("jazzhr", 200), ("standard", 204)],
)
def test_success_status_is_what_the_provider_counts_as_success(name: str, status: int) -> None:
    adapter = get_adapter(name)
    assert adapter is not None
    assert adapter.success_status == status


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_valid_signature_is_accepted(adapter: ProviderAdapter) -> None:
    # Given a body signed as the provider signs it
    body, secret, headers = _fixture(adapter)
    # When verifying / Then nothing is raised
    adapter.verify(headers, body, secret, NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_tampered_body_is_refused(adapter: ProviderAdapter) -> None:
    body, secret, headers = _fixture(adapter)
    tampered = body.replace(b"ada@example.com", b"eve@example.com")
    assert tampered != body
    with pytest.raises(InvalidSignatureError):
        adapter.verify(headers, tampered, secret, NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_trailing_byte_is_refused(adapter: ProviderAdapter) -> None:
    body, secret, headers = _fixture(adapter)
    with pytest.raises(InvalidSignatureError):
        adapter.verify(headers, body + b"\n", secret, NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_wrong_secret_is_refused(adapter: ProviderAdapter) -> None:
    body, _, headers = _fixture(adapter)
    with pytest.raises(InvalidSignatureError):
        adapter.verify(headers, body, adapter.new_secret(), NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_each_missing_signature_header_is_refused(adapter: ProviderAdapter) -> None:
    body, secret, headers = _fixture(adapter)
    required = [h for h in headers if h not in ("greenhouse-event-id", "x-jazzhr-event")]
    assert required
    for header in required:
        incomplete = {k: v for k, v in headers.items() if k != header}
        with pytest.raises(InvalidSignatureError, match="missing"):
            adapter.verify(incomplete, body, secret, NOW)
        with pytest.raises(InvalidSignatureError):
            adapter.verify({**headers, header: "  "}, body, secret, NOW)


@pytest.mark.parametrize(
    ("adapter", "override"),
    [(get_adapter(name), o) for name, overrides in MALFORMED.items() for o in overrides],
)
def test_malformed_signature_header_is_refused(
    adapter: ProviderAdapter, override: dict[str, str]
) -> None:
    body, secret, headers = _fixture(adapter)
    with pytest.raises(InvalidSignatureError):
        adapter.verify({**headers, **override}, body, secret, NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_errors_never_reveal_the_secret_or_body(adapter: ProviderAdapter) -> None:
    body, secret, headers = _fixture(adapter)
    with pytest.raises(InvalidSignatureError) as caught:
        adapter.verify(headers, body + b"x", secret, NOW)
    message = str(caught.value)
    assert secret not in message
    assert "ada@example.com" not in message
    assert len(message) < 80


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_new_secret_is_long_random_and_url_safe(adapter: ProviderAdapter) -> None:
    first, second = adapter.new_secret(), adapter.new_secret()
    assert first != second
    assert len(first) >= 40
    allowed = set(string.ascii_letters + string.digits + "-_=+/")
    assert set(first) <= allowed


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
def test_body_that_is_not_json_is_an_invalid_payload(adapter: ProviderAdapter) -> None:
    headers = load_event(REJECTION_SAMPLE[adapter.name])["headers"]
    for body in (b"", b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"[" * 100_000):
        with pytest.raises(InvalidPayloadError):
            adapter.interpret(headers, body)


# --- properties --------------------------------------------------------------------------------

_HEADER_NAMES = st.sampled_from(
    [
        "signature",
        "greenhouse-event-id",
        "ashby-signature",
        "x-workable-signature",
        "x-jazzhr-signature",
        "x-jazzhr-event",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    ]
)
_HEADER_VALUES = st.one_of(
    st.text(max_size=120),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=60, max_size=68),
    st.text(alphabet=string.ascii_letters + string.digits + "+/=, .", max_size=120),
    st.builds(lambda s: f"sha256 {s}", st.text(max_size=70)),
    st.builds(lambda s: f"sha256={s}", st.text(max_size=70)),
    st.builds(lambda s: f"v1,{s}", st.text(max_size=50)),
    st.integers().map(str),
    st.sampled_from(["VERIFY", "CANDIDATE-EXPORT", "1741947300"]),
)
_HEADERS = st.dictionaries(st.one_of(_HEADER_NAMES, st.text(max_size=20)), _HEADER_VALUES)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
_OUTCOMES = (Ignored, RejectionDelivery, RejectionWithdrawn)
_PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


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
def _mutated_samples(draw: st.DrawFn) -> tuple[ProviderAdapter, dict[str, str], bytes]:
    """A real sample with some of its values swapped for arbitrary JSON: the shapes a lenient
    reader meets in the wild (nulls, wrong types, missing lists)."""
    adapter = draw(st.sampled_from(ADAPTERS))
    event = load_event(REJECTION_SAMPLE[adapter.name])
    document = json.loads(raw_body(event))
    paths = _paths(document)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(document)
        document = _replace(document, draw(st.sampled_from(paths)), draw(_JSON))
    return adapter, event["headers"], json.dumps(document).encode()


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_PROPERTY_SETTINGS
@given(headers=_HEADERS, body=st.binary(max_size=300))
def test_verify_raises_only_signature_errors(
    adapter: ProviderAdapter, headers: dict[str, str], body: bytes
) -> None:
    with contextlib.suppress(InvalidSignatureError):
        adapter.verify(headers, body, "whsec_c2VjcmV0LWtleS1mb3ItcHJvcGVydHktdGVzdHM=", NOW)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_PROPERTY_SETTINGS
@given(headers=_HEADERS, body=st.binary(max_size=300), skew=st.integers(-400, 400))
def test_verify_with_arbitrary_timestamps_raises_only_signature_errors(
    adapter: ProviderAdapter, headers: dict[str, str], body: bytes, skew: int
) -> None:
    with contextlib.suppress(InvalidSignatureError):
        adapter.verify(headers, body, adapter.new_secret(), NOW + timedelta(seconds=skew))


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_PROPERTY_SETTINGS
@given(headers=_HEADERS, body=st.binary(max_size=300))
def test_interpret_and_handshake_never_fail_on_arbitrary_bytes(
    adapter: ProviderAdapter, headers: dict[str, str], body: bytes
) -> None:
    assert adapter.handshake(headers, body) in (None, HandshakeReply(status=200))
    with contextlib.suppress(InvalidPayloadError):
        assert isinstance(adapter.interpret(headers, body), _OUTCOMES)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=IDS)
@_PROPERTY_SETTINGS
@given(document=_JSON)
def test_interpret_never_fails_on_arbitrary_json(adapter: ProviderAdapter, document: Any) -> None:
    headers = load_event(REJECTION_SAMPLE[adapter.name])["headers"]
    with contextlib.suppress(InvalidPayloadError):
        assert isinstance(adapter.interpret(headers, json.dumps(document).encode()), _OUTCOMES)


@_PROPERTY_SETTINGS
@given(case=_mutated_samples())
def test_interpret_never_fails_on_mutated_samples(
    case: tuple[ProviderAdapter, dict[str, str], bytes],
) -> None:
    adapter, headers, body = case
    try:
        outcome = adapter.interpret(headers, body)
    except InvalidPayloadError:
        return
    assert isinstance(outcome, _OUTCOMES)
    if isinstance(outcome, RejectionDelivery):
        # Whatever survives is usable: an address to find the user by and a job to name.
        assert outcome.rejection.emails
        assert outcome.rejection.role.strip()
        assert outcome.rejection.rejected_at is None or outcome.rejection.rejected_at.tzinfo
