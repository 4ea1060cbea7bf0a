"""The docs cite only files that are in the repository: every path named in README.md and
docs/*.md (in backticks, or as a link) is a file or folder here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Folders a command creates (virtual environments, a layer's build folder), not sources.
MADE_BY_COMMANDS = {".venv/", ".sam-venv/", "python/"}
_SKIPPED_DIRS = {".git", ".venv", ".sam-venv", ".checkov-venv", ".aws-sam", "node_modules"}
# In backticks, as a link's target, or a bare document name in the prose (`PROVIDERS.md`).
_CITED = re.compile(r"`([^`\s]+)`|\]\(([^)\s]+)\)|(?<![\w/.`-])([\w./-]+\.md)\b")
_PATH_LIKE = re.compile(r"\.(py|md|json|jsonl|toml|ya?ml|txt|cfg)$|/$")


def _repository_paths() -> set[str]:
    paths: set[str] = set()
    for path in REPO.rglob("*"):
        relative = path.relative_to(REPO)
        if set(relative.parts) & _SKIPPED_DIRS or "__pycache__" in relative.parts:
            continue
        paths.add(relative.as_posix() + ("/" if path.is_dir() else ""))
    return paths


def _cited(doc: Path) -> list[tuple[str, bool]]:
    """(path, is a link) for every path-like citation: placeholders, URLs and absolute paths
    (routes, log groups) are not files."""
    found = []
    for match in _CITED.finditer(doc.read_text(encoding="utf-8")):
        text = (match.group(1) or match.group(2) or match.group(3)).split("#")[0].rstrip(":,.")
        if not text or not _PATH_LIKE.search(text) or text.startswith(("http", "/", "~", "$")):
            continue
        if any(mark in text for mark in "<{*"):
            continue
        found.append((text, match.group(2) is not None))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_cited_path_is_in_the_repository(doc: Path) -> None:
    paths = _repository_paths()
    missing = []
    for cited, is_link in _cited(doc):
        if is_link:
            target = (doc.parent / cited).resolve()
            if not target.is_relative_to(REPO) or not target.exists():
                missing.append(cited)
            continue
        name = cited.removeprefix("./")
        # A doc may name a file by its path from the repository, or by its tail where the
        # sentence says which folder (e.g. `keys.py` beside `shared/bounceback/store/`).
        if name in MADE_BY_COMMANDS or any(p == name or p.endswith("/" + name) for p in paths):
            continue
        missing.append(cited)
    assert missing == [], f"{doc.name} cites what is not in the repository: {missing}"
