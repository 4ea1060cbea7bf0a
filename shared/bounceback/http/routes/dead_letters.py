"""``/admin/dead-letters``: what failed for a day and waits for an operator, and sending it
back through its step. For callers in the ``admin`` group."""

from __future__ import annotations

from bounceback import dead_letters
from bounceback.http import schemas
from bounceback.http.answers import ADMIN, AUTHENTICATED, WITH_BODY, answers, ok
from bounceback.http.request import SECURED, ApiRouter
from bounceback.services import services
from bounceback.settings import settings

router = ApiRouter()
TAGS = ["admin"]


@router.get(
    "/admin/dead-letters",
    security=SECURED,
    tags=TAGS,
    summary="Count the failures parked for an operator",
    description=(
        "A step that failed is retried with backoff for 24 hours, then parked in its "
        "dead-letter queue. Each queue, by its logical id in the template, with how many "
        "messages wait in it."
    ),
    responses=answers(
        ok(schemas.DeadLettersOut, "Messages waiting, by queue."), AUTHENTICATED | ADMIN
    ),
)
def list_dead_letters() -> schemas.DeadLettersOut:
    router.caller().require_admin()
    queues = dead_letters.configured(settings().dead_letter_queues)
    return schemas.DeadLettersOut(queues=dead_letters.waiting(services(), queues))


@router.post(
    "/admin/dead-letters/redrive",
    security=SECURED,
    tags=TAGS,
    summary="Send every parked failure back through its step",
    description=(
        "At most 500 a call: call again while `redriven` is 500. Steps act once, so a redriven "
        "failure that already succeeded changes nothing. Takes no body."
    ),
    responses=answers(
        ok(schemas.RedriveOut, "How many were sent back."), AUTHENTICATED | ADMIN | WITH_BODY
    ),
)
def redrive_dead_letters() -> schemas.RedriveOut:
    router.caller().require_admin()
    queues = dead_letters.configured(settings().dead_letter_queues)
    return schemas.RedriveOut(redriven=dead_letters.redrive(services(), queues))
