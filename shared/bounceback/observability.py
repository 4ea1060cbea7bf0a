"""Logger, Metrics and Tracer shared by every function (neutral: no business logic here).

Powertools reads its configuration from the environment the template sets
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL,
POWERTOOLS_TRACE_DISABLED). Never log personal data: emails, names, feedback or message text.
Log ids and counts.

Traces: with ``Tracing: Active`` Lambda records every invocation and propagates its trace
header through botocore to the bus and the steps; ``bounceback.tracing`` adds the handler's
subsegment and one per AWS call without the X-Ray SDK, whose import was the largest single part
of a cold start (docs/decisions.md, "Cold starts").
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from bounceback import snapstart, tracing

# A step that decided to do nothing (a duplicate) has no metric to flush; that is expected.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
metrics = Metrics()

Handler = TypeVar("Handler", bound=Callable[..., Any])

# Events carry it in their metadata block; HTTP requests in API Gateway's request id.
CORRELATION_ID_PATH = "detail.metadata.correlation_id || requestContext.requestId"


def tracing_enabled() -> bool:
    return tracing.enabled()


def instrumented(handler: Handler) -> Handler:
    """The stack every function wears: structured logs with the Lambda context and the
    correlation id of the event or request, a trace of the invocation when tracing is on, and
    metrics flushed at the end (cold starts counted)."""
    wrapped: Callable[..., Any] = metrics.log_metrics(capture_cold_start_metric=True)(handler)
    if tracing_enabled():
        wrapped = tracing.capture_lambda_handler(wrapped)
    snapstart.register()  # prime before a SnapStart snapshot, refresh after each restore
    logged = logger.inject_lambda_context(
        correlation_id_path=CORRELATION_ID_PATH, clear_state=True
    )(wrapped)
    return cast(Handler, logged)


__all__ = ["MetricUnit", "instrumented", "logger", "metrics"]
