"""The ATS lookup: a stored delivery from a provider that sends ids only, read back and logged.

On "ATS Lookup Needed" (the stream announces each delivery the webhook stored, and a timer
announces it again when it was held back), in order:

1. the stored delivery (gone: expired or never stored, nothing to do);
2. held back until the candidate may hear of the rejection (Teamtailor's
   ``transparent_recruiting_visible_at``): a one-time timer brings the event back then, and
   nothing is read, stored or sent before it;
3. the connection and its API key (connection deleted since: nothing to do);
4. the provider's ``lookup`` against the connection's ``api_base_url``, through ``AtsApiClient``
   (timeouts, bounded retries, the key sent only under that base);
5. what the lookup found, logged through the webhooks' own path
   (``webhooks.carry_out``): one rejection per de-duplication key,
   whatever the number of deliveries, retries and redrives.

A lookup that gets no usable answer (the key refused, the ATS down, slow or rate-limiting, an
answer without what a rejection needs) raises ``AtsLookupFailedError``: the step's queue brings
the event back with backoff for about a day, then parks it in its dead-letter queue, from which
``POST /admin/dead-letters/redrive`` sends it through again. Each failure is one metric
(``AtsLookupFailed`` and one per kind) and one warning naming the provider, the connection, the
lookup and the kind of failure: never a URL, the key, or anything the ATS answered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum

from bounceback.errors import AtsApiError, BouncebackError, NotFoundError
from bounceback.events import AtsLookupNeeded, AtsLookupNeededData, EventMetadata
from bounceback.model import Connection
from bounceback.observability import MetricUnit, logger, metrics
from bounceback.providers.ats_api import AtsApiClient
from bounceback.providers.base import (
    Ignored,
    Interpretation,
    LookupAdapter,
    LookupNeeded,
)
from bounceback.providers.registry import get_lookup_adapter
from bounceback.services import Services
from bounceback.timers import lookup_timer_name
from bounceback.workflow.webhooks import Outcome, carry_out

ClientFactory = Callable[[str, Mapping[str, str]], AtsApiClient]


class LookupStep(StrEnum):
    """What one "ATS Lookup Needed" came to, besides the webhook outcomes it can end in."""

    GONE = "gone"  # the stored delivery expired, or its connection was deleted
    HELD_BACK = "held_back"  # a timer brings it back when the candidate may hear of it


class AtsLookupFailedError(BouncebackError):
    """The ATS gave no usable answer, or the rejection is being logged by another try right
    now: the event comes back later (the step's backoff), then waits in the dead-letter queue."""


_FAILURE_METRICS: Mapping[str, str] = {
    "AtsKeyRefusedError": "AtsLookupKeyRefused",
    "AtsRateLimitedError": "AtsLookupRateLimited",
    "AtsUnavailableError": "AtsLookupUnavailable",
    "AtsUnreachableError": "AtsLookupUnreachable",
    "AtsNotFoundError": "AtsLookupNotFound",
    "AtsAnswerInvalidError": "AtsLookupAnswerInvalid",
    "AtsUrlRefusedError": "AtsLookupUrlRefused",
}
_OUTCOME_METRICS: Mapping[str, str] = {
    Outcome.LOGGED: "AtsLookupRejectionLogged",
    Outcome.DUPLICATE: "AtsLookupDuplicate",
    Outcome.WITHDRAWN: "AtsLookupRejectionWithdrawn",
    Outcome.NOTHING_TO_WITHDRAW: "AtsLookupWithdrawalUnmatched",
    Outcome.IGNORED: "AtsLookupIgnored",
    Outcome.CANDIDATE_UNKNOWN: "AtsLookupCandidateUnknown",
    LookupStep.GONE: "AtsLookupGone",
    LookupStep.HELD_BACK: "AtsLookupHeldBack",
}


def default_client(base_url: str, headers: Mapping[str, str]) -> AtsApiClient:
    return AtsApiClient(base_url=base_url, headers=headers)


def run_lookup(
    services: Services,
    event: AtsLookupNeeded,
    *,
    now: datetime,
    client: ClientFactory = default_client,
) -> str:
    """Handle one "ATS Lookup Needed" at ``now`` (the event's time); returns what it came to
    (an ``Outcome`` or ``LookupStep`` value). Raises ``AtsLookupFailedError`` to be retried."""
    data = event.data
    fields = {
        "provider": data.provider,
        "connection_id": data.connection_id,
        "lookup_id": data.lookup_id,
    }
    stored = services.lookups.get(data.lookup_id)
    adapter = get_lookup_adapter(data.provider)
    if stored is None or adapter is None or stored.connection_id != data.connection_id:
        return _done(LookupStep.GONE, fields)
    needed = LookupNeeded.read(stored.needed, adapter.lookup_ids)
    if needed.not_before is not None and needed.not_before > now:
        _hold_back(services, event, needed.not_before)
        return _done(LookupStep.HELD_BACK, fields, {"until": needed.not_before.isoformat()})
    try:
        connection, api_key = services.connections.api_key(data.connection_id)
    except NotFoundError:
        return _done(LookupStep.GONE, fields)
    meaning = _look_up(adapter, connection, api_key, needed, client, fields)
    if isinstance(meaning, Ignored):
        return _done(Outcome.IGNORED, fields, {"why": meaning.why})
    recorded = carry_out(
        services,
        connection,
        meaning,
        source=adapter.name,
        now=now,
        correlation_id=event.metadata.correlation_id,
        log_fields=fields,
        lease_clock=datetime.now(UTC),
    )
    if recorded.outcome is Outcome.IN_PROGRESS:
        logger.info("ats lookup's rejection is being logged by another try", extra=fields)
        raise AtsLookupFailedError("the rejection is being logged by another try")
    return _done(recorded.outcome, fields, recorded.log)


def _look_up(
    adapter: LookupAdapter,
    connection: Connection,
    api_key: str,
    needed: LookupNeeded,
    client: ClientFactory,
    fields: Mapping[str, str],
) -> Interpretation:
    base_url = connection.api_base_url or adapter.default_api_base_url
    try:
        return adapter.lookup(client(base_url, adapter.auth_headers(api_key)), needed)
    except AtsApiError as error:
        kind = type(error).__name__
        metrics.add_metric(name="AtsLookupFailed", unit=MetricUnit.Count, value=1)
        metrics.add_metric(
            name=_FAILURE_METRICS.get(kind, "AtsLookupFailedOther"), unit=MetricUnit.Count, value=1
        )
        # The message names the failure class and the HTTP status only (bounceback.errors).
        logger.warning(
            "ats lookup failed; it will be retried",
            extra={**fields, "failure": kind, "detail": str(error), "retryable": error.retryable},
        )
        raise AtsLookupFailedError(f"ATS lookup failed: {kind}") from None


def _hold_back(services: Services, event: AtsLookupNeeded, until: datetime) -> None:
    """The same event again at ``until`` (rounded up to the second a timer can name)."""
    at = datetime.fromtimestamp(math.ceil(until.timestamp()), tz=UTC)
    again = AtsLookupNeeded(
        metadata=EventMetadata(correlation_id=event.metadata.correlation_id, occurred_at=at),
        data=AtsLookupNeededData.model_validate(event.data.model_dump()),
    )
    services.timers.schedule(lookup_timer_name(event.data.lookup_id), at, again)


def _done(outcome: str, fields: Mapping[str, str], log: Mapping[str, str] | None = None) -> str:
    name = _OUTCOME_METRICS.get(outcome, "AtsLookupOther")
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    logger.info("ats lookup handled", extra={"outcome": str(outcome), **fields, **(log or {})})
    return str(outcome)


__all__ = [
    "AtsLookupFailedError",
    "LookupStep",
    "default_client",
    "run_lookup",
]
