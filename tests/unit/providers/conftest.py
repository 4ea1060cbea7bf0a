"""Fixtures of the provider tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bounceback_local.fake_ats import FakeAtsApi, demo_documents


@pytest.fixture
def fake() -> Iterator[FakeAtsApi]:
    """The fake ATS API serving the documents the samples in events/webhooks name."""
    with FakeAtsApi(demo_documents()) as server:
        yield server
