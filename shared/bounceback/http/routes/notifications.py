"""``/notifications``: the caller's inbox, newest first."""

from __future__ import annotations

from bounceback.http import schemas
from bounceback.http.answers import AUTHENTICATED, PAGED, answers, ok
from bounceback.http.request import SECURED, ApiRouter, PageSize, PageToken
from bounceback.services import services

router = ApiRouter()


@router.get(
    "/notifications",
    security=SECURED,
    tags=["notifications"],
    summary="Your notifications, newest first",
    description=(
        "What your recovery sent you: `encouragement`, `feedback_request`, "
        "`feedback_followup`, `plan_ready` and `reapply_open`, each with the rejection it is "
        "about. Pass the answer's `next_token` to read the next page."
    ),
    responses=answers(
        ok(schemas.NotificationPage, "One page of notifications."), AUTHENTICATED | PAGED
    ),
)
def list_notifications(
    limit: PageSize = 20, next_token: PageToken = None
) -> schemas.NotificationPage:
    page = services().notifications.page(
        router.caller().user_id, limit=limit, next_token=next_token
    )
    return schemas.NotificationPage(
        items=[schemas.notification_view(n) for n in page.items], next_token=page.next_token
    )
