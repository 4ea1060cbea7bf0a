"""``find_reapply_hint``: a waiting period stated in a rejection message, in days."""

from __future__ import annotations

import pytest

from bounceback.analysis import find_reapply_hint


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("You're welcome to reapply in 6 months.", 182),
        ("You can apply again after twelve months.", 365),
        ("Feel free to reapply in a year's time.", 365),
        ("You may reapply after 90 days.", 90),
        ("Please wait 3 months before applying again.", 91),
        ("You'll be eligible to reapply in half a year.", 182),
        ("Candidates can re-apply after a six-month cooling-off period.", 182),
        ("You can reapply in two weeks once the new batch opens.", 14),
        ("We\u2019d love you to re\u2011apply in 18 months\u2019 time 🙂", 547),  # curly, nb-hyphen
        ("Please don't reapply for the same team within 1 year.", 365),
    ],
)
def test_stated_waiting_periods(text: str, days: int) -> None:
    # Given a message that states a waiting period / When read / Then its length in days
    assert find_reapply_hint(text) == days


@pytest.mark.parametrize(
    "text",
    [
        "We'll keep your CV on file for 2 years.",
        "We will retain your details in our talent pool for 12 months and may reach out.",
        "The role has been open for 3 months.",
        "We encourage you to apply again in the future.",
        "Thanks for applying!",
        "",
    ],
)
def test_no_waiting_period(text: str) -> None:
    assert find_reapply_hint(text) is None


def test_the_waiting_period_wins_over_a_retention_period_in_the_same_message() -> None:
    text = "We'll keep your CV on file for 2 years, and you're welcome to reapply after 6 months."
    assert find_reapply_hint(text) == 182
