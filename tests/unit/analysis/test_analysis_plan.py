"""The preparation plan across a user's feedback: ranking, fading, outside control, patterns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bounceback.analysis.plan import HALF_LIFE_DAYS, PlanInput, actions_for, build_plan
from bounceback.model import Area, AreaFinding

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def feedback(n: int, days_ago: float, *findings: AreaFinding, company: str = "Acme") -> PlanInput:
    return PlanInput(
        feedback_id=f"f{n}",
        rejection_id=f"r{n}",
        company=company,
        role="Engineer",
        received_at=NOW - timedelta(days=days_ago),
        findings=findings,
    )


def finding(area: Area, evidence: str = "a sentence", *skills: str) -> AreaFinding:
    return AreaFinding(area=area, evidence=evidence, skills=skills)


def test_empty_input_gives_an_empty_plan() -> None:
    plan = build_plan([], NOW)
    assert plan.areas == ()
    assert plan.patterns == ()
    assert plan.feedback_count == 0
    assert plan.outside_control_count == 0
    assert plan.generated_at == NOW


def test_frequent_and_recent_areas_rank_first() -> None:
    # Given communication twice recently and confidence once, long ago
    inputs = [
        feedback(1, 400, finding(Area.CONFIDENCE)),
        feedback(2, 10, finding(Area.COMMUNICATION)),
        feedback(3, 5, finding(Area.COMMUNICATION)),
    ]
    # When the plan is built
    plan = build_plan(inputs, NOW)
    # Then communication leads and confidence trails
    assert [a.area for a in plan.areas] == [Area.COMMUNICATION, Area.CONFIDENCE]
    assert plan.areas[0].mentions == 2
    assert plan.areas[0].last_seen == NOW - timedelta(days=5)


def test_areas_fade_with_a_90_day_half_life() -> None:
    plan = build_plan(
        [
            feedback(1, 0, finding(Area.RESUME)),
            feedback(2, HALF_LIFE_DAYS, finding(Area.EXPERIENCE)),
        ],
        NOW,
    )
    scores = {a.area: a.score for a in plan.areas}
    assert scores == {Area.RESUME: 1.0, Area.EXPERIENCE: 0.5}


def test_one_old_area_is_outranked_by_a_single_recent_one() -> None:
    # Two mentions 300 days ago (2 * 0.1 = 0.2) fade below one mention today (1.0)
    plan = build_plan(
        [
            feedback(1, 300, finding(Area.PREPARATION)),
            feedback(2, 301, finding(Area.PREPARATION)),
            feedback(3, 0, finding(Area.STORYTELLING)),
        ],
        NOW,
    )
    assert [a.area for a in plan.areas] == [Area.STORYTELLING, Area.PREPARATION]


def test_outside_control_is_counted_never_ranked() -> None:
    plan = build_plan(
        [
            feedback(1, 3, finding(Area.OUTSIDE_CONTROL, "The position has been filled.")),
            feedback(2, 2, finding(Area.OUTSIDE_CONTROL, "Hiring freeze.")),
            feedback(3, 1, finding(Area.COMMUNICATION)),
        ],
        NOW,
    )
    assert [a.area for a in plan.areas] == [Area.COMMUNICATION]
    assert plan.outside_control_count == 2
    assert plan.feedback_count == 3
    assert actions_for(Area.OUTSIDE_CONTROL, ()) == ()


def test_evidence_is_newest_first_and_skills_most_frequent_first() -> None:
    plan = build_plan(
        [
            feedback(
                1, 30, finding(Area.TECHNICAL_SKILLS, "old", "SQL", "system design"), company="A"
            ),
            feedback(2, 20, finding(Area.TECHNICAL_SKILLS, "mid", "system design"), company="B"),
            feedback(3, 10, finding(Area.TECHNICAL_SKILLS, "new", "Kafka"), company="C"),
        ],
        NOW,
    )
    (area,) = plan.areas
    assert [e.sentence for e in area.evidence] == ["new", "mid", "old"]
    assert [e.company for e in area.evidence] == ["C", "B", "A"]
    assert area.evidence[0].rejection_id == "r3"
    assert area.skills == ("system design", "Kafka", "SQL")
    # The technical actions name the actual skill words
    assert any("system design" in action for action in area.actions)


def test_patterns_for_recurring_areas_and_skills() -> None:
    ts = finding(Area.TECHNICAL_SKILLS, "s", "system design")
    plan = build_plan(
        [
            feedback(1, 50, finding(Area.COMMUNICATION)),
            feedback(2, 40, ts, finding(Area.COMMUNICATION)),
            feedback(3, 30, ts),
            feedback(4, 20, finding(Area.RESUME)),
            feedback(5, 10, ts),
        ],
        NOW,
    )
    # The skill recurs since its first mention; communication since the oldest feedback
    assert plan.patterns == (
        "3 of your last 4 feedbacks mention system design",
        "Communication came up in 2 of your 5 feedbacks",
    )
    # "technical skills" is not repeated beside the skill that says it better, and single
    # mentions (the CV) make no pattern


def test_every_area_has_concrete_actions() -> None:
    for area in Area:
        if area is Area.OUTSIDE_CONTROL:
            continue
        assert actions_for(area, ()), area
    assert all("Kubernetes" in a for a in actions_for(Area.TECHNICAL_SKILLS, ("Kubernetes",)))


def test_naive_datetimes_are_read_as_utc_and_future_ones_do_not_inflate() -> None:
    naive = PlanInput(
        feedback_id="f1",
        rejection_id="r1",
        company="Acme",
        role="Engineer",
        received_at=datetime(2025, 7, 1),  # after NOW, and naive
        findings=(finding(Area.CONFIDENCE),),
    )
    plan = build_plan([naive], NOW)
    assert plan.areas[0].score == 1.0
    assert plan.areas[0].last_seen.tzinfo is not None
