"""The chaos suite, small: a dozen journeys through faults and duplicates, counted.

``make chaos N=200`` runs the same journeys big (``python -m tests.chaos``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.chaos.journeys import Chaos
from tests.support.local_stack import LocalStack, serving

pytestmark = pytest.mark.e2e

JOURNEYS = int(os.environ.get("CHAOS_JOURNEYS", "12"))


@pytest.fixture(scope="module")
def chaos_stack() -> Iterator[LocalStack]:
    # A stack of its own: the suite moves the clock a year on and injects faults.
    with serving() as stack:
        yield stack


def test_every_notification_arrives_once_through_faults_and_duplicates(
    chaos_stack: LocalStack,
) -> None:
    report = Chaos(chaos_stack, JOURNEYS).run()
    print(report.render())
    # Most faults are absorbed by botocore's retries and the steps' own; some must have happened.
    assert sum(report.injected.values()) > 0, "no fault was injected: nothing was tested"
    assert report.totals == (0, 0, 0), report.render()
