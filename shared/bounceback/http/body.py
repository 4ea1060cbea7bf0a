"""A request body read as the API reads it: bytes, UTF-8, JSON, one object of bounded depth.

Powertools parses the body itself, leniently (a top-level array gives its first element) and
without guarding against input that makes Python's parser fail (a 5,000-digit number, deeply
nested arrays, bytes that are not UTF-8). Every body is therefore read here first, strictly,
and a body that is not one JSON object answers a 4xx that says why before any route runs.
What reaches the routes is the same JSON, re-encoded as plain text.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

# Deep enough for every request body of the API (the deepest nests three levels).
MAX_DEPTH = 16
_TOO_DEEP = f"the body nests more than {MAX_DEPTH} levels deep"


class BodyError(ValueError):
    """The body cannot be a request of this API; ``status`` and the message say why. Bytes
    that are not text are a 400; text that is not one JSON object is a 422, like any other
    body that does not match its schema (with the same ``details`` shape)."""

    def __init__(self, status: int, message: str, kind: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind

    @property
    def message(self) -> str:
        # A 422 reads like every other invalid request; its details say what is wrong.
        return "the request is not valid" if self.status == 422 else str(self)

    @property
    def details(self) -> list[dict[str, object]]:
        return [{"loc": ["body"], "msg": str(self), "type": self.kind}]


def _depth_within(value: Any, limit: int) -> bool:
    """Whether ``value`` nests at most ``limit`` containers deep (iteratively: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def read_json_object(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The body of an API Gateway (payload 2.0) event as one JSON object; None without a body.

    Raises ``BodyError`` (400 or 422) for anything else."""
    body = event.get("body")
    if not body:
        return None
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(str(body), validate=True)
        except (binascii.Error, ValueError) as error:
            raise BodyError(400, "the body is not valid base64", "base64_invalid") from error
    else:
        raw = str(body).encode("utf-8", "surrogatepass")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(400, "the body is not valid UTF-8", "utf8_invalid") from error
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise BodyError(422, _TOO_DEEP, "json_too_deep") from error
    except ValueError as error:  # malformed JSON, or a number too long to be one
        raise BodyError(
            422, f"the body is not valid JSON: {str(error)[:120]}", "json_invalid"
        ) from error
    if not isinstance(value, dict):
        raise BodyError(422, "the body must be a JSON object", "object_type")
    if not _depth_within(value, MAX_DEPTH):
        raise BodyError(422, _TOO_DEEP, "json_too_deep")
    return value
