"""Proving that an address is the user's: a 6-digit code sent to it, or the token's own
verified email (BRIEF, "Email ownership").

A code is kept only as a salted, slow hash, expires after ``CODE_VALID``, and allows
``MAX_WRONG_CODES`` wrong tries; then the address is locked (429) until a new code is asked
for. Codes are bounded per address (one a minute, ``CODES_PER_DAY`` a day), so Bounceback
cannot be used to flood a stranger's inbox, and the code email holds nothing a user chose.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from bounceback.errors import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    TooManyRequestsError,
)
from bounceback.model import Profile
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.services import Services
from bounceback.store.items import EmailCodeItem
from bounceback.store.profiles import AddressTaken, ProfileChanged

CODE_VALID = timedelta(minutes=30)
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_DAY = 10
MAX_WRONG_CODES = 5
_HASH_ITERATIONS = 50_000  # slow enough to make a stolen table's hashes costly to reverse
_SAVE_ATTEMPTS = 3


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def hash_code(code: str, salt: str) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), _HASH_ITERATIONS)
    return digest.hex()


def send_code(services: Services, user_id: str, address: str, now: datetime) -> None:
    """Send a new code to ``address`` (replacing any earlier one). Raises
    ``TooManyRequestsError`` when the address had a code too recently or too often."""
    earlier = services.profiles.get_code(user_id, address)
    sends, since = 1, now
    if earlier is not None:
        locked = earlier.attempts >= MAX_WRONG_CODES  # a new code is the way out: no wait
        if now - earlier.sent_at < RESEND_AFTER and not locked:
            raise TooManyRequestsError("a code was sent less than a minute ago: wait a moment")
        if now - earlier.sends_since < timedelta(days=1):
            sends, since = earlier.sends + 1, earlier.sends_since
            if sends > CODES_PER_DAY:
                raise TooManyRequestsError("too many codes for this address today: try tomorrow")
    code, salt = new_code(), secrets.token_hex(16)
    services.profiles.put_code(
        EmailCodeItem.of(
            user_id,
            address,
            code_hash=hash_code(code, salt),
            salt=salt,
            sent_at=now,
            sends_since=since,
            sends=sends,
            expires_at=int((now + CODE_VALID).timestamp()),
        )
    )
    services.mailer.send_code(address, code, int(CODE_VALID.total_seconds() // 60))
    metrics.add_metric(name="VerificationCodesSent", unit=MetricUnit.Count, value=1)


def send_codes_quietly(
    services: Services, user_id: str, addresses: list[str], now: datetime
) -> None:
    """Codes for addresses a user just named (``PUT /me``): one that cannot be sent now
    (too soon, too many, SES refusing) is skipped; the user can ask again."""
    for address in addresses:
        try:
            send_code(services, user_id, address, now)
        except TooManyRequestsError:
            continue
        except Exception:  # the profile is saved; a code can be asked for again
            logger.exception("verification code not sent")


def request_code(services: Services, user_id: str, address: str, now: datetime) -> None:
    """``POST /me/emails/code``: a new code for an address of the user's profile."""
    profile = services.profiles.get(user_id)
    if profile is None or address not in profile.emails:
        raise NotFoundError("this address is not on your profile: add it with PUT /me first")
    if address in profile.verified_emails:
        raise ConflictError("this address is already verified")
    send_code(services, user_id, address, now)


def verify_code(
    services: Services, user_id: str, address: str, code: str, now: datetime
) -> Profile:
    """``POST /me/emails/verify``: the address is the user's once its code is right."""
    for _ in range(_SAVE_ATTEMPTS):
        profile = services.profiles.get(user_id)
        if profile is None or address not in profile.emails:
            raise NotFoundError("this address is not on your profile: add it with PUT /me first")
        if address in profile.verified_emails:
            return profile
        sent = services.profiles.get_code(user_id, address)
        if sent is None:
            raise InvalidRequestError("no code was sent to this address: ask for one first")
        if sent.attempts >= MAX_WRONG_CODES:
            raise TooManyRequestsError("too many wrong codes: ask for a new code")
        if now.timestamp() >= sent.expires_at:
            raise InvalidRequestError("this code has expired: ask for a new one")
        if not hmac.compare_digest(hash_code(code, sent.salt), sent.code_hash):
            attempts = services.profiles.count_wrong_code(sent)
            metrics.add_metric(name="VerificationCodesWrong", unit=MetricUnit.Count, value=1)
            left = max(0, MAX_WRONG_CODES - attempts)
            raise InvalidRequestError(
                f"this code is not right ({left} tries left)"
                if left
                else "this code is not right: ask for a new code"
            )
        try:
            verified = services.profiles.verify(profile, address, now)
        except AddressTaken as error:
            raise ConflictError("this address is verified on another account") from error
        except ProfileChanged:
            continue  # another request changed the profile or used the code: look again
        metrics.add_metric(name="EmailsVerified", unit=MetricUnit.Count, value=1)
        return verified
    raise ConflictError("the profile kept changing while the code was checked; try again")
