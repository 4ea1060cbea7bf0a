"""Step 4b, "keep going": on "Cooldown Elapsed", "you can reapply now" with the progress since.

Its events arrive through its own queue (template.yaml), a batch at a time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.consumers import BatchResponse, consume_step_events
from bounceback.events import CooldownElapsedEnvelope
from bounceback.observability import MetricUnit, instrumented, logger, metrics
from bounceback.services import services
from bounceback.workflow.reapply import notify_reapply


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return consume_step_events(event, on_cooldown_elapsed, context)


def on_cooldown_elapsed(event: dict[str, Any]) -> None:
    received = CooldownElapsedEnvelope.model_validate(event)
    data = received.detail.data
    created = notify_reapply(
        services(), user_id=data.user_id, rejection_id=data.rejection_id, now=received.time
    )
    metrics.add_metric(name="ReapplyWindowsOpened", unit=MetricUnit.Count, value=int(created))
    logger.info(
        "cooldown elapsed",
        extra={"rejection_id": data.rejection_id, "notification_created": created},
    )
