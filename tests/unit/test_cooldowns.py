from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bounceback.cooldowns import company_cooldown, reapply_date, resolve_cooldown, stage_category
from bounceback.model import Cooldown, CooldownBasis


@pytest.mark.parametrize(
    ("company", "stage", "days", "basis"),
    [
        ("Google", "Onsite loop", 365, CooldownBasis.COMPANY_POLICY),
        ("Google LLC", "Final round", 365, CooldownBasis.COMPANY_POLICY),
        ("Google", "Recruiter phone screen", 182, CooldownBasis.DEFAULT),
        ("Meta", None, 182, CooldownBasis.COMPANY_POLICY),
        ("facebook", "Onsite", 182, CooldownBasis.COMPANY_POLICY),
        ("Amazon Web Services", "Technical interview", 182, CooldownBasis.COMPANY_POLICY),
        ("Lidl UK", "Face-to-face interview", 182, CooldownBasis.COMPANY_POLICY),
        ("Lidl", "Online application", 91, CooldownBasis.COMPANY_POLICY),
        ("Northwind Analytics", "Onsite", 182, CooldownBasis.DEFAULT),
    ],
)
def test_company_policies_apply_by_stage_reached(
    company: str, stage: str | None, days: int, basis: CooldownBasis
) -> None:
    cooldown = company_cooldown(company, stage)
    assert (cooldown.days, cooldown.basis) == (days, basis)
    assert cooldown.source  # every figure names where it comes from


def test_a_period_stated_in_the_message_wins_over_the_company_policy() -> None:
    cooldown = resolve_cooldown(
        company="Google",
        stage="Onsite",
        message="Thank you. You are welcome to reapply in 3 months.",
        override_days=None,
    )
    assert (cooldown.days, cooldown.basis) == (91, CooldownBasis.MESSAGE_HINT)


def test_a_cv_kept_on_file_is_not_a_waiting_period() -> None:
    cooldown = resolve_cooldown(
        company="Google",
        stage="Onsite",
        message="We will keep your CV on file for 2 years.",
        override_days=None,
    )
    assert cooldown.basis == CooldownBasis.COMPANY_POLICY


def test_the_users_override_wins_over_everything() -> None:
    cooldown = resolve_cooldown(
        company="Google",
        stage="Onsite",
        message="You're welcome to reapply in 6 months.",
        override_days=10,
    )
    assert (cooldown.days, cooldown.basis) == (10, CooldownBasis.USER_OVERRIDE)


def test_stage_words_map_to_categories() -> None:
    assert stage_category("On-site interviews") == "onsite"
    assert stage_category("Hiring manager interview") == "interview"
    assert stage_category("CV review") == "screen"
    assert stage_category("Something else") is None
    assert stage_category(None) is None


def test_the_reapply_date_counts_from_the_rejection() -> None:
    rejected = datetime.fromisoformat("2026-01-31T10:00:00+00:00")
    cooldown = Cooldown(days=30, basis=CooldownBasis.DEFAULT)
    assert reapply_date(rejected, cooldown) == rejected + timedelta(days=30)
