"""``/admin/dead-letters``: what failed for a day and waits for an operator, and sending it
back through its step. For callers in the ``admin`` group."""

from __future__ import annotations

from bounceback import dead_letters
from bounceback.http import schemas
from bounceback.http.request import SECURED, ApiRouter
from bounceback.services import services
from bounceback.settings import settings

router = ApiRouter()


@router.get("/admin/dead-letters", security=SECURED, tags=["admin"])
def list_dead_letters() -> schemas.DeadLettersOut:
    router.caller().require_admin()
    queues = dead_letters.configured(settings().dead_letter_queues)
    return schemas.DeadLettersOut(queues=dead_letters.waiting(services(), queues))


@router.post("/admin/dead-letters/redrive", security=SECURED, tags=["admin"])
def redrive_dead_letters() -> schemas.RedriveOut:
    router.caller().require_admin()
    queues = dead_letters.configured(settings().dead_letter_queues)
    return schemas.RedriveOut(redriven=dead_letters.redrive(services(), queues))
