"""Event routing by the template's rules, with moto's EventBridge pattern matcher."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bounceback_local.router import (
    compile_rules,
    failure_record,
    matching_rules,
    normalise_event,
    retry_delay,
    target_input,
)
from bounceback_local.template import RuleSpec, read_deployment

REPO = Path(__file__).resolve().parents[3]
BUS = "bounceback-dev"


@pytest.fixture(scope="module")
def rules() -> list[Any]:
    """The template's routing: each step's rule fills its queue, which feeds its function
    (matched here as one rule to that function, with the rule's own pattern)."""
    deployment = read_deployment(REPO / "template.yaml", {"JwtIssuer": "i", "JwtAudience": "a"})
    fed_by = {m.event_source_arn: m.function for m in deployment.event_source_mappings}
    return compile_rules(
        RuleSpec(rule.name, fed_by[rule.queue_arn], rule.bus_name, rule.pattern, None)
        for rule in deployment.queue_rules
    )


def _event(detail_type: str, source: str = "bounceback", **detail: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "e1",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-11-02T09:15:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


@pytest.mark.parametrize(
    ("detail_type", "functions"),
    [
        (
            "Rejection Logged",
            {"EncourageFunction", "RequestFeedbackFunction", "ScheduleReapplyFunction"},
        ),
        ("Feedback Received", {"RequestFeedbackFunction", "BuildPlanFunction"}),
        ("Feedback Follow-up Due", {"RequestFeedbackFunction"}),
        ("Cooldown Elapsed", {"ReapplyFunction"}),
        ("ATS Lookup Needed", {"AtsLookupFunction"}),
        ("Something Else", set()),
    ],
)
def test_each_event_reaches_the_functions_whose_rules_match(
    rules: list[Any], detail_type: str, functions: set[str]
) -> None:
    assert {r.function for r in matching_rules(rules, BUS, _event(detail_type))} == functions


def test_other_sources_and_other_buses_match_nothing(rules: list[Any]) -> None:
    assert matching_rules(rules, BUS, _event("Rejection Logged", source="someone.else")) == []
    assert matching_rules(rules, "default", _event("Rejection Logged")) == []


def test_full_pattern_semantics() -> None:
    pattern = {
        "source": [{"prefix": "bounce"}],
        "detail": {
            "stage": [{"anything-but": ["phone"]}],
            "days": [{"numeric": [">", 30]}],
            "recruiter": {"email": [{"exists": True}]},
        },
    }
    compiled = compile_rules([RuleSpec("R", "Fn", BUS, pattern, None)])
    matching = _event("X", stage="onsite", days=90, recruiter={"email": "r@x"})
    assert matching_rules(compiled, BUS, matching)
    assert not matching_rules(compiled, BUS, _event("X", stage="phone", days=90, recruiter={}))
    assert not matching_rules(compiled, BUS, _event("X", stage="onsite", days=7))


def test_events_get_the_eventbridge_shape_back() -> None:
    raw = {"id": "1", "time": "t", "version": "0", "detail-type": "D", "source": "s",
           "region": "us-east-1", "resources": [], "detail": {}, "ingestion-time": 1.0}  # fmt: skip
    event = normalise_event(raw)
    assert list(event) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    ]  # fmt: skip
    assert event["account"] == "123456789012"


def test_target_input_honours_input_and_input_path() -> None:
    event = _event("X", a=1)
    assert target_input(RuleSpec("R", "Fn", BUS, {}, None), event) is event
    assert target_input(RuleSpec("R", "Fn", BUS, {}, None, input='{"k": 1}'), event) == {"k": 1}
    assert target_input(RuleSpec("R", "Fn", BUS, {}, None, input_path="$.detail"), event) == {
        "a": 1
    }


def test_the_failure_record_looks_like_a_lambda_destination_record() -> None:
    try:
        raise ValueError("bad")
    except ValueError as error:
        record = failure_record("arn:fn", {"id": "e1"}, 3, error, "2026-01-01T00:00:00.000Z")
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == "arn:fn:$LATEST"
    assert record["requestPayload"] == {"id": "e1"}
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "bad"
    json.dumps(record)


def test_retries_back_off() -> None:
    assert [retry_delay(n, 0.2) for n in (1, 2, 3)] == [0.2, 0.4, 0.8]
    assert retry_delay(20, 0.2) == 5.0
