"""The API's documentation: the OpenAPI document of its routes (also committed as
docs/openapi.json, ``make openapi``) and a Swagger UI over it.

Powertools' OpenAPI models and the Swagger assets are imported on the first documentation
request, not at cold start: they are the largest import of the API and no app request needs
them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

TITLE = "Bounceback API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Helps job seekers bounce back from interview rejections. App routes need a JWT "
    "(`Authorization: Bearer <token>`); admin routes need the `admin` group."
)


WEBHOOK_PATH = "/webhooks/{provider}/{connection_id}"
WEBHOOK_ROUTE = ("POST", WEBHOOK_PATH)  # served by the webhooks function, documented here

TAGS = [
    {"name": "profile", "description": "Your profile, your addresses, and your data."},
    {"name": "rejections", "description": "Rejections you log, and the feedback you got."},
    {"name": "plan", "description": "What to work on next, from all your feedback."},
    {"name": "notifications", "description": "What your recovery sent you."},
    {"name": "admin", "description": "Operators only: the `admin` group."},
    {"name": "webhooks", "description": "Job boards and ATSs report rejections (signed)."},
]


def openapi_document(api: ApiGatewayResolver) -> str:
    """The OpenAPI document of the API's routes, with the job boards' webhook route, which
    another function serves, and Bounceback's own webhook format (``standard``) as its
    documented body.

    Powertools writes each route's operation from its ``summary``, ``description`` and
    ``responses`` (``bounceback.http.answers``); what it has no place for is added here:
    examples, tag descriptions, the webhook route, and the removal of its validation-error
    schemas, which no route answers (every error is ``ErrorOut``)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    document = json.loads(
        api.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        )
    )
    _add_webhook_route(document)
    _add_examples(document)
    _tidy_responses(document)
    document["paths"] = dict(sorted(document["paths"].items()))
    document["tags"] = TAGS
    _drop_unused_schemas(document)
    return json.dumps(document, indent=2)


def swagger_html(document: str) -> str:
    """Swagger UI over the document, with its script and style inlined (no CDN needed)."""
    from pathlib import Path

    from aws_lambda_powertools.event_handler import openapi
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(openapi.__file__).parent / "swagger_ui"
    return generate_swagger_html(
        document.replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        swagger_base_url="",  # empty: inline the assets above
        oauth2_config=None,
    )


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for methods in document["paths"].values()
        for operation in methods.values()
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"{_SCHEMAS}ErrorOut"}}},
    }


_SCHEMAS = "#/components/schemas/"


def _add_webhook_route(document: dict[str, Any]) -> None:
    from bounceback.providers.registry import PROVIDERS
    from bounceback.providers.standard import StandardRejectionBody

    schema = StandardRejectionBody.model_json_schema(ref_template=_SCHEMAS + "{model}")
    schemas_section = document.setdefault("components", {}).setdefault("schemas", {})
    schemas_section.update(schema.pop("$defs", {}))
    schemas_section["StandardRejectionBody"] = schema
    schemas_section["WebhookAck"] = {
        "title": "WebhookAck",
        "type": "object",
        "properties": {
            "status": {
                "type": "string",
                "enum": ["accepted", "ignored"],
                "description": "`ignored`: a delivery that is no rejection (another event, a "
                "test); `accepted`: everything else, duplicates and unknown candidates too.",
            }
        },
        "required": ["status"],
    }
    header = {"in": "header", "required": True, "schema": {"type": "string"}}
    acknowledged = {"application/json": {"schema": {"$ref": f"{_SCHEMAS}WebhookAck"}}}
    document["paths"][WEBHOOK_PATH] = {
        "post": {
            "tags": ["webhooks"],
            "summary": "A job board or ATS reports a rejection (signed; no token)",
            "description": (
                "Each provider signs the raw body its own way (docs/providers.md) and gets the "
                "status it counts as success, for duplicates, unknown candidates and ignored "
                "events too: 204 for `standard`, 202 for SmartRecruiters, 200 with a body for "
                "the others (and for their handshakes). The body below is Bounceback's own "
                "format, for provider `standard`, signed per the Standard Webhooks "
                "specification."
            ),
            "operationId": "receive_webhook",
            "parameters": [
                {
                    "name": "provider",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": sorted(PROVIDERS)},
                },
                {
                    "name": "connection_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                },
                {"name": "webhook-id", **header},
                {"name": "webhook-timestamp", **header},
                {"name": "webhook-signature", **header},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"{_SCHEMAS}StandardRejectionBody"}}
                },
            },
            "responses": {
                "200": {
                    "description": "Received (providers that count 200)",
                    "content": acknowledged,
                },
                "202": {"description": "Received (SmartRecruiters)", "content": acknowledged},
                "204": {"description": "Received (`standard`)"},
                "400": _error("Signed, but not a readable rejection (or not valid base64)"),
                "401": _error(
                    "Missing or wrong signature, or a timestamp out of tolerance; nothing stored"
                ),
                "404": _error("Unknown provider or connection"),
                "409": {
                    **_error("The same delivery is being processed right now: retry later"),
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait before the retry.",
                            "schema": {"type": "string"},
                        }
                    },
                },
                "413": _error("Body too large"),
            },
        }
    }


def _add_examples(document: dict[str, Any]) -> None:
    from bounceback.http import examples

    operations = _operations(document)

    def request(operation_id: str, value: dict[str, Any], summary: str) -> None:
        content = operations[operation_id]["requestBody"]["content"]["application/json"]
        content["examples"] = {"sample": examples.example(value, summary)}

    def response(operation_id: str, status: str, value: dict[str, Any], summary: str) -> None:
        content = operations[operation_id]["responses"][status]["content"]["application/json"]
        content["examples"] = {"sample": examples.example(value, summary)}

    request("put_me", examples.PROFILE, "A profile (events/app.profile.json)")
    response("put_me", "200", examples.profile_answer(), "The sample profile, as stored")
    response("put_me", "422", examples.invalid_profile_answer(), "No display_name")
    response("get_me", "200", examples.profile_answer(), "The sample profile")
    request(
        "send_email_code", {"email": examples.PROFILE["emails"][0]}, "An address of the profile"
    )
    request("create_rejection", examples.REJECTION, "A rejection (events/app.rejection.json)")
    response("create_rejection", "201", examples.rejection_answer(), "The sample, as stored")
    response("get_rejection", "200", examples.rejection_answer(), "The sample rejection")
    request("add_feedback", examples.FEEDBACK, "Feedback (events/app.feedback.json)")
    response("add_feedback", "202", examples.feedback_answer(), "The sample feedback, recorded")
    for operation in operations.values():
        unauthorized = operation.get("responses", {}).get("401")
        if unauthorized is not None:
            unauthorized["content"]["application/json"]["examples"] = {
                "authorizer": examples.example(examples.UNAUTHORIZED, "From the JWT authorizer")
            }


def _tidy_responses(document: dict[str, Any]) -> None:
    """Responses in the order of their status; none that the route cannot answer (Powertools
    declares a 422 of its own on every route); no content map where there is no body (204);
    and the Location of a 201 is always sent."""
    for methods in document["paths"].values():
        for operation in methods.values():
            operation["responses"] = {
                status: answer
                for status, answer in sorted(operation["responses"].items())
                if "HTTPValidationError" not in json.dumps(answer)
            }
            for status, answer in operation["responses"].items():
                if not answer.get("content"):
                    answer.pop("content", None)
                location = answer.get("headers", {}).get("Location")
                if status == "201" and location is not None:
                    location["required"] = True


def _drop_unused_schemas(document: dict[str, Any]) -> None:
    """Keep only the component schemas the paths reach (Powertools adds its own validation
    error models to every document)."""
    schemas = document["components"]["schemas"]
    reached: set[str] = set()
    pending = [document["paths"]]
    while pending:
        text = json.dumps(pending.pop())
        for name in re.findall(r'"#/components/schemas/([^"]+)"', text):
            if name not in reached:
                reached.add(name)
                pending.append(schemas[name])
    document["components"]["schemas"] = {n: s for n, s in schemas.items() if n in reached}
