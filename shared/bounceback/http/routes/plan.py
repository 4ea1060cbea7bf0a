"""``/plan``: what to work on, across all of the caller's feedback."""

from __future__ import annotations

from bounceback.analysis.plan import Plan
from bounceback.http.answers import AUTHENTICATED, answers, ok
from bounceback.http.request import SECURED, ApiRouter
from bounceback.services import services
from bounceback.workflow.build_plan import plan_for

router = ApiRouter()


@router.get(
    "/plan",
    security=SECURED,
    tags=["plan"],
    summary="Your preparation plan across all your feedback",
    description=(
        "Improvement areas ranked by how often and how recently your feedback named them, each "
        "with its evidence (the sentences, newest first), the skills named, and actions. "
        "Reasons outside your control are counted, not ranked. Empty until feedback arrives."
    ),
    responses=answers(ok(Plan, "The plan as of now."), AUTHENTICATED),
)
def get_plan() -> Plan:
    return plan_for(services(), router.caller().user_id, router.now())
