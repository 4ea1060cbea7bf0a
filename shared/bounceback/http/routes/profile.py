"""``/me``: the caller's profile, everything stored about them, and forgetting them."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback import accounts, verification
from bounceback.errors import NotFoundError
from bounceback.http import schemas
from bounceback.http.request import SECURED, ApiRouter, json_response, no_content
from bounceback.services import services

router = ApiRouter()


@router.put("/me", security=SECURED, tags=["profile"])
def put_me(body: schemas.ProfileIn) -> schemas.ProfileOut:
    caller = router.caller()
    profile = accounts.save_profile(
        services(),
        user_id=caller.user_id,
        token_email=caller.email,
        display_name=body.display_name,
        emails=body.emails,
        timezone=body.timezone,
        email_notifications=body.email_notifications,
        now=router.now(),
    )
    return schemas.profile_view(profile)


@router.get("/me", security=SECURED, tags=["profile"])
def get_me() -> schemas.ProfileOut:
    caller = router.caller()
    profile = accounts.profile_of(services(), caller.user_id, caller.email, router.now())
    if profile is None:
        raise NotFoundError("no profile yet: PUT /me first")
    return schemas.profile_view(profile)


@router.delete("/me", security=SECURED, tags=["profile"])
def delete_me() -> Response[str]:
    accounts.delete_account(services(), router.caller().user_id, router.now())
    return no_content()


@router.post("/me/emails/code", security=SECURED, tags=["profile"])
def send_email_code(body: schemas.EmailCodeIn) -> Response[str]:
    verification.request_code(services(), router.caller().user_id, body.email, router.now())
    sent = schemas.EmailCodeSent(
        email=body.email, valid_minutes=int(verification.CODE_VALID.total_seconds() // 60)
    )
    return json_response(202, sent)


@router.post("/me/emails/verify", security=SECURED, tags=["profile"])
def verify_email(body: schemas.EmailVerifyIn) -> schemas.ProfileOut:
    profile = verification.verify_code(
        services(), router.caller().user_id, body.email, body.code, router.now()
    )
    return schemas.profile_view(profile)


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
