"""``/admin/connections``: job-board connections, for callers in the ``admin`` group."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback.connections import new_connection
from bounceback.http import schemas
from bounceback.http.answers import (
    ADMIN,
    AUTHENTICATED,
    PAGED,
    WITH_BODY,
    answers,
    created,
    no_content,
    ok,
)
from bounceback.http.request import (
    SECURED,
    ApiRouter,
    PageSize,
    PageToken,
    json_response,
)
from bounceback.http.request import no_content as no_content_response
from bounceback.model import Connection
from bounceback.services import services

router = ApiRouter()
TAGS = ["admin"]


def connection_view(connection: Connection) -> schemas.ConnectionOut:
    return schemas.ConnectionOut(
        id=connection.id,
        provider=connection.provider,
        company=connection.company,
        webhook_path=connection.webhook_path,
        created_at=connection.created_at,
        api_base_url=connection.api_base_url,
    )


@router.post(
    "/admin/connections",
    security=SECURED,
    tags=TAGS,
    summary="Connect a job board or ATS",
    description=(
        "Gives the webhook URL to paste into the provider, and the secret it signs with: the "
        "one you send (some ATSs issue it), or one generated in the provider's format. The "
        "secret is shown only in this answer. lever, teamtailor and smartrecruiters send ids "
        "only: their connections need the ATS's signing key as `secret` and the employer's "
        "`api_key` (never returned), and may name the `api_base_url` it is sent to."
    ),
    responses=answers(
        created(
            schemas.ConnectionCreated,
            "The connection, with its `webhook_path` and `secret`.",
            "The connection's URL, `/admin/connections/{id}`.",
        ),
        AUTHENTICATED
        | ADMIN
        | WITH_BODY
        | {
            400: "The body's bytes are not UTF-8, or it gives `api_key` or `api_base_url` for a "
            "provider whose deliveries carry the rejection (only `lever`, `teamtailor` and "
            "`smartrecruiters` connections take them).",
        },
    ),
)
def create_connection(body: schemas.ConnectionIn) -> Response[str]:
    router.caller().require_admin()
    connection, secret = new_connection(
        services().connections,
        provider=body.provider,
        company=body.company,
        secret=body.secret,
        now=router.now(),
        api_key=body.api_key,
        api_base_url=body.api_base_url,
    )
    created = schemas.ConnectionCreated(**connection_view(connection).model_dump(), secret=secret)
    return json_response(201, created, {"Location": f"/admin/connections/{connection.id}"})


@router.get(
    "/admin/connections",
    security=SECURED,
    tags=TAGS,
    summary="List the job-board connections",
    description="Secrets are never listed. Pass the answer's `next_token` for the next page.",
    responses=answers(
        ok(schemas.ConnectionList, "One page of connections."), AUTHENTICATED | ADMIN | PAGED
    ),
)
def list_connections(limit: PageSize = 50, next_token: PageToken = None) -> schemas.ConnectionList:
    router.caller().require_admin()
    page = services().connections.page(limit=limit, next_token=next_token)
    return schemas.ConnectionList(
        items=[connection_view(c) for c in page.items], next_token=page.next_token
    )


@router.put(
    "/admin/connections/<connection_id>/secret",
    security=SECURED,
    tags=TAGS,
    summary="Replace a connection's signing key",
    description=(
        "For an ATS that issues its signing key only once it has the webhook URL (Teamtailor, "
        "SmartRecruiters), or that rotated it. Deliveries are verified with the new key at once. "
        "The key is stored encrypted and never returned."
    ),
    responses=answers(
        ok(schemas.ConnectionOut, "The connection (without its secret)."),
        AUTHENTICATED | ADMIN | WITH_BODY | {404: "No such connection."},
    ),
)
def replace_secret(connection_id: str, body: schemas.SecretIn) -> schemas.ConnectionOut:
    router.caller().require_admin()
    connection = services().connections.replace_secret(connection_id, body.secret)
    return connection_view(connection)


@router.delete(
    "/admin/connections/<connection_id>",
    security=SECURED,
    tags=TAGS,
    summary="Disconnect a job board",
    description="Its webhook URL answers 404 from then on; rejections it logged stay.",
    responses=answers(
        no_content("Deleted."),
        AUTHENTICATED | ADMIN | {404: "No such connection."},
    ),
)
def delete_connection(connection_id: str) -> Response[str]:
    router.caller().require_admin()
    services().connections.delete(connection_id)
    return no_content_response()
