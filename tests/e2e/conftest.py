"""The local stack as a fixture: `bounceback-local serve` in a subprocess, driven over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.local_stack import REPO, LocalStack, Response, serving

__all__ = ["LocalStack", "Response", "serving"]


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    with serving() as stack:
        yield stack


SOURCES_TEMPLATE = REPO / "tests" / "e2e" / "fixtures" / "sources" / "template.yaml"


@dataclass
class SourcesStack:
    """The local stack serving the event sources' test template, and where its handlers
    write down what they see."""

    stack: LocalStack
    records: Path

    def seen(self, handler: str) -> list[dict[str, Any]]:
        path = self.records / f"{handler}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# Only its own module uses it: it stops when that module is done, not with the session.
@pytest.fixture(scope="module")
def sources_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SourcesStack]:
    records = tmp_path_factory.mktemp("sources-records")
    with serving(
        "--template", str(SOURCES_TEMPLATE), "--parameter", f"RecordDir={records}"
    ) as stack:
        yield SourcesStack(stack, records)
