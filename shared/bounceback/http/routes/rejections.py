"""``/rejections``: log, list, read, change and delete rejections, and add feedback to one."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback.errors import NotFoundError
from bounceback.http import schemas
from bounceback.http.answers import (
    AUTHENTICATED,
    IDEMPOTENT,
    PAGED,
    WITH_BODY,
    accepted,
    answers,
    created,
    no_content,
    ok,
)
from bounceback.http.request import (
    SECURED,
    ApiRouter,
    IdempotencyKey,
    PageSize,
    PageToken,
    json_response,
)
from bounceback.http.request import no_content as no_content_response
from bounceback.services import services
from bounceback.workflow import recording

router = ApiRouter()
TAGS = ["rejections"]
NOT_FOUND = {404: "No such rejection of yours."}


@router.post(
    "/rejections",
    security=SECURED,
    tags=TAGS,
    summary="Log a rejection",
    description=(
        "Starts your recovery: encouragement, a request for the interviewer's feedback, and a "
        "date when you can reapply. The waiting period comes from your `cooldown_days`, a hint "
        "in the message, the company's known policy, or the default, in that order. Logging "
        "the same rejection again (the same `Idempotency-Key`, or without one the same "
        "company, role, stage and day) answers the rejection first stored."
    ),
    responses=answers(
        created(
            schemas.RejectionOut,
            "The stored rejection, with its `id`, cooldown and reapply date.",
            "The rejection's URL, `/rejections/{id}`.",
            replay=True,
        ),
        AUTHENTICATED
        | WITH_BODY
        | IDEMPOTENT
        | {
            400: "The body's bytes are not UTF-8, or `rejected_at` is in the future or more "
            "than ten years ago.",
            409: "The `Idempotency-Key` was used for a different rejection, or the rejection "
            "was deleted while it was being logged.",
        },
    ),
)
def create_rejection(
    body: schemas.RejectionIn, idempotency_key: IdempotencyKey = None
) -> Response[str]:
    rejection, created = recording.log_app_rejection(
        services(),
        user_id=router.caller().user_id,
        draft=recording.RejectionDraft.model_validate(body.model_dump()),
        idempotency_key=idempotency_key,
        now=router.now(),
        correlation_id=router.request_id(),
    )
    headers = {"Location": f"/rejections/{rejection.id}"}
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return json_response(201, schemas.rejection_view(rejection), headers)


@router.get(
    "/rejections",
    security=SECURED,
    tags=TAGS,
    summary="List your rejections, newest first",
    description="Pass the answer's `next_token` to read the next page; none means the last page.",
    responses=answers(ok(schemas.RejectionPage, "One page of rejections."), AUTHENTICATED | PAGED),
)
def list_rejections(limit: PageSize = 20, next_token: PageToken = None) -> schemas.RejectionPage:
    page = services().rejections.page(router.caller().user_id, limit=limit, next_token=next_token)
    return schemas.RejectionPage(
        items=[schemas.rejection_view(r) for r in page.items], next_token=page.next_token
    )


@router.get(
    "/rejections/<rejection_id>",
    security=SECURED,
    tags=TAGS,
    summary="Read one rejection, with its feedback and recovery",
    description=(
        "`feedback` lists what you added, with the areas found in it once analysed; "
        "`recovery` says which steps of your recovery have happened."
    ),
    responses=answers(
        ok(schemas.RejectionOut, "The rejection, its feedback and recovery."),
        AUTHENTICATED | NOT_FOUND,
    ),
)
def get_rejection(rejection_id: str) -> schemas.RejectionOut:
    return _read(rejection_id)


def _read(rejection_id: str) -> schemas.RejectionOut:
    """The caller's rejection as GET reads it: its feedback and recovery included."""
    detail = services().rejections.get_detail(router.caller().user_id, rejection_id)
    if detail is None:
        raise NotFoundError("rejection not found")
    recovery = schemas.recovery_view(
        detail.rejection, detail.feedback, detail.notifications, router.now()
    )
    return schemas.rejection_view(detail.rejection, detail.feedback, recovery)


@router.patch(
    "/rejections/<rejection_id>",
    security=SECURED,
    tags=TAGS,
    summary="Change a rejection",
    description=(
        "Only the fields sent change. `cooldown_days` sets your own waiting period (`null` "
        "clears it) and moves the reapply date and its reminder."
    ),
    responses=answers(
        ok(schemas.RejectionOut, "The rejection as changed, read as GET reads it."),
        AUTHENTICATED
        | WITH_BODY
        | NOT_FOUND
        | {
            409: "The rejection was deleted meanwhile.",
            422: "The body does not match the schema (the details say where), or names no "
            "field to change.",
        },
    ),
)
def patch_rejection(rejection_id: str, body: schemas.RejectionPatch) -> schemas.RejectionOut:
    changes: dict[str, object] = body.model_dump(exclude_unset=True)
    if "recruiter" in changes and body.recruiter is not None:
        changes["recruiter"] = body.recruiter.model_dump()
    recording.update_rejection(
        services(),
        user_id=router.caller().user_id,
        rejection_id=rejection_id,
        changes=changes,
        now=router.now(),
        correlation_id=router.request_id(),
    )
    return _read(rejection_id)


@router.delete(
    "/rejections/<rejection_id>",
    security=SECURED,
    tags=TAGS,
    summary="Delete a rejection",
    description="Its feedback, notifications and timers go with it.",
    responses=answers(no_content("Deleted."), AUTHENTICATED | NOT_FOUND),
)
def delete_rejection(rejection_id: str) -> Response[str]:
    recording.delete_rejection(
        services(), user_id=router.caller().user_id, rejection_id=rejection_id, now=router.now()
    )
    return no_content_response()


@router.post(
    "/rejections/<rejection_id>/feedback",
    security=SECURED,
    tags=TAGS,
    summary="Add the feedback you got on a rejection",
    description=(
        "Accepted now, analysed soon after: the rejection's `feedback` then shows the "
        "improvement areas found, and `GET /plan` takes them in. The same text (or the same "
        "`Idempotency-Key`) on the same rejection is recorded once."
    ),
    responses=answers(
        accepted(schemas.FeedbackAccepted, "Recorded; the analysis follows."),
        AUTHENTICATED
        | WITH_BODY
        | IDEMPOTENT
        | NOT_FOUND
        | {
            400: "The body's bytes are not UTF-8, or `received_at` is in the future or more "
            "than ten years ago.",
            409: "The rejection or the feedback was deleted while it was being recorded.",
        },
    ),
)
def add_feedback(
    rejection_id: str, body: schemas.FeedbackIn, idempotency_key: IdempotencyKey = None
) -> Response[str]:
    feedback = recording.record_app_feedback(
        services(),
        user_id=router.caller().user_id,
        rejection_id=rejection_id,
        text=body.text,
        received_at=body.received_at,
        idempotency_key=idempotency_key,
        now=router.now(),
        correlation_id=router.request_id(),
    )
    return json_response(202, schemas.FeedbackAccepted(id=feedback.id, rejection_id=rejection_id))
