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
