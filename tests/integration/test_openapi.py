"""The OpenAPI document tells the truth: every route declares each status it answers with its
real body, every error is ``ErrorOut``, and its examples are what the API really answers."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bounceback.http import examples
from functions.api.app import handler, openapi_document
from tests.support.api import call_api
from tests.support.cloud import Cloud
from tests.support.events import LambdaContext, load_event

WEBHOOK = ("post", "/webhooks/{provider}/{connection_id}")
SUCCESS = {
    ("put", "/me"): "200",
    ("get", "/me"): "200",
    ("delete", "/me"): "204",
    ("post", "/me/emails/code"): "202",
    ("post", "/me/emails/verify"): "200",
    ("get", "/me/export"): "200",
    ("post", "/rejections"): "201",
    ("get", "/rejections"): "200",
    ("get", "/rejections/{rejection_id}"): "200",
    ("patch", "/rejections/{rejection_id}"): "200",
    ("delete", "/rejections/{rejection_id}"): "204",
    ("post", "/rejections/{rejection_id}/feedback"): "202",
    ("get", "/plan"): "200",
    ("get", "/notifications"): "200",
    ("post", "/admin/connections"): "201",
    ("get", "/admin/connections"): "200",
    ("delete", "/admin/connections/{connection_id}"): "204",
    ("put", "/admin/connections/{connection_id}/secret"): "200",
    ("get", "/admin/dead-letters"): "200",
    ("post", "/admin/dead-letters/redrive"): "200",
}


@cache
def document() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(openapi_document())
    return parsed


def operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
    }


def schema_of(response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content", {}).get("application/json")
    return None if content is None else content["schema"]


def test_it_is_a_valid_openapi_document() -> None:
    validate(document())


def test_every_route_is_documented_for_a_reader() -> None:
    assert set(operations()) == {*SUCCESS, WEBHOOK}
    for key, operation in operations().items():
        assert operation["summary"], key
        assert operation["description"], key
        assert operation["tags"], key
        assert operation["operationId"].replace("_", "").isalpha(), key
    assert {tag["name"] for tag in document()["tags"]} == {
        tag for operation in operations().values() for tag in operation["tags"]
    }


def test_every_app_and_admin_route_needs_the_bearer_token() -> None:
    assert document()["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for key, operation in operations().items():
        expected = None if key == WEBHOOK else [{"bearerAuth": []}]
        assert operation.get("security") == expected, key
        if key != WEBHOOK:
            assert "401" in operation["responses"], key
        if key[1].startswith("/admin/"):
            assert "403" in operation["responses"], key


def test_each_route_declares_its_real_success() -> None:
    for key, status in SUCCESS.items():
        responses = operations()[key]["responses"]
        assert [s for s in responses if s.startswith("2")] == [status], key
        if status == "204":
            assert "content" not in responses[status], key
        else:
            assert schema_of(responses[status]) != {"type": "string"}, key
    created = operations()[("post", "/rejections")]["responses"]["201"]
    assert schema_of(created) == {"$ref": "#/components/schemas/RejectionOut"}
    assert created["headers"]["Location"]["required"] is True
    feedback = operations()[("post", "/rejections/{rejection_id}/feedback")]["responses"]["202"]
    assert schema_of(feedback) == {"$ref": "#/components/schemas/FeedbackAccepted"}
    code = operations()[("post", "/me/emails/code")]["responses"]["202"]
    assert schema_of(code) == {"$ref": "#/components/schemas/EmailCodeSent"}


def test_every_error_is_the_one_error_body() -> None:
    for key, operation in operations().items():
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert schema_of(response) == {"$ref": "#/components/schemas/ErrorOut"}, key
    body = document()["components"]["schemas"]["ErrorOut"]
    assert body["required"] == ["message"]


@pytest.mark.parametrize(
    ("key", "statuses"),
    [
        (("put", "/me"), {"400", "401", "409", "413", "415", "422"}),
        (("get", "/me"), {"401", "404"}),
        (("post", "/me/emails/code"), {"400", "401", "404", "409", "413", "415", "422", "429"}),
        (("post", "/me/emails/verify"), {"400", "401", "404", "409", "413", "415", "422", "429"}),
        (("post", "/rejections"), {"400", "401", "409", "413", "415", "422"}),
        (("get", "/rejections"), {"400", "401", "422"}),
        (("get", "/rejections/{rejection_id}"), {"401", "404"}),
        (("delete", "/admin/connections/{connection_id}"), {"401", "403", "404"}),
    ],
)
def test_each_route_declares_the_errors_it_can_answer(
    key: tuple[str, str], statuses: set[str]
) -> None:
    declared = {s for s in operations()[key]["responses"] if s.startswith("4")}
    assert declared == statuses


def test_only_schemas_a_route_uses_are_kept() -> None:
    schemas = document()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    text = json.dumps(document()["paths"])
    for name in ("RejectionOut", "ErrorOut", "StandardRejectionBody", "WebhookAck", "Plan"):
        assert name in schemas
    assert all(f'"#/components/schemas/{name}"' in json.dumps(document()) for name in schemas)
    assert '"#/components/schemas/ErrorOut"' in text


def _examples() -> list[tuple[str, dict[str, Any], Any]]:
    found = []
    for key, operation in operations().items():
        media = [operation.get("requestBody", {}).get("content", {}).get("application/json")]
        media += [
            r.get("content", {}).get("application/json") for r in operation["responses"].values()
        ]
        for content in filter(None, media):
            for name, sample in content.get("examples", {}).items():
                found.append((f"{key} {name}", content["schema"], sample["value"]))
    return found


def test_every_example_matches_its_schema() -> None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:document", Resource.from_contents(document(), default_specification=DRAFT202012)
    )
    found = _examples()
    assert len(found) >= 10
    for where, schema, value in found:
        ref = schema["$ref"].replace("#/", "urn:document#/")
        OAS31Validator({"$ref": ref}, registry=registry).validate(value)
        assert where  # named for the failure message above


# ------------------------------------------------------------------ the examples are real
def test_the_profile_example_is_the_answer_to_the_sample(cloud: Cloud) -> None:
    answer = call_api("PUT", "/me", examples.PROFILE, token_email=examples.PROFILE["emails"][0])
    assert (answer.status, answer.body) == (200, examples.profile_answer())


def test_the_invalid_profile_example_is_the_answer_to_it(cloud: Cloud) -> None:
    body = {k: v for k, v in examples.PROFILE.items() if k != "display_name"}
    answer = call_api("PUT", "/me", body)
    assert (answer.status, answer.body) == (422, examples.invalid_profile_answer())


def test_the_rejection_and_feedback_examples_are_the_answers_to_the_samples(cloud: Cloud) -> None:
    # The sample request exactly as API Gateway sends it (events/api.post-rejections.json)
    response = handler(load_event("api.post-rejections.json"), LambdaContext())
    assert response["statusCode"] == 201
    assert json.loads(response["body"]) == examples.rejection_answer()
    assert response["headers"]["Location"] == f"/rejections/{examples.rejection_id()}"

    path = f"/rejections/{examples.rejection_id()}/feedback"
    answer = call_api("POST", path, examples.FEEDBACK)
    assert (answer.status, answer.body) == (202, examples.feedback_answer())
