"""Errors become HTTP answers by class: a subclass answers as its base does, and a product
error with no status is a bug that fails loudly."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler import Response

from bounceback.errors import (
    BouncebackError,
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    InvalidSignatureError,
    NotFoundError,
    UnauthorizedError,
)
from bounceback.http.api import build_api
from bounceback.http.errors import refused, status_for
from bounceback.http.request import ApiRouter
from tests.support.api import api_event
from tests.support.events import LambdaContext


class ProfileMissingError(NotFoundError):
    """A particular kind of "not found", as a feature might add."""


class EmailTakenError(ConflictError):
    pass


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UnauthorizedError("no token"), 401),
        (ForbiddenError("not admin"), 403),
        (NotFoundError("gone"), 404),
        (ConflictError("clash"), 409),
        (InvalidRequestError("odd"), 400),
        (ProfileMissingError("no profile"), 404),
        (EmailTakenError("taken"), 409),
    ],
)
def test_every_product_error_maps_by_its_class(error: BouncebackError, status: int) -> None:
    assert status_for(error) == status


def test_a_subclass_of_not_found_answers_404_with_its_message() -> None:
    answer = refused(ProfileMissingError("no profile yet"))

    assert isinstance(answer, Response)
    assert answer.status_code == 404
    assert json.loads(str(answer.body)) == {"message": "no profile yet", "details": None}


def test_a_product_error_without_a_status_is_raised() -> None:
    with pytest.raises(InvalidSignatureError):
        refused(InvalidSignatureError("a webhook error has no place in the API"))


def test_the_api_answers_a_subclass_raised_by_a_route_as_its_base() -> None:
    # Given an API with one more route, which raises a subclass of NotFoundError
    api = build_api()
    extra = ApiRouter()

    @extra.get("/missing")
    def missing() -> dict[str, str]:
        raise ProfileMissingError("nothing here")

    api.include_router(extra)

    # When it is called
    response = api.resolve(api_event("GET", "/missing"), LambdaContext())

    # Then the answer is the base class's 404, not a 500
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["message"] == "nothing here"
