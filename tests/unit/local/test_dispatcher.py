"""The embedded AWS finds a request's backend once per host, not on every request (moto lists
its modules on disk and tries every service's URL patterns, under one lock, each time)."""

from __future__ import annotations

import pytest
from moto import backends
from moto.moto_server.werkzeug_app import create_backend_app

from bounceback_local.aws import _Dispatcher


def test_the_backend_of_a_host_is_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    listed = 0
    list_of_moto_modules = backends.list_of_moto_modules

    def counted() -> list[str]:
        nonlocal listed
        listed += 1
        return list(list_of_moto_modules())

    monkeypatch.setattr(backends, "list_of_moto_modules", counted)
    dispatcher = _Dispatcher(create_backend_app)

    first = [dispatcher.get_backend_for_host("dynamodb.us-east-1.amazonaws.com")]
    first += [dispatcher.get_backend_for_host("sqs.us-east-1.amazonaws.com")]
    again = [dispatcher.get_backend_for_host("dynamodb.us-east-1.amazonaws.com") for _ in range(5)]

    assert first == ["dynamodb", "sqs"]
    assert set(again) == {"dynamodb"}
    assert listed == 2
    assert dispatcher.get_backend_for_host(None) is None
