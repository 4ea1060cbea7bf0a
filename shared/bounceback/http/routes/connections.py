"""``/admin/connections``: job-board connections, for callers in the ``admin`` group."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback.connections import new_connection
from bounceback.http import schemas
from bounceback.http.request import (
    SECURED,
    ApiRouter,
    PageSize,
    PageToken,
    json_response,
    no_content,
)
from bounceback.model import Connection
from bounceback.services import services

router = ApiRouter()


def connection_view(connection: Connection) -> schemas.ConnectionOut:
    return schemas.ConnectionOut(
        id=connection.id,
        provider=connection.provider,
        company=connection.company,
        webhook_path=connection.webhook_path,
        created_at=connection.created_at,
    )


@router.post("/admin/connections", security=SECURED, tags=["admin"])
def create_connection(body: schemas.ConnectionIn) -> Response[str]:
    router.caller().require_admin()
    connection, secret = new_connection(
        services().connections,
        provider=body.provider,
        company=body.company,
        secret=body.secret,
        now=router.now(),
    )
    created = schemas.ConnectionCreated(**connection_view(connection).model_dump(), secret=secret)
    return json_response(201, created, {"Location": f"/admin/connections/{connection.id}"})


@router.get("/admin/connections", security=SECURED, tags=["admin"])
def list_connections(limit: PageSize = 50, next_token: PageToken = None) -> schemas.ConnectionList:
    router.caller().require_admin()
    page = services().connections.page(limit=limit, next_token=next_token)
    return schemas.ConnectionList(
        items=[connection_view(c) for c in page.items], next_token=page.next_token
    )


@router.delete("/admin/connections/<connection_id>", security=SECURED, tags=["admin"])
def delete_connection(connection_id: str) -> Response[str]:
    router.caller().require_admin()
    services().connections.delete(connection_id)
    return no_content()
