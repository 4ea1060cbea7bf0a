"""The ATS lookup: on "ATS Lookup Needed", read a delivery's rejection back from the employer's
ATS (Lever, Teamtailor, SmartRecruiters) and log it once.

Its events arrive through its own queue (template.yaml), a batch at a time; a lookup that gets
no usable answer is retried with backoff, then parked in the queue's dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.consumers import BatchResponse, consume_step_events
from bounceback.events import AtsLookupNeededEnvelope
from bounceback.observability import instrumented
from bounceback.services import services
from bounceback.workflow.ats_lookup import run_lookup


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return consume_step_events(event, on_lookup_needed, context)


def on_lookup_needed(event: dict[str, Any]) -> None:
    received = AtsLookupNeededEnvelope.model_validate(event)
    run_lookup(services(), received.detail, now=received.time)
