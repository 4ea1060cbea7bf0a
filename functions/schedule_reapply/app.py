"""Step 4a: on "Rejection Logged", a one-time timer at the reapply date (or "Cooldown Elapsed"
at once when the waiting period has already passed).

Its events arrive through its own queue (template.yaml), a batch at a time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.consumers import BatchResponse, consume_step_events
from bounceback.events import RejectionLoggedEnvelope
from bounceback.observability import MetricUnit, instrumented, logger, metrics
from bounceback.services import services
from bounceback.workflow.reapply import on_rejection_logged as schedule


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return consume_step_events(event, on_rejection_logged, context)


def on_rejection_logged(event: dict[str, Any]) -> None:
    received = RejectionLoggedEnvelope.model_validate(event)
    data = received.detail.data
    outcome = schedule(
        services(),
        user_id=data.user_id,
        rejection_id=data.rejection_id,
        now=received.time,
        correlation_id=received.detail.metadata.correlation_id,
    )
    if outcome:
        metrics.add_metric(name="ReapplyTimersSet", unit=MetricUnit.Count, value=1)
    logger.info(
        "reapply date handled", extra={"rejection_id": data.rejection_id, "outcome": outcome}
    )
