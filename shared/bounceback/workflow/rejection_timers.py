"""A rejection's timers (the feedback follow-up and the reapply date), which must not outlive it.

A step may set a timer while the user deletes the rejection (or their account). The delete
marks the rejection first and cancels its timers last; a step sets its timer and then looks
at the rejection again, cancelling the timer itself when the rejection is gone. Whichever
order the two interleave in, no timer of a deleted rejection is left behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bounceback.events import DomainEvent
from bounceback.services import Services
from bounceback.timers import followup_timer_name, reapply_timer_name


def set_timer(
    services: Services,
    *,
    user_id: str,
    rejection_id: str,
    name: str,
    at: datetime,
    event: DomainEvent[Any],
    replace: bool = False,
) -> bool:
    """Set the timer (``replace``: over an existing one of that name); False when the
    rejection was deleted meanwhile (and the timer is cancelled again)."""
    if replace:
        services.timers.reschedule(name, at, event)
    else:
        services.timers.schedule(name, at, event)
    if services.rejections.get(user_id, rejection_id) is None:
        services.timers.cancel(name)
        return False
    return True


def cancel_timers(services: Services, rejection_id: str) -> None:
    services.timers.cancel(followup_timer_name(rejection_id))
    services.timers.cancel(reapply_timer_name(rejection_id))
