"""Typed exceptions of the domain. Each entry point translates them in one place:
the API to HTTP statuses (bounceback/http/errors.py), the webhooks to provider answers
(functions/webhooks), event consumers to retries (a raised error makes EventBridge/Lambda retry).
"""

from __future__ import annotations


class BouncebackError(Exception):
    """Base of every error the product raises on purpose."""


class NotFoundError(BouncebackError):
    """The item does not exist, or belongs to another user (never say which)."""


class ConflictError(BouncebackError):
    """The request clashes with what is stored (e.g. an email claimed by another user)."""


class TooManyRequestsError(BouncebackError):
    """The caller must wait before trying this again (e.g. too many wrong codes)."""


class InvalidRequestError(BouncebackError):
    """Input that passed schema validation but makes no sense (e.g. a date in the future)."""


class ForbiddenError(BouncebackError):
    """The caller is authenticated but may not do this."""


class InvalidSignatureError(BouncebackError):
    """A webhook whose signature is missing, malformed or wrong."""


class InvalidPayloadError(BouncebackError):
    """A webhook that is signed correctly but cannot be understood as the provider's payload."""


class PublishError(BouncebackError):
    """EventBridge refused one or more entries of a PutEvents batch."""


class UnauthorizedError(BouncebackError):
    """No valid identity on the request (the authorizer should have refused it already)."""


# --- calls back to an ATS's API (bounceback.providers.ats_api) ------------------------------------
# The lookup that reads a delivery's candidate, job and reason from the employer's ATS raises one
# of these. ``retryable`` is what the caller needs: try the delivery again later (the ATS may
# recover, the employer may fix the key), or give up on it (the same request gets the same answer).
# Messages name the failure class and the HTTP status only: never a URL (it holds ids), the key,
# or the answer (it holds personal data).


class AtsApiError(BouncebackError):
    """A call to an employer's ATS API did not give a usable answer."""

    retryable = False


class AtsKeyRefusedError(AtsApiError):
    """401/403: the key is wrong, revoked, lacks a scope, or belongs to another region's stack.
    Retryable: the employer can fix it, and the delivery must not be lost meanwhile."""

    retryable = True


class AtsRateLimitedError(AtsApiError):
    """429 beyond what the client waits out itself; ``retry_after`` is the ATS's wish, in
    seconds, when it stated one."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AtsUnavailableError(AtsApiError):
    """5xx: the ATS failed."""

    retryable = True


class AtsUnreachableError(AtsApiError):
    """No answer: connection refused or reset, TLS failure, a timeout, or the time budget spent."""

    retryable = True


class AtsNotFoundError(AtsApiError):
    """404/410: the application, candidate or job is gone (deleted since the delivery)."""


class AtsAnswerInvalidError(AtsApiError):
    """An answer that cannot be used: an unexpected status (3xx, other 4xx), not JSON, too large,
    not the documented shape, or lacking what a rejection needs (an email, a job)."""


class AtsUrlRefusedError(AtsApiError):
    """A URL not under the connection's ``api_base_url``: the key is never sent there."""
