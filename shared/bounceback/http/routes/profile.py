"""``/me``: the caller's profile, everything stored about them, and forgetting them."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback import accounts
from bounceback.errors import NotFoundError
from bounceback.http import schemas
from bounceback.http.request import SECURED, ApiRouter, no_content
from bounceback.services import services

router = ApiRouter()


@router.put("/me", security=SECURED, tags=["profile"])
def put_me(body: schemas.ProfileIn) -> schemas.ProfileOut:
    profile = accounts.save_profile(
        services(),
        user_id=router.caller().user_id,
        display_name=body.display_name,
        emails=body.emails,
        timezone=body.timezone,
        email_notifications=body.email_notifications,
        now=router.now(),
    )
    return schemas.profile_view(profile)


@router.get("/me", security=SECURED, tags=["profile"])
def get_me() -> schemas.ProfileOut:
    profile = services().profiles.get(router.caller().user_id)
    if profile is None:
        raise NotFoundError("no profile yet: PUT /me first")
    return schemas.profile_view(profile)


@router.delete("/me", security=SECURED, tags=["profile"])
def delete_me() -> Response[str]:
    accounts.delete_account(services(), router.caller().user_id)
    return no_content()


@router.get("/me/export", security=SECURED, tags=["profile"])
def export_me() -> schemas.ExportOut:
    now = router.now()
    export = accounts.export_account(services(), router.caller().user_id, now)
    return schemas.ExportOut(
        exported_at=now,
        profile=schemas.profile_view(export.profile) if export.profile else None,
        rejections=[
            schemas.rejection_view(detail.rejection, detail.feedback)
            for detail in export.rejections
        ],
        notifications=[schemas.notification_view(n) for n in export.notifications],
        plan=export.plan,
    )
