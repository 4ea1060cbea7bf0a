"""Request bodies are read strictly before any route: bytes, UTF-8, JSON, one object."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from bounceback.http.body import MAX_DEPTH, BodyError, read_json_object


def event(body: str | None, *, base64_encoded: bool = False) -> dict[str, Any]:
    return {"body": body, "isBase64Encoded": base64_encoded}


def encoded(raw: bytes) -> dict[str, Any]:
    return event(base64.b64encode(raw).decode(), base64_encoded=True)


def test_an_object_is_read_as_it_is() -> None:
    assert read_json_object(event('{"a": [1, {"b": "é"}]}')) == {"a": [1, {"b": "é"}]}
    assert read_json_object(encoded('{"a": "é"}'.encode())) == {"a": "é"}
    assert read_json_object(event(None)) is None
    assert read_json_object(event("")) is None


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (encoded(b'{"a": "\xff"}'), 400, "utf8_invalid"),
        (event("%%%", base64_encoded=True), 400, "base64_invalid"),
        (event("{not json"), 422, "json_invalid"),
        (event('{"a": ' + "9" * 5000 + "}"), 422, "json_invalid"),
        (event("[" * 100_000 + "]" * 100_000), 422, "json_too_deep"),
        (event('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"), 422, "json_too_deep"),
        (event('[{"a": 1}]'), 422, "object_type"),
        (event('"text"'), 422, "object_type"),
        (event("null"), 422, "object_type"),
    ],
)
def test_anything_else_is_a_4xx_that_says_why(body: dict[str, Any], status: int, kind: str) -> None:
    with pytest.raises(BodyError) as refused:
        read_json_object(body)
    assert refused.value.status == status
    assert refused.value.details[0]["type"] == kind
    assert refused.value.message


def test_nesting_up_to_the_limit_is_fine() -> None:
    levels = MAX_DEPTH - 1
    assert read_json_object(event('{"a": ' + "[" * levels + "]" * levels + "}")) is not None
