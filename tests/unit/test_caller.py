"""Who is calling: the subject of the verified token, and admin only for the exact group."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from bounceback.errors import ForbiddenError, UnauthorizedError
from bounceback.http.caller import caller_from_request, flatten_claim


def bearer(payload: dict[str, Any]) -> str:
    """A token as the app sends it (the authorizer verified its signature before us)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"Bearer {part({'alg': 'RS256'})}.{part(payload)}.c2lnbmF0dXJl"


def as_authorizer_passes(payload: dict[str, Any]) -> dict[str, str]:
    return {name: flatten_claim(value) for name, value in payload.items()}


def caller_for(groups: Any, sub: str = "u1") -> Any:
    payload = {"sub": sub, "cognito:groups": groups}
    return caller_from_request(as_authorizer_passes(payload), bearer(payload))


@pytest.mark.parametrize(
    "groups",
    [["ops,admin"], ["user admin"], ["admin "], [" admin"], ["[admin]"], ["Admin"], ["user"], []],
)
def test_no_group_but_exactly_admin_grants_admin(groups: list[str]) -> None:
    with pytest.raises(ForbiddenError):
        caller_for(groups).require_admin()


@pytest.mark.parametrize("groups", [["admin"], ["ops", "admin"], ["admin", "user admin"]])
def test_the_admin_group_grants_admin(groups: list[str]) -> None:
    caller_for(groups).require_admin()


def test_the_flattened_form_alone_grants_nothing() -> None:
    # "[ops admin]" could be ["ops", "admin"] or ["ops admin"]: without the token it is unknown.
    with pytest.raises(ForbiddenError):
        caller_from_request({"sub": "u1", "cognito:groups": "[ops admin]"}).require_admin()


def test_a_token_that_does_not_match_the_verified_claims_grants_nothing() -> None:
    verified = as_authorizer_passes({"sub": "u1", "cognito:groups": ["ops"]})
    other_subject = bearer({"sub": "u2", "cognito:groups": ["admin"]})
    other_groups = bearer({"sub": "u1", "cognito:groups": ["admin"]})
    for header in (other_subject, other_groups, "Bearer not-a-token", "Bearer a.%%%.c", None):
        with pytest.raises(ForbiddenError):
            caller_from_request(verified, header).require_admin()


def test_a_list_claim_from_a_raw_token_is_read_as_is() -> None:
    caller_from_request({"sub": "u1", "cognito:groups": ["admin"]}).require_admin()
    with pytest.raises(ForbiddenError):
        caller_from_request({"sub": "u1", "cognito:groups": ["ops admin"]}).require_admin()


@pytest.mark.parametrize("subject", [None, "", "  ", "a\nb", "a b", "USER#evil", "x" * 129, 7])
def test_a_subject_that_cannot_be_a_user_id_is_unauthorized(subject: Any) -> None:
    with pytest.raises(UnauthorizedError):
        caller_from_request({"sub": subject} if subject is not None else {})


def test_the_email_claim_counts_only_when_verified() -> None:
    verified = caller_from_request({"sub": "u1", "email": "A@X.org", "email_verified": "true"})
    assert verified.email == "a@x.org"
    for flag in ("false", None, "yes"):
        claims = {"sub": "u1", "email": "a@x.org", "email_verified": flag}
        assert caller_from_request(claims).email is None
