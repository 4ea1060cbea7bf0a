"""The request schemas say in the OpenAPI document exactly what their validators accept: what a
schema allows is never refused for a rule the document does not show."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from bounceback.http import schemas
from bounceback.model import Email
from bounceback.providers.registry import LOOKUP_PROVIDERS, PROVIDERS

# Text that is mostly plain, with white space and control characters often enough to matter.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x1f", "\x7f", "\xa0"]),
    ),
    max_size=40,
)


def accepts(kind: Any, value: object) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        (schemas.ShortText, schemas.ONE_LINE_PATTERN),
        (schemas.ReasonText, schemas.TEXT_PATTERN),
        (schemas.LongText, schemas.LONG_TEXT_PATTERN),
    ],
)
@given(value=TEXT)
def test_a_text_pattern_allows_exactly_what_its_validator_accepts(
    kind: Any, pattern: str, value: str
) -> None:
    assert (re.fullmatch(pattern, value) is not None) == accepts(kind, value)


@pytest.mark.parametrize("kind", [schemas.ShortText, schemas.ReasonText, schemas.LongText, Email])
@given(value=TEXT | st.builds("{}@{}.{}".format, TEXT, TEXT, TEXT))
def test_the_documented_schema_allows_exactly_what_the_api_accepts(kind: Any, value: str) -> None:
    # As a client or a fuzzer reads the document: JSON Schema, whose patterns are ECMA-262's
    # (where "\s" is not Python's: the patterns spell white space out).
    documented = jsonschema_rs.validator_for(TypeAdapter(kind).json_schema())
    assert documented.is_valid(value) == accepts(kind, value)


def test_the_patterns_are_in_the_document() -> None:
    company = schemas.RejectionIn.model_json_schema()["properties"]["company"]
    assert company["pattern"] == schemas.ONE_LINE_PATTERN


@pytest.mark.parametrize(("value", "days"), [(30, 30), (30.0, 30), (0, 0), (3650.0, 3650)])
def test_days_are_any_whole_json_number(value: object, days: int) -> None:
    assert TypeAdapter(schemas.Days).validate_python(value) == days


@pytest.mark.parametrize("value", [1.5, True, False, "30", -1, 3651, None, [30]])
def test_days_are_nothing_else(value: object) -> None:
    assert not accepts(schemas.Days, value)


def test_days_keep_their_bounds_in_the_document() -> None:
    days = TypeAdapter(schemas.Days).json_schema()
    assert (days["type"], days["minimum"], days["maximum"]) == ("integer", 0, 3650)


def test_a_change_must_name_a_field() -> None:
    with pytest.raises(ValidationError, match="nothing to change"):
        schemas.RejectionPatch.model_validate({})
    assert schemas.RejectionPatch.model_validate({"stage": None}).model_fields_set == {"stage"}
    assert schemas.RejectionPatch.model_json_schema()["minProperties"] == 1


def test_a_connection_names_a_known_provider() -> None:
    schema = schemas.ConnectionIn.model_json_schema()["properties"]["provider"]
    assert schema["enum"] == sorted([*PROVIDERS, *LOOKUP_PROVIDERS])
    for name in [*PROVIDERS, *LOOKUP_PROVIDERS]:
        assert schemas.ConnectionIn.model_validate({"provider": name, "company": "Acme"})
    with pytest.raises(ValidationError, match="one of: ashby, greenhouse"):
        schemas.ConnectionIn.model_validate({"provider": "bamboohr", "company": "Acme"})


@pytest.mark.parametrize(
    "field", [{"api_key": "has a space"}, {"api_key": "short"}, {"api_base_url": "x\r\ny"}]
)
def test_an_api_key_or_base_url_is_printable_ascii(field: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        schemas.ConnectionIn.model_validate({"provider": "lever", "company": "Acme", **field})
