"""``/me``: the caller's profile, everything stored about them, and forgetting them."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback import accounts, verification
from bounceback.errors import NotFoundError
from bounceback.http import schemas
from bounceback.http.answers import AUTHENTICATED, WITH_BODY, accepted, answers, no_content, ok
from bounceback.http.request import SECURED, ApiRouter, json_response
from bounceback.http.request import no_content as no_content_response
from bounceback.services import services

router = ApiRouter()
TAGS = ["profile"]


@router.put(
    "/me",
    security=SECURED,
    tags=TAGS,
    summary="Create or replace your profile",
    description=(
        "The addresses in `emails` are how job boards' webhooks find you, once verified. The "
        "token's own `email` (when its `email_verified` is true) is verified at once; every "
        "other newly named address is sent a 6-digit code (`POST /me/emails/verify`). The "
        "answer is the same whether or not another account already uses an address."
    ),
    responses=answers(
        ok(schemas.ProfileOut, "The profile as stored, with the addresses verified so far."),
        AUTHENTICATED
        | WITH_BODY
        | {
            409: "The profile was changed by other requests meanwhile, three times: try again.",
            422: "The body does not match the schema (the details say where), e.g. an unknown "
            "`timezone` (an IANA name such as `Europe/London`).",
        },
    ),
)
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


@router.get(
    "/me",
    security=SECURED,
    tags=TAGS,
    summary="Read your profile",
    description=(
        "`verified_emails` are the addresses proved yours: only they route job boards' "
        "rejections to you and receive your mail. A token whose verified `email` is on the "
        "profile verifies that address here too."
    ),
    responses=answers(
        ok(schemas.ProfileOut, "Your profile."),
        AUTHENTICATED | {404: "No profile yet: `PUT /me` first."},
    ),
)
def get_me() -> schemas.ProfileOut:
    caller = router.caller()
    profile = accounts.profile_of(services(), caller.user_id, caller.email, router.now())
    if profile is None:
        raise NotFoundError("no profile yet: PUT /me first")
    return schemas.profile_view(profile)


@router.delete(
    "/me",
    security=SECURED,
    tags=TAGS,
    summary="Delete your account and everything stored about you",
    description=(
        "Every rejection, feedback, timer and notification is gone, and so is anything a step "
        "still in flight would write for you afterwards. Your addresses are free again."
    ),
    responses=answers(
        no_content("Deleted (also when there was nothing to delete)."), AUTHENTICATED
    ),
)
def delete_me() -> Response[str]:
    accounts.delete_account(services(), router.caller().user_id, router.now())
    return no_content_response()


@router.post(
    "/me/emails/code",
    security=SECURED,
    tags=TAGS,
    summary="Send a new verification code to one of your addresses",
    description=(
        "Replaces any earlier code. At most one code a minute and ten a day per address; after "
        "five wrong codes a new code is the way to try again, without waiting."
    ),
    responses=answers(
        accepted(schemas.EmailCodeSent, "The code is on its way to the address."),
        AUTHENTICATED
        | WITH_BODY
        | {
            404: "The address is not on your profile: add it with `PUT /me` first.",
            409: "The address is already verified.",
            429: "A code was sent less than a minute ago, or ten today: wait.",
        },
    ),
)
def send_email_code(body: schemas.EmailCodeIn) -> Response[str]:
    verification.request_code(services(), router.caller().user_id, body.email, router.now())
    sent = schemas.EmailCodeSent(
        email=body.email, valid_minutes=int(verification.CODE_VALID.total_seconds() // 60)
    )
    return json_response(202, sent)


@router.post(
    "/me/emails/verify",
    security=SECURED,
    tags=TAGS,
    summary="Prove an address is yours with the code it was sent",
    description=(
        "Once verified, the address routes job boards' rejections to you and receives your "
        "mail. Only one account can hold an address verified."
    ),
    responses=answers(
        ok(schemas.ProfileOut, "Your profile, the address now among `verified_emails`."),
        AUTHENTICATED
        | WITH_BODY
        | {
            400: "The body's bytes are not UTF-8, or the code is wrong or expired, or no code "
            "was sent to this address.",
            404: "The address is not on your profile: add it with `PUT /me` first.",
            409: "The address is verified on another account, or the profile kept changing.",
            429: "Five wrong codes: ask for a new one (`POST /me/emails/code`).",
        },
    ),
)
def verify_email(body: schemas.EmailVerifyIn) -> schemas.ProfileOut:
    profile = verification.verify_code(
        services(), router.caller().user_id, body.email, body.code, router.now()
    )
    return schemas.profile_view(profile)


@router.get(
    "/me/export",
    security=SECURED,
    tags=TAGS,
    summary="Everything stored about you, as one document",
    description=(
        "Your profile, every rejection with its feedback, every notification, and your plan: "
        "a copy of your data to keep or take elsewhere."
    ),
    responses=answers(
        ok(schemas.ExportOut, "Your profile, rejections with feedback, notifications and plan."),
        AUTHENTICATED,
    ),
)
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
