"""Local JWTs: issued by the local stack, checked as the HTTP API JWT authorizer would."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from bounceback_local.clock import LocalClock

TOKEN_LIFETIME = timedelta(hours=12)


class InvalidTokenError(Exception):
    """The token would be rejected by the deployed authorizer (answered 401).

    ``description`` is the reason the gateway puts in ``www-authenticate``: API Gateway's own
    words where its documentation quotes them ("the token does not have a valid audience"),
    the same style for the others.
    """

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class TokenIssuer:
    """An RSA key made at start-up; tokens die with the process, which is what we want."""

    def __init__(self, clock: LocalClock, issuer: str, audience: str) -> None:
        self._clock = clock
        self.issuer = issuer
        self.audience = audience
        self.key_id = uuid.uuid4().hex
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._public_key = self._private_key.public_key()

    def issue(
        self,
        sub: str,
        email: str | None = None,
        groups: Sequence[str] = (),
        email_verified: bool = True,
    ) -> str:
        """A token like a Cognito ID token: an ``email`` comes with ``email_verified`` (true
        unless told otherwise), as Cognito marks an address its user confirmed."""
        now = int(self._clock.timestamp())
        claims: dict[str, Any] = {
            "sub": sub,
            "iss": self.issuer,
            "aud": self.audience,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + int(TOKEN_LIFETIME.total_seconds()),
            "jti": str(uuid.uuid4()),
        }
        if email is not None:
            claims["email"] = email
            claims["email_verified"] = email_verified
        if groups:
            claims["cognito:groups"] = list(groups)
        return jwt.encode(
            claims, self._private_key, algorithm="RS256", headers={"kid": self.key_id}
        )

    def jwks(self) -> dict[str, Any]:
        numbers = self._public_key.public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": self.key_id,
                    "n": _b64url_uint(numbers.n),
                    "e": _b64url_uint(numbers.e),
                }
            ]
        }

    def verify(self, token: str, issuer: str, audience: Sequence[str]) -> dict[str, Any]:
        """Check a token as the HTTP API JWT authorizer does; returns its claims.

        Signature (RS256, the local key), ``iss``, ``aud`` (or ``client_id`` for access
        tokens that carry no ``aud``), ``exp`` (required) and ``nbf``, all against the local
        clock rather than the machine's.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidTokenError("the token is malformed") from error
        if header.get("alg") != "RS256":
            raise InvalidTokenError("the token's signing algorithm is not supported")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError as error:
            raise InvalidTokenError("the token signature is invalid") from error
        except jwt.PyJWTError as error:
            raise InvalidTokenError("the token is malformed") from error
        _check_claims(claims, issuer, audience, self._clock.timestamp())
        return claims


def _check_claims(
    claims: Mapping[str, Any], issuer: str, audience: Sequence[str], now: float
) -> None:
    if claims.get("iss") != issuer:
        raise InvalidTokenError("the token does not have a valid issuer")
    token_audience = claims.get("aud", claims.get("client_id"))
    audiences = token_audience if isinstance(token_audience, list) else [token_audience]
    if not any(a in audience for a in audiences):
        raise InvalidTokenError("the token does not have a valid audience")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= now:
        raise InvalidTokenError("the token has expired")
    nbf = claims.get("nbf")
    if nbf is not None and (not isinstance(nbf, int | float) or nbf > now):
        raise InvalidTokenError("the token is not valid yet")
