"""Step 3, "be more prepared": feedback becomes improvement areas and a plan.

On "Feedback Received" the feedback is analysed into the BRIEF's areas (with evidence and
skills), the findings are stored on it, and the user is told their plan is ready. The plan
itself is computed from all of the user's analysed feedback whenever it is read (``plan_for``),
so it fades with time and forgets a deleted rejection without a second copy to keep in step.
"""

from __future__ import annotations

from datetime import datetime

from bounceback.analysis.plan import Plan, PlanInput, build_plan
from bounceback.model import AreaFinding, NotificationKind
from bounceback.services import Services
from bounceback.workflow.notify import notify


def plan_for(
    services: Services,
    user_id: str,
    now: datetime,
    fresh: tuple[str, tuple[AreaFinding, ...]] | None = None,
) -> Plan:
    """The user's plan across all their feedback. ``fresh`` is (feedback id, findings) just
    written, used in place of what the index returns (index reads may lag a write)."""
    entries: list[PlanInput] = []
    for feedback, company, role in services.rejections.iter_feedback(user_id):
        findings = fresh[1] if fresh and fresh[0] == feedback.id else feedback.areas
        if findings is None:
            continue  # not analysed yet
        entries.append(
            PlanInput(
                feedback_id=feedback.id,
                rejection_id=feedback.rejection_id,
                company=company,
                role=role,
                received_at=feedback.received_at,
                findings=tuple(findings),
            )
        )
    return build_plan(entries, now)


def compose_plan_ready(company: str, plan: Plan) -> tuple[str, str]:
    top = [a.area.value.replace("_", " ") for a in plan.areas[:3]]
    paragraphs = [f"We read the feedback from {company} and updated your preparation plan."]
    if top:
        paragraphs.append("What to work on first: " + ", ".join(top) + ".")
    else:
        paragraphs.append(
            "It did not point at anything you need to fix, which is worth hearing too."
        )
    paragraphs.extend(plan.patterns[:2])
    paragraphs.append("Open your plan to see the evidence and concrete actions for each area.")
    return "Your preparation plan is ready", "\n\n".join(paragraphs)


def analyse_feedback(
    services: Services, *, user_id: str, rejection_id: str, feedback_id: str, now: datetime
) -> bool:
    """Returns True when the "plan ready" notification was created by this call."""
    from bounceback.analysis import analyse

    feedback = services.rejections.get_feedback(user_id, rejection_id, feedback_id)
    rejection = services.rejections.get(user_id, rejection_id)
    if feedback is None or rejection is None:
        return False  # deleted before the event arrived
    findings = analyse(feedback.text)
    services.rejections.set_feedback_areas(user_id, rejection_id, feedback_id, findings)
    plan = plan_for(services, user_id, now, fresh=(feedback_id, findings))
    title, body = compose_plan_ready(rejection.company, plan)
    return notify(
        services,
        kind=NotificationKind.PLAN_READY,
        user_id=user_id,
        rejection_id=rejection_id,
        title=title,
        body=body,
        now=now,
        subject_id=feedback_id,
    )
