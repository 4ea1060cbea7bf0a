from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from bounceback import services
from tests.support.cloud import ENVIRONMENT, Cloud


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """A fresh moto account with this project's resources, and the wiring pointed at it."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        services.reset()
        cloud = Cloud()
        for name, value in cloud.environment.items():
            monkeypatch.setenv(name, value)
        yield cloud
    services.reset()
