"""``/openapi.json`` and ``/docs``: the API describes itself (no token needed)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types

from bounceback.http.openapi import openapi_document, swagger_html
from bounceback.http.request import ApiRouter

router = ApiRouter()


@router.get("/openapi.json", include_in_schema=False)
def openapi_json() -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=openapi_document(router.resolver),
    )


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    html = swagger_html(openapi_document(router.resolver))
    return Response(status_code=200, content_type="text/html", body=html)
