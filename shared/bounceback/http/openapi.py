"""The API's documentation: the OpenAPI document of its routes (also committed as
docs/openapi.json, ``make openapi``) and a Swagger UI over it.

Powertools' OpenAPI models and the Swagger assets are imported on the first documentation
request, not at cold start: they are the largest import of the API and no app request needs
them.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

TITLE = "Bounceback API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Helps job seekers bounce back from interview rejections. App routes need a JWT "
    "(`Authorization: Bearer <token>`); admin routes need the `admin` group."
)


def openapi_document(api: ApiGatewayResolver) -> str:
    """The OpenAPI document of the API's routes, with the job boards' webhook route, which
    another function serves, and Bounceback's own webhook format (``standard``) as its
    documented body."""
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


def _add_webhook_route(document: dict[str, Any]) -> None:
    from bounceback.providers.registry import PROVIDERS
    from bounceback.providers.standard import StandardRejectionBody

    schema = StandardRejectionBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas_section = document.setdefault("components", {}).setdefault("schemas", {})
    schemas_section.update(schema.pop("$defs", {}))
    schemas_section["StandardRejectionBody"] = schema
    header = {"in": "header", "required": True, "schema": {"type": "string"}}
    document["paths"]["/webhooks/{provider}/{connection_id}"] = {
        "post": {
            "tags": ["webhooks"],
            "summary": "A job board or ATS reports a rejection (signed; no token)",
            "description": (
                "Each provider signs the raw body its own way (docs/providers.md) and gets the "
                "status it counts as success, for duplicates and ignored events too. The body "
                "below is Bounceback's own format, for provider `standard`, signed per the "
                "Standard Webhooks specification."
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
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/StandardRejectionBody"}
                    }
                },
            },
            "responses": {
                "204": {"description": "Accepted (also for a duplicate or an unknown candidate)"},
                "400": {"description": "Signed, but not a readable rejection"},
                "401": {"description": "Missing or wrong signature; nothing stored"},
                "404": {"description": "Unknown provider or connection"},
                "413": {"description": "Body too large"},
            },
        }
    }
