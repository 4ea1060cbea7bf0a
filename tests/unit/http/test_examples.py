"""The OpenAPI document's examples are the samples of events/, their one home: the copies the
deployed function carries are kept equal to them here."""

from __future__ import annotations

import json

from bounceback.http import examples
from tests.support.events import SAMPLE_USER, load_event


def test_the_request_examples_are_the_samples() -> None:
    assert load_event("app.profile.json") == examples.PROFILE
    assert load_event("app.rejection.json") == examples.REJECTION
    assert load_event("app.feedback.json") == examples.FEEDBACK


def test_the_sample_requests_caller_key_and_moment() -> None:
    sample = load_event("api.post-rejections.json")
    assert examples.SAMPLE_USER == SAMPLE_USER
    assert sample["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == examples.SAMPLE_USER
    assert sample["headers"]["idempotency-key"] == examples.SAMPLE_IDEMPOTENCY_KEY
    moment = examples._now().timestamp() * 1000
    assert moment == sample["requestContext"]["timeEpoch"]
    assert json.loads(sample["body"]) == examples.REJECTION
