"""The app and admin API (HTTP API, JWT): one router per resource in
``bounceback/http/routes/``, put together in ``bounceback/http/api.py``, errors translated in
``bounceback/http/errors.py``. Routes and bodies: BRIEF "Public HTTP contract",
docs/openapi.json (``make openapi`` writes it from ``openapi_document``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.http.api import answer
from bounceback.http.api import document as openapi_document
from bounceback.observability import instrumented

__all__ = ["handler", "openapi_document"]


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return answer(event, context)
