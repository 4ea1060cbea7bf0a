"""Feedback intelligence: rejection messages, ATS reasons and feedback → improvement areas.

``analyse`` maps a text to the BRIEF's improvement areas, each with the sentence that shows it;
``find_reapply_hint`` reads a stated waiting period before reapplying. Both are driven by
``lexicon.toml`` (cues as data) and import nothing heavy: the domain model (pydantic) is imported
on the first call, so importing this package stays cheap. The preparation plan across all of a
user's feedback lives in ``bounceback.analysis.plan``.
"""

from bounceback.analysis.engine import analyse
from bounceback.analysis.reapply import find_reapply_hint

__all__ = ["analyse", "find_reapply_hint"]
