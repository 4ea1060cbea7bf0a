"""The boundaries: sample events parse into their contracts, claims into a caller, page
tokens stay in their collection, and the deployed dependencies match the tested ones."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from bounceback.errors import InvalidRequestError
from bounceback.events import (
    CooldownElapsedEnvelope,
    FeedbackFollowupDueEnvelope,
    FeedbackReceivedEnvelope,
    RejectionLoggedEnvelope,
)
from bounceback.store.table import decode_token, encode_token
from tests.support.events import SAMPLE_REJECTION, SAMPLE_USER, load_event

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("sample", "envelope"),
    [
        ("bounceback.rejection-logged.json", RejectionLoggedEnvelope),
        ("bounceback.feedback-received.json", FeedbackReceivedEnvelope),
        ("bounceback.feedback-follow-up-due.json", FeedbackFollowupDueEnvelope),
        ("bounceback.cooldown-elapsed.json", CooldownElapsedEnvelope),
    ],
)
def test_every_sample_event_parses_into_its_contract(sample: str, envelope: type) -> None:
    event = envelope.model_validate(load_event(sample))
    assert event.detail_type == event.detail.DETAIL_TYPE
    assert event.detail.data.user_id == SAMPLE_USER
    assert event.detail.data.rejection_id == SAMPLE_REJECTION
    assert "@" not in str(load_event(sample))  # no email address travels on the bus


def test_a_detail_of_the_wrong_shape_is_refused() -> None:
    event = load_event("bounceback.rejection-logged.json")
    del event["detail"]["data"]["rejection_id"]
    with pytest.raises(ValueError, match="rejection_id"):
        RejectionLoggedEnvelope.model_validate(event)


PAGE_KEY = {
    "PK": {"S": "USER#a"},
    "SK": {"S": "REJ#r1"},
    "GSI1PK": {"S": "USER#a#REJECTIONS"},
    "GSI1SK": {"S": "2026-11-02T09:15:00Z#r1"},
}


def test_a_page_token_only_opens_its_own_collection() -> None:
    token = encode_token(PAGE_KEY)
    assert decode_token(token, expected_partition="USER#a#REJECTIONS") == PAGE_KEY
    with pytest.raises(InvalidRequestError):
        decode_token(token, expected_partition="USER#b#REJECTIONS")


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token!",
        "%%%",
        "é",
        _b64(b"\xff\xfe"),
        _b64(b"[1, 2]"),
        _b64(b"[" * 100_000),
        _b64(json.dumps({**PAGE_KEY, "GSI1PK": "USER#a#REJECTIONS"}).encode()),
        _b64(json.dumps({**PAGE_KEY, "PK": 7}).encode()),
        _b64(json.dumps({**PAGE_KEY, "PK": {"N": "7"}}).encode()),
        _b64(json.dumps({**PAGE_KEY, "extra": {"S": "x"}}).encode()),
        _b64(json.dumps({k: v for k, v in PAGE_KEY.items() if k != "SK"}).encode()),
    ],
)
def test_a_tampered_page_token_is_invalid_never_an_error(token: str) -> None:
    with pytest.raises(InvalidRequestError):
        decode_token(token, expected_partition="USER#a#REJECTIONS")


def test_the_layer_installs_the_versions_the_tests_ran_with() -> None:
    pins = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$", text, re.MULTILINE)[0]
        for text in (ROOT / "shared" / "requirements.txt").read_text().splitlines()
        if text and not text.startswith("#")
    )
    locked = dict(
        line.split("==", 1)
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    )
    normalise = {k.lower().replace("_", "-"): v for k, v in locked.items()}
    for name, version in pins.items():
        assert normalise[name.lower().replace("_", "-")] == version, name
