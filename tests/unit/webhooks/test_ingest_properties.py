"""Whatever arrives at a webhook URL, the answer is never a 5xx and nothing is stored.

Bodies are arbitrary bytes, arbitrary JSON, and the signed samples with one part replaced by
anything; headers are arbitrary, or the provider's own signature over the body (so the payload
reading is reached, not only the signature check). No user is registered, so no delivery may
store anything: a stored item could only come from a bug.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bounceback.providers.registry import PROVIDERS, get_adapter
from bounceback.workflow.webhooks import MAX_BODY_BYTES, ingest
from functions.webhooks import app
from tests.support.events import LambdaContext, load_event
from tests.unit.webhooks.fakes import FakeWorld

NAMES = sorted(PROVIDERS)
SECRETS: dict[str, str] = load_event("webhooks/secrets.json")
NOW = datetime.fromtimestamp(1741947300, tz=UTC)  # the samples' clock
SAMPLES = ["rejection", "ping", "unreject", "withdrawn", "moved", "verify"]
SIGNATURE_HEADERS = [
    "signature",
    "ashby-signature",
    "x-workable-signature",
    "x-jazzhr-signature",
    "x-jazzhr-event",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "greenhouse-event-id",
]
HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["VERIFY", "CANDIDATE-EXPORT", "sha256 ", "sha256=", "v1,", "1741947300"]),
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["Archived", "reject_candidate", "Not Hired", "ada@example.com", ""]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def world() -> FakeWorld:
    fake = FakeWorld()
    for name in NAMES:
        fake.connections.add(f"conn-{name}-sample", name, SECRETS[name])
    return fake


def sample_bodies(provider: str) -> list[bytes]:
    found = []
    for what in SAMPLES:
        try:
            event = load_event(f"webhooks/{provider}.{what}.json")
        except FileNotFoundError:
            continue
        found.append(event["body"].encode())
    return found


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found.extend(_paths(inner, (*prefix, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(_paths(inner, (*prefix, index)))
    return found


@st.composite
def mutated_sample(draw: st.DrawFn, provider: str) -> bytes:
    payload = json.loads(draw(st.sampled_from(sample_bodies(provider))))
    path = draw(st.sampled_from(_paths(payload)))
    replacement = draw(json_values)
    if not path:
        return json.dumps(replacement).encode()
    target = payload
    for key in path[:-1]:
        target = target[key]
    if draw(st.booleans()) and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return json.dumps(payload, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def deliveries(draw: st.DrawFn) -> dict[str, Any]:
    provider = draw(st.sampled_from(NAMES))
    # mostly the provider's own connection; sometimes another's, or junk in the URL
    odds = draw(st.integers(0, 9))
    connection_id = f"conn-{provider}-sample"
    if odds == 0:
        connection_id = draw(st.text(max_size=70))
    elif odds == 1:
        connection_id = f"conn-{draw(st.sampled_from(NAMES))}-sample"
    url_provider = draw(st.text(max_size=12)) if odds == 2 else provider
    body = draw(
        st.one_of(
            st.binary(max_size=512),
            json_values.map(lambda v: json.dumps(v).encode()),
            mutated_sample(provider),
        )
    )
    headers = draw(
        st.dictionaries(
            st.sampled_from(SIGNATURE_HEADERS) | st.text(max_size=20).map(str.lower),
            HEADER_VALUES,
            max_size=6,
        )
    )
    if draw(st.integers(0, 3)) > 0:  # signed exactly as the provider signs, with the right secret
        adapter = get_adapter(provider)
        assert adapter is not None
        headers |= adapter.signature_headers(
            body, SECRETS[provider], NOW, draw(st.text(max_size=30))
        )
    return {
        "provider": url_provider,
        "connection_id": connection_id,
        "headers": headers,
        "raw_body": body,
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delivery=deliveries())
def test_any_delivery_gets_a_non_5xx_answer_and_stores_nothing(delivery: dict[str, Any]) -> None:
    fake = world()

    answer = ingest(fake.services(), now=NOW, request_id="req", **delivery)
    event(answer.outcome.value)

    assert 200 <= answer.status < 500
    assert fake.nothing_written()
    if answer.status == 204:
        assert answer.body is None
    else:
        assert answer.body is not None
        json.dumps(dict(answer.body))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    delivery=deliveries(),
    encoding=st.sampled_from(["text", "base64", "broken-base64"]),
    title_case=st.booleans(),
)
def test_any_event_through_the_handler_gets_a_json_answer_below_500(
    delivery: dict[str, Any], encoding: str, title_case: bool
) -> None:
    fake = world()
    event = load_event("webhooks/greenhouse.rejection.json")
    raw: bytes = delivery["raw_body"]
    if encoding == "text":
        event["body"], event["isBase64Encoded"] = raw.decode("utf-8", "replace"), False
    elif encoding == "base64":
        event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    else:
        event["body"], event["isBase64Encoded"] = "%%" + raw.decode("latin-1"), True
    headers: dict[str, str] = delivery["headers"]
    event["headers"] = {(k.title() if title_case else k): v for k, v in headers.items()}
    event["pathParameters"] = {
        "provider": delivery["provider"],
        "connection_id": delivery["connection_id"],
    }

    with mock.patch.object(app, "services", fake.services):
        response = app.handler(event, LambdaContext(function_name="WebhooksFunction"))

    assert 200 <= response["statusCode"] < 500
    assert response["headers"]["content-type"] == "application/json"
    if response["body"]:
        json.loads(response["body"])
    assert fake.nothing_written()


def test_a_body_over_the_limit_is_refused_before_the_connection_is_read() -> None:
    fake = world()
    fake.connections.secrets.clear()  # reading it would answer 404, not 413

    answer = ingest(
        fake.services(),
        provider="greenhouse",
        connection_id="conn-greenhouse-sample",
        headers={},
        raw_body=b"{" * (MAX_BODY_BYTES + 1),
        now=NOW,
        request_id="req",
    )

    assert answer.status == 413


def test_a_broken_base64_body_answers_400() -> None:
    fake = world()
    event = load_event("webhooks/greenhouse.rejection.json")
    event["body"], event["isBase64Encoded"] = "not base64!", True

    with mock.patch.object(app, "services", fake.services):
        response = app.handler(event, LambdaContext())

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["message"]


def test_the_standard_success_has_no_body() -> None:
    fake = world()
    event = load_event("webhooks/standard.rejection.json")

    with mock.patch.object(app, "services", fake.services):
        response = app.handler(event, LambdaContext())

    # the candidate is unknown here: answered exactly like a logged rejection
    assert response["statusCode"] == 204
    assert response["body"] == ""
