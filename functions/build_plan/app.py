"""Step 3, "be more prepared": on "Feedback Received", improvement areas and the plan.

Its events arrive through its own queue (template.yaml), a batch at a time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.consumers import BatchResponse, consume_step_events
from bounceback.events import FeedbackReceivedEnvelope
from bounceback.observability import MetricUnit, instrumented, logger, metrics
from bounceback.services import services
from bounceback.workflow.build_plan import analyse_feedback


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return consume_step_events(event, on_feedback_received, context)


def on_feedback_received(event: dict[str, Any]) -> None:
    received = FeedbackReceivedEnvelope.model_validate(event)
    data = received.detail.data
    created = analyse_feedback(
        services(),
        user_id=data.user_id,
        rejection_id=data.rejection_id,
        feedback_id=data.feedback_id,
        now=received.time,
    )
    metrics.add_metric(name="PlansUpdated", unit=MetricUnit.Count, value=int(created))
    logger.info(
        "feedback analysed",
        extra={"feedback_id": data.feedback_id, "notification_created": created},
    )
