"""A user's account: the profile, everything stored about them, and forgetting them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bounceback.errors import ConflictError
from bounceback.model import Notification, Profile
from bounceback.observability import logger
from bounceback.services import Services
from bounceback.store.profiles import ProfileChanged
from bounceback.store.rejections import RejectionDetail
from bounceback.verification import send_codes_quietly
from bounceback.workflow.rejection_timers import cancel_timers

SAVE_ATTEMPTS = 3  # a profile changed by another request meanwhile is read again

if TYPE_CHECKING:
    from bounceback.analysis.plan import Plan


def save_profile(
    services: Services,
    *,
    user_id: str,
    token_email: str | None,
    display_name: str,
    emails: Sequence[str],
    timezone: str,
    email_notifications: bool,
    now: datetime,
) -> Profile:
    """``PUT /me``. Addresses stay verified while named; the token's verified email is
    verified at once; every other newly named address gets a code. The answer is the same
    whether or not another account owns an address (it then simply stays unverified)."""
    named = tuple(dict.fromkeys(e.lower() for e in emails))  # unique, order kept
    for _ in range(SAVE_ATTEMPTS):
        previous = services.profiles.get(user_id)
        before = set(previous.verified_emails) if previous else set()
        verified = [e for e in named if e in before or e == token_email]
        profile = Profile(
            user_id=user_id,
            display_name=display_name,
            emails=named,
            verified_emails=tuple(verified),
            timezone=timezone,
            email_notifications=email_notifications,
            created_at=previous.created_at if previous else now,
            updated_at=now,
        )
        try:
            stored = services.profiles.save(profile, previous, now)
        except ProfileChanged:
            continue
        already_named = set(previous.emails) if previous else set()
        unproved = [e for e in named if e not in stored.verified_emails and e not in already_named]
        send_codes_quietly(services, user_id, unproved, now)
        return stored
    raise ConflictError("the profile kept changing meanwhile; try again")


def profile_of(
    services: Services, user_id: str, token_email: str | None, now: datetime
) -> Profile | None:
    """``GET /me``. A profile stored before addresses were verified gets the token's
    verified email verified here, so an existing user need not do anything."""
    profile = services.profiles.get(user_id)
    if (
        profile is None
        or token_email is None
        or token_email not in profile.emails
        or token_email in profile.verified_emails
    ):
        return profile
    upgraded = profile.model_copy(
        update={"verified_emails": (*profile.verified_emails, token_email), "updated_at": now}
    )
    try:
        return services.profiles.save(upgraded, profile, now)
    except ProfileChanged:
        return services.profiles.get(user_id)


def delete_account(services: Services, user_id: str, now: datetime) -> int:
    """Every item, timer and notification of the user is gone, and nothing a step still
    running for them writes afterwards survives. Returns how many rejections there were.

    First no webhook can find the user (their addresses are given back), then every item goes
    (``ProfileStore.delete_user``), then the timers. A timer that fires meanwhile finds no
    rejection and does nothing; a step that set one meanwhile looks again and cancels it."""
    profile = services.profiles.get(user_id)
    if profile is not None:
        services.profiles.release_addresses(user_id, profile.emails)
    rejections = services.profiles.delete_user(user_id, now)
    for rejection_id in rejections:
        cancel_timers(services, rejection_id)
    logger.info("account deleted", extra={"rejections": len(rejections)})
    return len(rejections)


@dataclass(frozen=True)
class AccountExport:
    """Everything stored about a user (``GET /me/export``)."""

    profile: Profile | None
    rejections: list[RejectionDetail]  # newest first, each with its feedback
    notifications: list[Notification]  # newest first
    plan: Plan


def export_account(services: Services, user_id: str, now: datetime) -> AccountExport:
    # Imported here: the plan's analysis is no business of the webhooks, which import accounts.
    from bounceback.workflow.build_plan import plan_for

    return AccountExport(
        profile=services.profiles.get(user_id),
        rejections=services.rejections.details(user_id),
        notifications=list(services.notifications.iter_all(user_id)),
        plan=plan_for(services, user_id, now),
    )
