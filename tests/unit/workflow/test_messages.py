"""What the user reads: the encouragement, the feedback request and the reapply notice."""

from __future__ import annotations

from datetime import datetime, timedelta

from bounceback.model import (
    Area,
    AreaFinding,
    Cooldown,
    CooldownBasis,
    Recruiter,
    Rejection,
)
from bounceback.workflow.encourage import compose_encouragement
from bounceback.workflow.feedback_request import compose_followup, compose_request
from bounceback.workflow.reapply import compose_reapply

AT = datetime.fromisoformat("2026-11-02T09:00:00+00:00")


def rejection(**changes: object) -> Rejection:
    values: dict[str, object] = {
        "id": "r1",
        "user_id": "u1",
        "company": "Northwind",
        "role": "Data Engineer",
        "stage": "Onsite interview",
        "rejected_at": AT,
        "logged_at": AT,
        "source": "app",
        "cooldown": Cooldown(days=182, basis=CooldownBasis.DEFAULT),
        "reapply_at": AT + timedelta(days=182),
    }
    return Rejection.model_validate(values | changes)


def test_outside_control_is_named_as_not_about_the_user() -> None:
    finding = AreaFinding(
        area=Area.OUTSIDE_CONTROL, evidence="The position has been filled internally."
    )
    title, body = compose_encouragement(rejection(), [finding])
    assert "not about you" in title
    assert "outside your control" in body
    assert "The position has been filled internally." in body


def test_a_skill_gap_is_framed_as_not_yet() -> None:
    finding = AreaFinding(
        area=Area.TECHNICAL_SKILLS,
        evidence="We needed deeper Kubernetes experience.",
        skills=("Kubernetes", "Terraform"),
    )
    _, body = compose_encouragement(rejection(), [finding])
    assert "Kubernetes and Terraform: a skill you do not have at the moment" in body
    assert "not a judgement of who you are" in body


def test_no_reason_still_reassures() -> None:
    _, body = compose_encouragement(rejection(), [])
    assert "They did not say why" in body
    assert "(3 May 2027)" in body  # the reapply date


def test_the_request_is_addressed_to_the_recruiter_when_known() -> None:
    known = rejection(recruiter=Recruiter(name="Priya Shah", email="priya@northwind.example"))
    title, body = compose_request(known, "Ada Lovelace")
    assert title == "Ask Northwind for feedback"
    assert "to Priya Shah <priya@northwind.example>" in body
    assert "Dear Priya Shah," in body
    assert "the Data Engineer role" in body
    assert body.rstrip().endswith("remind you in a week if nothing has come back.")
    assert "Best regards,\nAda Lovelace" in body


def test_the_request_without_a_recruiter_greets_the_team() -> None:
    _, body = compose_request(rejection(), "Ada")
    assert "Dear hiring team," in body
    _, followup = compose_followup(rejection(), "Ada")
    assert "Dear hiring team," in followup


def test_the_reapply_notice_tells_the_progress_since() -> None:
    title, body = compose_reapply(
        rejection(),
        feedback_count=2,
        areas_worked_on=["technical skills", "communication"],
        other_applications=1,
    )
    assert title == "You can reapply to Northwind now"
    assert "2 pieces of feedback" in body
    assert "technical skills, communication" in body
    assert "1 other application" in body
