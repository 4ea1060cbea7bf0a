"""Generalisations found on real-world messages: skill names as written, implied reasons,
neighbouring areas and phrases that only look like an area."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> set[str]:
    return {f.area.value for f in analyse(text)}


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        (
            "We need someone who can grade in DaVinci Resolve, which you haven't used.",
            "DaVinci Resolve",
        ),
        ("The DCF in your model had errors.", "DCF"),
        ("We also need a valid Driver CPC, and yours has expired.", "Driver CPC"),
        ("Your ML fundamentals were weak.", "machine learning"),
        ("You lacked hands-on experience with Postgres.", "PostgreSQL"),
        ("Your K8s knowledge was limited.", "Kubernetes"),
    ],
)
def test_a_skill_written_as_a_name_is_reported_as_written(text: str, skill: str) -> None:
    # Given a named tool or technique whose alias maps to a broader skill, or a plain spelling
    # of a known skill / When analysed / Then a name is reported as written, a spelling as known
    assert skills_of(text) == (skill,)
