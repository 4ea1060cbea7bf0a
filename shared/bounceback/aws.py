"""Lazily created AWS clients: one per service per container, built on first use.

Nothing here runs at import time, so importing a handler stays cheap and tests can point
boto3 anywhere (moto, or the local stack through ``AWS_ENDPOINT_URL``, which boto3 honours).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bounceback import tracing

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient


@cache
def _session() -> object:
    import boto3

    return boto3.session.Session()


def _client(service: str) -> object:
    from botocore.config import Config

    session = _session()
    # Adaptive retries absorb throttling (SES, DynamoDB) before an error reaches the step.
    config = Config(
        retries={"mode": "adaptive", "max_attempts": 5}, connect_timeout=3, read_timeout=10
    )
    client = session.client(service, config=config)  # type: ignore[attr-defined]
    if tracing.enabled():
        tracing.instrument(client)  # each call a subsegment of the invocation's trace
    return client


@cache
def dynamodb() -> DynamoDBClient:
    return _client("dynamodb")  # type: ignore[return-value]


@cache
def events() -> EventBridgeClient:
    return _client("events")  # type: ignore[return-value]


@cache
def scheduler() -> EventBridgeSchedulerClient:
    return _client("scheduler")  # type: ignore[return-value]


@cache
def sesv2() -> SESV2Client:
    return _client("sesv2")  # type: ignore[return-value]


@cache
def kms() -> KMSClient:
    return _client("kms")  # type: ignore[return-value]


@cache
def sqs() -> SQSClient:
    return _client("sqs")  # type: ignore[return-value]


Client = TypeVar("Client")


class _Deferred:
    """Stands in for a client until the first call: then the factory makes it (once)."""

    __slots__ = ("_factory",)

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory

    def __getattr__(self, name: str) -> Any:
        return getattr(self._factory(), name)


def deferred(factory: Callable[[], Client]) -> Client:
    """``factory``'s client, made on its first use rather than now: an adapter wired with it
    costs a cold start nothing until it calls AWS (a client loads its service's model)."""
    return cast(Client, _Deferred(factory))


def reset() -> None:
    """Forget every client (tests switch endpoints and credentials between cases)."""
    for factory in (_session, dynamodb, events, scheduler, sesv2, kms, sqs):
        factory.cache_clear()
