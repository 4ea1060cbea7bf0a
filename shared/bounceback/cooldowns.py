"""Reapply waiting periods: which one applies to a rejection, and why.

The figures are data (``cooldowns.toml``, each with its source); this module only decides
precedence: user override > a period stated in the rejection message > the company's rule for
the stage reached > the company's general rule > the built-in fallback.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from bounceback.model import Cooldown, CooldownBasis


@dataclass(frozen=True)
class _Rule:
    days: int
    source: str
    stage: str | None


@dataclass(frozen=True)
class _Policies:
    fallback: Cooldown
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    companies: dict[str, tuple[_Rule, ...]]  # normalised name or alias -> rules


def _normalise(name: str) -> str:
    name = re.sub(r"[^\w\s.-]", " ", name.casefold())
    name = re.sub(r"\b(inc|ltd|llc|plc|gmbh|corp|corporation|limited|co)\b\.?", " ", name)
    return " ".join(name.split())


@cache
def _policies() -> _Policies:
    raw = tomllib.loads(resources.files("bounceback").joinpath("cooldowns.toml").read_text())
    fallback = Cooldown(
        days=raw["fallback"]["days"], basis=CooldownBasis.DEFAULT, source=raw["fallback"]["source"]
    )
    stages = tuple((category, tuple(words)) for category, words in raw["stages"].items())
    companies: dict[str, tuple[_Rule, ...]] = {}
    for company in raw.get("company", []):
        rules = tuple(
            _Rule(days=r["days"], source=r["source"], stage=r.get("stage"))
            for r in company.get("rule", [])
        )
        for name in [company["name"], *company.get("aliases", [])]:
            companies[_normalise(name)] = rules
    return _Policies(fallback, stages, companies)


def stage_category(stage: str | None) -> str | None:
    if not stage:
        return None
    text = stage.casefold()
    for category, words in _policies().stages:
        if any(word in text for word in words):
            return category
    return None


def company_cooldown(company: str, stage: str | None) -> Cooldown:
    """The company's published waiting period for the stage reached, or the fallback."""
    policies = _policies()
    rules = policies.companies.get(_normalise(company), ())
    category = stage_category(stage)
    for rule in rules:
        if rule.stage is not None and rule.stage == category:
            return Cooldown(days=rule.days, basis=CooldownBasis.COMPANY_POLICY, source=rule.source)
    for rule in rules:
        if rule.stage is None:
            return Cooldown(days=rule.days, basis=CooldownBasis.COMPANY_POLICY, source=rule.source)
    return policies.fallback


def resolve_cooldown(
    *,
    company: str,
    stage: str | None,
    message: str | None,
    override_days: int | None,
) -> Cooldown:
    if override_days is not None:
        return Cooldown(days=override_days, basis=CooldownBasis.USER_OVERRIDE, source="you set it")
    if message:
        from bounceback.analysis import find_reapply_hint

        hinted = find_reapply_hint(message)
        if hinted is not None:
            return Cooldown(
                days=hinted,
                basis=CooldownBasis.MESSAGE_HINT,
                source="stated in the rejection message",
            )
    return company_cooldown(company, stage)


def reapply_date(rejected_at: datetime, cooldown: Cooldown) -> datetime:
    return rejected_at + timedelta(days=cooldown.days)
