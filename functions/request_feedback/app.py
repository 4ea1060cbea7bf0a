"""Step 2, "ask for feedback". One function, three events of the same step:
"Rejection Logged" (draft the request, set the reminder), "Feedback Follow-up Due" (remind,
unless feedback came) and "Feedback Received" (cancel the reminder). Its events arrive through
its own queue (template.yaml), a batch at a time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.consumers import BatchResponse, consume_step_events
from bounceback.events import (
    FeedbackFollowupDue,
    FeedbackFollowupDueEnvelope,
    FeedbackReceived,
    FeedbackReceivedEnvelope,
    RejectionLogged,
    RejectionLoggedEnvelope,
)
from bounceback.observability import MetricUnit, instrumented, logger, metrics
from bounceback.services import services
from bounceback.workflow.feedback_request import cancel_followup, request_feedback, send_followup


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return consume_step_events(event, on_event, context)


def on_event(event: dict[str, Any]) -> None:
    detail_type = event.get("detail-type")
    if detail_type == RejectionLogged.DETAIL_TYPE:
        logged = RejectionLoggedEnvelope.model_validate(event)
        done = request_feedback(
            services(),
            user_id=logged.detail.data.user_id,
            rejection_id=logged.detail.data.rejection_id,
            now=logged.time,
            correlation_id=logged.detail.metadata.correlation_id,
        )
        metric = "FeedbackRequestsCreated"
    elif detail_type == FeedbackFollowupDue.DETAIL_TYPE:
        due = FeedbackFollowupDueEnvelope.model_validate(event)
        done = send_followup(
            services(),
            user_id=due.detail.data.user_id,
            rejection_id=due.detail.data.rejection_id,
            now=due.time,
        )
        metric = "FeedbackFollowupsSent"
    elif detail_type == FeedbackReceived.DETAIL_TYPE:
        received = FeedbackReceivedEnvelope.model_validate(event)
        done = cancel_followup(services(), rejection_id=received.detail.data.rejection_id)
        metric = "FeedbackFollowupsCancelled"
    else:
        # The rules in template.yaml send only the three types above: anything else is a bug.
        raise ValueError(f"unexpected detail-type: {detail_type!r}")
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=int(done))
    logger.info("feedback step handled", extra={"detail_type": detail_type, "done": done})
