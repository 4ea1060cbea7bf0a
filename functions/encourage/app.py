"""Step 1, "don't take it personally": on "Rejection Logged", a supportive message.

Its events arrive through its own queue (template.yaml), a batch at a time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.consumers import BatchResponse, consume_step_events
from bounceback.events import RejectionLoggedEnvelope
from bounceback.observability import MetricUnit, instrumented, logger, metrics
from bounceback.services import services
from bounceback.workflow.encourage import encourage


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return consume_step_events(event, on_rejection_logged, context)


def on_rejection_logged(event: dict[str, Any]) -> None:
    received = RejectionLoggedEnvelope.model_validate(event)
    data = received.detail.data
    created = encourage(
        services(), user_id=data.user_id, rejection_id=data.rejection_id, now=received.time
    )
    metrics.add_metric(name="EncouragementsCreated", unit=MetricUnit.Count, value=int(created))
    logger.info(
        "encouragement handled",
        extra={"rejection_id": data.rejection_id, "notification_created": created},
    )
