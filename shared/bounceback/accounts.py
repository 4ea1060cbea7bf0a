"""A user's account: the profile, everything stored about them, and forgetting them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bounceback.model import Notification, Profile
from bounceback.observability import logger
from bounceback.services import Services
from bounceback.store.rejections import RejectionDetail
from bounceback.timers import followup_timer_name, reapply_timer_name

if TYPE_CHECKING:
    from bounceback.analysis.plan import Plan


def save_profile(
    services: Services,
    *,
    user_id: str,
    display_name: str,
    emails: Sequence[str],
    timezone: str,
    email_notifications: bool,
    now: datetime,
) -> Profile:
    previous = services.profiles.get(user_id)
    profile = Profile(
        user_id=user_id,
        display_name=display_name,
        emails=tuple(dict.fromkeys(e.lower() for e in emails)),  # unique, order kept
        timezone=timezone,
        email_notifications=email_notifications,
        created_at=previous.created_at if previous else now,
        updated_at=now,
    )
    services.profiles.save(profile, previous)
    return profile


def cancel_timers(services: Services, rejection_id: str) -> None:
    services.timers.cancel(followup_timer_name(rejection_id))
    services.timers.cancel(reapply_timer_name(rejection_id))


def delete_account(services: Services, user_id: str) -> int:
    """Every item, timer and notification of the user is gone. Returns how many rejections.

    A timer that fires between the two finds no rejection and does nothing."""
    rejections = services.profiles.delete_user(user_id)
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
