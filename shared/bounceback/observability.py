"""Logger, Tracer and Metrics shared by every function (neutral: no business logic here).

Powertools objects are cheap to create and read their configuration from the environment the
template sets (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL).
Never log personal data: emails, names, feedback or message text. Log ids and counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

# A step that decided to do nothing (a duplicate) has no metric to flush; that is expected.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
tracer = Tracer()
metrics = Metrics()

Handler = TypeVar("Handler", bound=Callable[..., Any])

# Events carry it in their metadata block; HTTP requests in API Gateway's request id.
CORRELATION_ID_PATH = "detail.metadata.correlation_id || requestContext.requestId"

__all__ = ["MetricUnit", "instrumented", "logger", "metrics", "tracer"]


def instrumented(handler: Handler) -> Handler:
    """The stack every function wears: structured logs with the Lambda context and the
    correlation id of the event or request, a trace of the invocation, and metrics flushed
    at the end (cold starts counted)."""
    with_metrics = metrics.log_metrics(capture_cold_start_metric=True)(handler)
    traced = tracer.capture_lambda_handler(with_metrics)
    logged = logger.inject_lambda_context(
        correlation_id_path=CORRELATION_ID_PATH, clear_state=True
    )(traced)
    return cast(Handler, logged)
