"""The app and admin API (HTTP API, JWT). Each route parses, checks who is calling, and
delegates to the logic in ``bounceback``; typed errors become HTTP statuses in one place,
at the bottom of this file. Routes and bodies: BRIEF "Public HTTP contract", docs/openapi.json.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import accounts
from bounceback.analysis.plan import Plan
from bounceback.errors import (
    BouncebackError,
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    UnauthorizedError,
)
from bounceback.http import schemas
from bounceback.http.caller import Caller, caller_from_request
from bounceback.ids import derived_id, new_id
from bounceback.model import Connection
from bounceback.observability import instrumented, logger
from bounceback.providers.registry import get_adapter
from bounceback.services import services
from bounceback.workflow import recording
from bounceback.workflow.build_plan import plan_for

app = APIGatewayHttpResolver(enable_validation=True)
SECURED: list[dict[str, list[str]]] = [{"bearerAuth": []}]
TITLE = "Bounceback API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Helps job seekers bounce back from interview rejections. App routes need a JWT "
    "(`Authorization: Bearer <token>`); admin routes need the `admin` group."
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        max_length=128,
        description="Any unique string; a retry with the same key returns the first result.",
    ),
]
PageSize = Annotated[int, Query(ge=1, le=100)]


# ------------------------------------------------------------------ request context
def caller() -> Caller:
    authorizer = app.current_event.request_context.authorizer
    claims = authorizer.jwt_claim if authorizer else None
    return caller_from_request(claims, app.current_event.headers.get("authorization"))


def now() -> datetime:
    """The moment API Gateway received the request: the one clock of this request."""
    epoch_ms = app.current_event.request_context.time_epoch
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def request_id() -> str:
    return app.current_event.request_context.request_id


def json_response(status: int, model: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(),
        headers=headers,
    )


# ------------------------------------------------------------------ profile
@app.put("/me", security=SECURED, tags=["profile"])
def put_me(body: schemas.ProfileIn) -> schemas.ProfileOut:
    profile = accounts.save_profile(
        services(),
        user_id=caller().user_id,
        display_name=body.display_name,
        emails=body.emails,
        timezone=body.timezone,
        email_notifications=body.email_notifications,
        now=now(),
    )
    return schemas.profile_view(profile)


@app.get("/me", security=SECURED, tags=["profile"])
def get_me() -> schemas.ProfileOut:
    profile = services().profiles.get(caller().user_id)
    if profile is None:
        raise NotFoundError("no profile yet: PUT /me first")
    return schemas.profile_view(profile)


@app.delete("/me", security=SECURED, tags=["profile"])
def delete_me() -> Response[str]:
    accounts.delete_account(services(), caller().user_id)
    return Response(status_code=204, body="")


@app.get("/me/export", security=SECURED, tags=["profile"])
def export_me() -> schemas.ExportOut:
    user_id = caller().user_id
    profile = services().profiles.get(user_id)
    rejections = [
        schemas.rejection_view(detail.rejection, detail.feedback)
        for detail in services().rejections.details(user_id)
    ]
    notifications: list[schemas.NotificationOut] = []
    token: str | None = None
    while True:
        page = services().notifications.page(user_id, limit=100, next_token=token)
        notifications.extend(schemas.notification_view(n) for n in page.items)
        if page.next_token is None:
            break
        token = page.next_token
    return schemas.ExportOut(
        exported_at=now(),
        profile=schemas.profile_view(profile) if profile else None,
        rejections=rejections,
        notifications=notifications,
        plan=plan_for(services(), user_id, now()),
    )


# ------------------------------------------------------------------ rejections
@app.post("/rejections", security=SECURED, tags=["rejections"])
def create_rejection(
    body: schemas.RejectionIn, idempotency_key: IdempotencyKey = None
) -> Response[str]:
    user_id = caller().user_id
    moment = now()
    if idempotency_key:
        rejection_id = derived_id("rejection", user_id, idempotency_key)
    else:
        # Without a key, the natural key: the same company, role, stage and date from the
        # same user is the same rejection (a client retrying after a lost answer).
        day = (body.rejected_at or moment).date().isoformat()
        natural = (body.company.casefold(), body.role.casefold(), (body.stage or "").casefold())
        rejection_id = derived_id("rejection", user_id, *natural, day)
    draft = recording.RejectionDraft.model_validate(body.model_dump())
    rejection, created = recording.log_rejection(
        services(),
        user_id=user_id,
        rejection_id=rejection_id,
        draft=draft,
        source="app",
        now=moment,
        correlation_id=request_id(),
    )
    if not created and (rejection.company, rejection.role) != (draft.company, draft.role):
        raise ConflictError("this Idempotency-Key was used for a different rejection")
    headers = {"Location": f"/rejections/{rejection.id}"}
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return json_response(201, schemas.rejection_view(rejection), headers)


@app.get("/rejections", security=SECURED, tags=["rejections"])
def list_rejections(
    limit: PageSize = 20, next_token: Annotated[str | None, Query(max_length=2048)] = None
) -> schemas.RejectionPage:
    page = services().rejections.page(caller().user_id, limit=limit, next_token=next_token)
    return schemas.RejectionPage(
        items=[schemas.rejection_view(r) for r in page.items], next_token=page.next_token
    )


@app.get("/rejections/<rejection_id>", security=SECURED, tags=["rejections"])
def get_rejection(rejection_id: str) -> schemas.RejectionOut:
    user_id = caller().user_id
    detail = services().rejections.get_detail(user_id, rejection_id)
    if detail is None:
        raise NotFoundError("rejection not found")
    recovery = schemas.recovery_view(detail.rejection, detail.feedback, detail.notifications, now())
    return schemas.rejection_view(detail.rejection, detail.feedback, recovery)


@app.patch("/rejections/<rejection_id>", security=SECURED, tags=["rejections"])
def patch_rejection(rejection_id: str, body: schemas.RejectionPatch) -> schemas.RejectionOut:
    changes: dict[str, object] = body.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidRequestError("nothing to change")
    if "recruiter" in changes and body.recruiter is not None:
        changes["recruiter"] = body.recruiter.model_dump()
    updated = recording.update_rejection(
        services(),
        user_id=caller().user_id,
        rejection_id=rejection_id,
        changes=changes,
        now=now(),
        correlation_id=request_id(),
    )
    return schemas.rejection_view(updated)


@app.delete("/rejections/<rejection_id>", security=SECURED, tags=["rejections"])
def delete_rejection(rejection_id: str) -> Response[str]:
    recording.delete_rejection(services(), user_id=caller().user_id, rejection_id=rejection_id)
    return Response(status_code=204, body="")


@app.post("/rejections/<rejection_id>/feedback", security=SECURED, tags=["rejections"])
def add_feedback(
    rejection_id: str, body: schemas.FeedbackIn, idempotency_key: IdempotencyKey = None
) -> Response[str]:
    user_id = caller().user_id
    key = idempotency_key or body.text  # without a key, the same text is the same feedback
    feedback = recording.record_feedback(
        services(),
        user_id=user_id,
        rejection_id=rejection_id,
        feedback_id=derived_id("feedback", user_id, rejection_id, key),
        text=body.text,
        received_at=body.received_at,
        now=now(),
        correlation_id=request_id(),
    )
    return json_response(202, schemas.FeedbackAccepted(id=feedback.id, rejection_id=rejection_id))


# ------------------------------------------------------------------ plan and inbox
@app.get("/plan", security=SECURED, tags=["plan"])
def get_plan() -> Plan:
    return plan_for(services(), caller().user_id, now())


@app.get("/notifications", security=SECURED, tags=["notifications"])
def list_notifications(
    limit: PageSize = 20, next_token: Annotated[str | None, Query(max_length=2048)] = None
) -> schemas.NotificationPage:
    page = services().notifications.page(caller().user_id, limit=limit, next_token=next_token)
    return schemas.NotificationPage(
        items=[schemas.notification_view(n) for n in page.items], next_token=page.next_token
    )


# ------------------------------------------------------------------ admin: connections
@app.post("/admin/connections", security=SECURED, tags=["admin"])
def create_connection(body: schemas.ConnectionIn) -> Response[str]:
    caller().require_admin()
    adapter = get_adapter(body.provider)
    if adapter is None:
        raise InvalidRequestError(f"unknown provider {body.provider!r}")
    connection = Connection(
        id=new_id(), provider=body.provider, company=body.company, created_at=now()
    )
    secret = body.secret or adapter.new_secret()
    services().connections.create(connection, secret)
    logger.info(
        "connection created", extra={"connection_id": connection.id, "provider": body.provider}
    )
    created = schemas.ConnectionCreated(
        id=connection.id,
        provider=connection.provider,
        company=connection.company,
        webhook_path=connection.webhook_path,
        created_at=connection.created_at,
        secret=secret,
    )
    return json_response(201, created, {"Location": f"/admin/connections/{connection.id}"})


@app.get("/admin/connections", security=SECURED, tags=["admin"])
def list_connections(
    limit: PageSize = 50, next_token: Annotated[str | None, Query(max_length=2048)] = None
) -> schemas.ConnectionList:
    caller().require_admin()
    page = services().connections.page(limit=limit, next_token=next_token)
    return schemas.ConnectionList(
        items=[
            schemas.ConnectionOut(
                id=c.id,
                provider=c.provider,
                company=c.company,
                webhook_path=c.webhook_path,
                created_at=c.created_at,
            )
            for c in page.items
        ],
        next_token=page.next_token,
    )


@app.delete("/admin/connections/<connection_id>", security=SECURED, tags=["admin"])
def delete_connection(connection_id: str) -> Response[str]:
    caller().require_admin()
    services().connections.delete(connection_id)
    return Response(status_code=204, body="")


# ------------------------------------------------------------------ documentation
@app.get("/openapi.json", include_in_schema=False)
def openapi_json() -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=openapi_document(),
    )


def openapi_document() -> str:
    """The OpenAPI document of these routes (also committed as docs/openapi.json), with the
    job boards' webhook route, which another function serves, and Bounceback's own webhook
    format (``standard``) as its documented body.

    Powertools' OpenAPI models are imported here, on the first documentation request, not at
    cold start: they are the largest import of this function and no app request needs them.
    """
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    document = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=DESCRIPTION,
            security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        )
    )
    _add_webhook_route(document)
    return json.dumps(document, indent=2)


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


@app.get("/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    """Swagger UI over the document, with its script and style inlined (no CDN needed)."""
    from pathlib import Path

    from aws_lambda_powertools.event_handler import openapi
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(openapi.__file__).parent / "swagger_ui"
    html = generate_swagger_html(
        openapi_document().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        swagger_base_url="",  # empty: inline the assets above
        oauth2_config=None,
    )
    return Response(status_code=200, content_type="text/html", body=html)


# ------------------------------------------------------------------ errors, in one place
def _error(status: int, message: str, details: list[dict[str, Any]] | None = None) -> Response[str]:
    return json_response(status, schemas.ErrorOut(message=message, details=details))


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def _invalid(error: RequestValidationError) -> Response[str]:
    details = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
        for e in error.errors()
    ]
    logger.info("request rejected", extra={"status": 422, "errors": len(details)})
    return _error(422, "the request is not valid", details)


@app.exception_handler(BouncebackError)  # type: ignore[untyped-decorator]
def _domain_error(error: BouncebackError) -> Response[str]:
    status = {
        UnauthorizedError: 401,
        ForbiddenError: 403,
        NotFoundError: 404,
        ConflictError: 409,
        InvalidRequestError: 400,
    }.get(type(error), 500)
    if status == 500:
        raise error  # an unexpected domain error is a bug: let it fail loudly
    logger.info("request refused", extra={"status": status, "error": type(error).__name__})
    return _error(status, str(error))


@app.not_found
def _not_found(_: Exception) -> Response[str]:
    return _error(404, "no such route")


def _not_json(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies are JSON. Anything else (a form post, say) gets a clear 415 before validation
    would answer with a confusing error about its fields."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if not event.get("body") or "json" in headers.get("content-type", "").lower():
        return None
    message = "send JSON with the header content-type: application/json"
    return {
        "statusCode": 415,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": schemas.ErrorOut(message=message).model_dump_json(),
    }


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _not_json(event) or app.resolve(event, context)
