"""Local tokens are checked like the deployed JWT authorizer checks them."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from bounceback_local.clock import LocalClock
from bounceback_local.tokens import InvalidTokenError, TokenIssuer

ISSUER = "http://127.0.0.1:3000/_local"


@pytest.fixture
def issuer() -> TokenIssuer:
    return TokenIssuer(LocalClock(), ISSUER, "bounceback-local")


def test_a_token_carries_sub_email_groups_and_a_12_hour_lifetime(issuer: TokenIssuer) -> None:
    token = issuer.issue("u1", email="u1@example.com", groups=["admin"])
    claims = issuer.verify(token, ISSUER, ("bounceback-local",))
    assert claims["sub"] == "u1"
    assert claims["email"] == "u1@example.com"
    assert claims["cognito:groups"] == ["admin"]
    assert claims["exp"] - claims["iat"] == 12 * 3600
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


@pytest.mark.parametrize(
    ("issuer_url", "audience"),
    [("http://elsewhere", ("bounceback-local",)), (ISSUER, ("another-client",))],
)
def test_wrong_issuer_or_audience_is_rejected(
    issuer: TokenIssuer, issuer_url: str, audience: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidTokenError):
        issuer.verify(issuer.issue("u1"), issuer_url, audience)


def test_expiry_follows_the_local_clock() -> None:
    clock = LocalClock()
    issuer = TokenIssuer(clock, ISSUER, "aud")
    token = issuer.issue("u1")
    clock.advance(timedelta(hours=11))
    issuer.verify(token, ISSUER, ("aud",))
    clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidTokenError):
        issuer.verify(token, ISSUER, ("aud",))


def test_unsigned_tokens_are_rejected(issuer: TokenIssuer) -> None:
    unsigned = jwt.encode({"sub": "u1", "iss": ISSUER, "aud": "bounceback-local"}, "", "none")
    with pytest.raises(InvalidTokenError):
        issuer.verify(unsigned, ISSUER, ("bounceback-local",))


def test_the_clock_only_moves_forward() -> None:
    clock = LocalClock()
    before = clock.now()
    after = clock.advance(timedelta(days=1.5))
    assert after - before >= timedelta(days=1.5)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
