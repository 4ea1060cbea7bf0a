"""``/plan``: what to work on, across all of the caller's feedback."""

from __future__ import annotations

from bounceback.analysis.plan import Plan
from bounceback.http.request import SECURED, ApiRouter
from bounceback.services import services
from bounceback.workflow.build_plan import plan_for

router = ApiRouter()


@router.get("/plan", security=SECURED, tags=["plan"])
def get_plan() -> Plan:
    return plan_for(services(), router.caller().user_id, router.now())
