"""``/rejections``: log, list, read, change and delete rejections, and add feedback to one."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from bounceback.errors import InvalidRequestError, NotFoundError
from bounceback.http import schemas
from bounceback.http.request import (
    SECURED,
    ApiRouter,
    IdempotencyKey,
    PageSize,
    PageToken,
    json_response,
    no_content,
)
from bounceback.services import services
from bounceback.workflow import recording

router = ApiRouter()


@router.post("/rejections", security=SECURED, tags=["rejections"])
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


@router.get("/rejections", security=SECURED, tags=["rejections"])
def list_rejections(limit: PageSize = 20, next_token: PageToken = None) -> schemas.RejectionPage:
    page = services().rejections.page(router.caller().user_id, limit=limit, next_token=next_token)
    return schemas.RejectionPage(
        items=[schemas.rejection_view(r) for r in page.items], next_token=page.next_token
    )


@router.get("/rejections/<rejection_id>", security=SECURED, tags=["rejections"])
def get_rejection(rejection_id: str) -> schemas.RejectionOut:
    detail = services().rejections.get_detail(router.caller().user_id, rejection_id)
    if detail is None:
        raise NotFoundError("rejection not found")
    recovery = schemas.recovery_view(
        detail.rejection, detail.feedback, detail.notifications, router.now()
    )
    return schemas.rejection_view(detail.rejection, detail.feedback, recovery)


@router.patch("/rejections/<rejection_id>", security=SECURED, tags=["rejections"])
def patch_rejection(rejection_id: str, body: schemas.RejectionPatch) -> schemas.RejectionOut:
    changes: dict[str, object] = body.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidRequestError("nothing to change")
    if "recruiter" in changes and body.recruiter is not None:
        changes["recruiter"] = body.recruiter.model_dump()
    updated = recording.update_rejection(
        services(),
        user_id=router.caller().user_id,
        rejection_id=rejection_id,
        changes=changes,
        now=router.now(),
        correlation_id=router.request_id(),
    )
    return schemas.rejection_view(updated)


@router.delete("/rejections/<rejection_id>", security=SECURED, tags=["rejections"])
def delete_rejection(rejection_id: str) -> Response[str]:
    recording.delete_rejection(
        services(), user_id=router.caller().user_id, rejection_id=rejection_id, now=router.now()
    )
    return no_content()


@router.post("/rejections/<rejection_id>/feedback", security=SECURED, tags=["rejections"])
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
