"""Logger, Tracer and Metrics shared by every function (neutral: no business logic here).

Powertools objects are cheap to create and read their configuration from the environment the
template sets (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL).
Never log personal data: emails, names, feedback or message text. Log ids and counts.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
tracer = Tracer()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
