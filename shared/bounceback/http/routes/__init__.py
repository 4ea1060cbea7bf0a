"""The API's routes, one module per resource. Each module's ``router`` is included by
``bounceback.http.api`` in the order below (the order of the OpenAPI document)."""

from __future__ import annotations

from bounceback.http.request import ApiRouter
from bounceback.http.routes import (
    connections,
    dead_letters,
    documentation,
    notifications,
    plan,
    profile,
    rejections,
)

ROUTERS: tuple[ApiRouter, ...] = (
    profile.router,
    rejections.router,
    plan.router,
    notifications.router,
    connections.router,
    dead_letters.router,
    documentation.router,
)
