"""Step 1, "don't take it personally": a supportive message on every logged rejection.

When the reason or message points outside the user's control (position filled, internal
candidate, hiring freeze, many applicants, someone matched more closely) it says so plainly.
A skill or experience gap is framed as something the user does not have *at the moment*,
never as a verdict on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bounceback.model import Area, AreaFinding, NotificationKind, Rejection
from bounceback.services import Services
from bounceback.workflow.notify import notify


def _quote(sentence: str, limit: int = 240) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def compose_encouragement(rejection: Rejection, findings: Sequence[AreaFinding]) -> tuple[str, str]:
    """Title and body of the encouragement for this rejection."""
    by_area = {f.area: f for f in findings}
    paragraphs = [
        f"Hearing no from {rejection.company} for the {rejection.role} role stings, and it is "
        "fine to feel that. A rejection is one decision, made by a few people, about one "
        "opening at one moment: it is not a measure of your worth."
    ]
    outside = by_area.get(Area.OUTSIDE_CONTROL)
    if outside:
        title = f"{rejection.company}: this one was not about you"
        paragraphs.append(
            "What they told you points to something outside your control: "
            f'"{_quote(outside.evidence)}" '
            "That was about their circumstances and their timing, not about you or what you "
            "bring."
        )
    else:
        title = f"{rejection.company}: keep going, you are closer than it feels"
    skills = by_area.get(Area.TECHNICAL_SKILLS)
    if skills:
        named = _join(list(skills.skills)) or "a particular skill"
        paragraphs.append(
            f"They mentioned {named}: a skill you do not have at the moment. Skills are "
            "learned, and this is a gap you can close, not a judgement of who you are."
        )
    if Area.EXPERIENCE in by_area:
        paragraphs.append(
            "They were looking for a different kind or amount of experience for this opening, "
            "at the moment. Experience grows with every role and project, and another team "
            "will weigh it differently."
        )
    if not findings:
        paragraphs.append(
            "They did not say why. Most rejections come down to things you never see: how many "
            "people applied, an internal candidate, a budget or a plan that changed. Take the "
            "no as information about this opening, not about you."
        )
    elif not outside and not skills and Area.EXPERIENCE not in by_area:
        paragraphs.append(
            "What they mentioned is something you can work on, and we will help you turn it "
            "into a plan when feedback comes in."
        )
    reapply_on = f"{rejection.reapply_at.day} {rejection.reapply_at:%B %Y}"
    paragraphs.append(
        "Next: we have drafted a feedback request you can send, and we will tell you when you "
        f"can reapply to {rejection.company} ({reapply_on})."
    )
    return title, "\n\n".join(paragraphs)


def rejection_text(rejection: Rejection) -> str:
    """What the recruiter said: the reason label and the message, as one text to analyse."""
    return "\n".join(t for t in (rejection.reason, rejection.message) if t)


def encourage(services: Services, *, user_id: str, rejection_id: str, now: datetime) -> bool:
    """Returns True when the encouragement was created by this call."""
    from bounceback.analysis import analyse

    rejection = services.rejections.get(user_id, rejection_id)
    if rejection is None or rejection.status != "rejected":
        return False  # deleted or withdrawn before the event arrived: nothing to say
    title, body = compose_encouragement(rejection, analyse(rejection_text(rejection)))
    return notify(
        services,
        kind=NotificationKind.ENCOURAGEMENT,
        user_id=user_id,
        rejection_id=rejection.id,
        title=title,
        body=body,
        now=now,
    )
