"""The preparation plan: what to work on, across all of a user's analysed feedback.

Ranking rule: each feedback that mentions an area adds ``0.5 ** (age_days / 90)`` to the area's
score, where ``age_days`` is the feedback's age at ``now`` (never negative). So an area heard about
today weighs 1, three months ago 0.5, six months ago 0.25: areas that keep coming up rank high,
and areas not heard about for a long time fade. Ties go to more mentions, then the most recent.

``outside_control`` is never something to fix: it is counted (``outside_control_count``), not
ranked. Actions come from ``actions.toml``; patterns are sentences about areas and skills that
recur in at least two feedbacks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from bounceback.model import Area, AreaFinding, EntityId, Frozen

HALF_LIFE_DAYS = 90.0
MIN_RECURRENCE = 2

# How an area reads inside a sentence ("Communication came up in 2 of your 5 feedbacks").
_AREA_WORDS: dict[Area, str] = {
    Area.TECHNICAL_SKILLS: "technical skills",
    Area.EXPERIENCE: "experience",
    Area.COMMUNICATION: "communication",
    Area.CONFIDENCE: "confidence",
    Area.RESUME: "your CV",
    Area.STORYTELLING: "concrete examples of your achievements",
    Area.PREPARATION: "preparation",
    Area.CULTURE_FIT: "culture fit",
    Area.LOGISTICS: "salary, location or availability",
    Area.OUTSIDE_CONTROL: "things outside your control",
}


class PlanInput(Frozen):
    """One analysed feedback, with the rejection it belongs to."""

    feedback_id: EntityId
    rejection_id: EntityId
    company: str
    role: str
    received_at: datetime
    findings: tuple[AreaFinding, ...]


class Evidence(Frozen):
    rejection_id: EntityId
    feedback_id: EntityId
    company: str
    sentence: str
    received_at: datetime


class PlanArea(Frozen):
    area: Area
    score: float
    mentions: int
    last_seen: datetime
    skills: tuple[str, ...]
    evidence: tuple[Evidence, ...]  # newest first
    actions: tuple[str, ...]


class Plan(Frozen):
    generated_at: datetime
    areas: tuple[PlanArea, ...]  # ranked, highest score first
    outside_control_count: int
    patterns: tuple[str, ...]
    feedback_count: int


@cache
def _actions() -> dict[str, Any]:
    import tomllib
    from importlib import resources

    text = resources.files(__package__).joinpath("actions.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def actions_for(area: Area, skills: tuple[str, ...]) -> tuple[str, ...]:
    """Concrete preparation actions for ``area``; technical ones name ``skills`` when given."""
    if area is Area.OUTSIDE_CONTROL:
        return ()
    table = _actions().get(area.value, {})
    templated = table.get("with_skills", [])
    if skills and templated:
        named = _join(list(skills[:3]))
        return tuple(t.format(skills=named, skill=skills[0]) for t in templated)
    return tuple(table.get("generic", []))


def _utc(value: datetime) -> datetime:
    # Stored datetimes are UTC; a naive one is read as UTC rather than refused.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _weight(received_at: datetime, now: datetime) -> float:
    age_days = max(0.0, (now - received_at).total_seconds() / 86400)
    return float(0.5 ** (age_days / HALF_LIFE_DAYS))


def _recurrence(subject: str, mentioned: list[bool], capitalise: bool) -> str:
    """A sentence for a subject mentioned in ``sum(mentioned)`` of the feedbacks (oldest first).

    When the first mention is not the oldest feedback, the window starts there ("3 of your last
    4 feedbacks"), which says the thing is recent as well as recurring.
    """
    count = sum(mentioned)
    first = mentioned.index(True)
    window = len(mentioned) - first
    if window < len(mentioned):
        return f"{count} of your last {window} feedbacks mention {subject}"
    head = subject[:1].upper() + subject[1:] if capitalise else subject
    return f"{head} came up in {count} of your {len(mentioned)} feedbacks"


def build_plan(inputs: Sequence[PlanInput], now: datetime) -> Plan:
    """The plan across ``inputs`` (any order) as of ``now``."""
    now = _utc(now)
    feedbacks = sorted(inputs, key=lambda i: (_utc(i.received_at), i.feedback_id))
    per_area: dict[Area, list[tuple[PlanInput, AreaFinding]]] = {}
    for item in feedbacks:
        seen: set[Area] = set()
        for finding in item.findings:
            if finding.area in seen:  # one mention per feedback, whatever the analyser gave
                continue
            seen.add(finding.area)
            per_area.setdefault(finding.area, []).append((item, finding))

    areas: list[PlanArea] = []
    for area, mentions in per_area.items():
        if area is Area.OUTSIDE_CONTROL:
            continue
        skill_counts: Counter[str] = Counter()
        skill_last: dict[str, datetime] = {}
        for item, finding in mentions:
            for skill in dict.fromkeys(finding.skills):
                skill_counts[skill] += 1
                skill_last[skill] = _utc(item.received_at)
        skills = tuple(
            sorted(skill_counts, key=lambda s: (-skill_counts[s], -skill_last[s].timestamp(), s))
        )
        newest_first = sorted(mentions, key=lambda m: _utc(m[0].received_at), reverse=True)
        areas.append(
            PlanArea(
                area=area,
                score=round(sum(_weight(_utc(i.received_at), now) for i, _ in mentions), 3),
                mentions=len(mentions),
                last_seen=_utc(newest_first[0][0].received_at),
                skills=skills,
                evidence=tuple(
                    Evidence(
                        rejection_id=i.rejection_id,
                        feedback_id=i.feedback_id,
                        company=i.company,
                        sentence=f.evidence,
                        received_at=_utc(i.received_at),
                    )
                    for i, f in newest_first
                ),
                actions=actions_for(area, skills),
            )
        )
    areas.sort(key=lambda a: (-a.score, -a.mentions, -a.last_seen.timestamp(), a.area.value))

    return Plan(
        generated_at=now,
        areas=tuple(areas),
        outside_control_count=len(per_area.get(Area.OUTSIDE_CONTROL, [])),
        patterns=_patterns(feedbacks, per_area),
        feedback_count=len(feedbacks),
    )


def _patterns(
    feedbacks: list[PlanInput], per_area: dict[Area, list[tuple[PlanInput, AreaFinding]]]
) -> tuple[str, ...]:
    ids = [f.feedback_id for f in feedbacks]
    found: list[tuple[int, str]] = []
    skill_feedbacks: dict[str, set[str]] = {}
    for item, finding in per_area.get(Area.TECHNICAL_SKILLS, []):
        for skill in finding.skills:
            skill_feedbacks.setdefault(skill, set()).add(item.feedback_id)
    for area, mentions in per_area.items():
        mentioned_ids = {i.feedback_id for i, _ in mentions}
        if len(mentioned_ids) < MIN_RECURRENCE:
            continue
        if area is Area.TECHNICAL_SKILLS and mentioned_ids in skill_feedbacks.values():
            continue  # a skill with the very same mentions says it more precisely
        flags = [i in mentioned_ids for i in ids]
        if area is Area.OUTSIDE_CONTROL:
            sentence = (
                f"{len(mentioned_ids)} of your {len(ids)} feedbacks were about things outside "
                "your control, not about you"
            )
        else:
            sentence = _recurrence(_AREA_WORDS[area], flags, capitalise=True)
        found.append((len(mentioned_ids), sentence))
    for skill, mentioned_ids in skill_feedbacks.items():
        if len(mentioned_ids) >= MIN_RECURRENCE:
            flags = [i in mentioned_ids for i in ids]
            # Skill words keep their spelling ("SQL", "iOS"); only all-lower ones are capitalised.
            found.append((len(mentioned_ids), _recurrence(skill, flags, skill.islower())))
    found.sort(key=lambda p: -p[0])
    return tuple(sentence for _, sentence in found)
