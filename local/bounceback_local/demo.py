"""The demo journey played by `bounceback-local serve --demo`.

The journey (a rejection, the encouragement and feedback request, feedback arriving, the
plan, the clock moving past the cooldown, the reapply notification) is written once the app
API exists; until then this hook only says so, and the stack keeps serving.
"""

from __future__ import annotations


def run(base_url: str) -> None:
    """Play the demo against the local stack at ``base_url``, printing a timeline."""
    del base_url  # used once the journey is written
    print("demo: not yet available", flush=True)
