"""Feedback intelligence: rejection messages, ATS reasons and feedback → improvement areas.

``analyse`` maps a text to the BRIEF's improvement areas, each with the sentence that shows it;
``find_reapply_hint`` reads a stated waiting period before reapplying. Both are driven by
``lexicon.toml`` (cues as data) and import nothing heavy: the domain model (pydantic) is imported
on the first call, so importing this package stays cheap. The preparation plan across all of a
user's feedback lives in ``bounceback.analysis.plan``.

Each is imported from its own module when first asked for: a function that only reads a reapply
hint (the API, the webhooks, the ATS lookup) never loads the area rules (``engine``), and one that
only needs the plan's models (``bounceback.http.schemas``) loads neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bounceback.analysis.engine import analyse
    from bounceback.analysis.reapply import find_reapply_hint

__all__ = ["analyse", "find_reapply_hint"]


def __getattr__(name: str) -> Any:
    if name == "analyse":
        from bounceback.analysis.engine import analyse

        return analyse
    if name == "find_reapply_hint":
        from bounceback.analysis.reapply import find_reapply_hint

        return find_reapply_hint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
