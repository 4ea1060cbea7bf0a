"""Sample payloads from events/ (their one home), and the fakes a handler needs around them."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"

SAMPLE_USER = "8d3f2a10-5b7c-4e21-9f3a-7c6b5a4d3e21"
SAMPLE_REJECTION = "5f0c7a2e9b1d4c3f8a6e2d1b0c9f8e7a"
SAMPLE_FEEDBACK = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def load_event(name: str) -> dict[str, Any]:
    """A sample from events/, as a fresh copy a test may change."""
    return copy.deepcopy(json.loads((EVENTS / name).read_text(encoding="utf-8")))


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 20_000


def sqs_batch(
    event: dict[str, Any],
    queue_arn: str = "arn:aws:sqs:us-east-1:123456789012:bounceback-test-queue",
    receive_count: int = 1,
) -> dict[str, Any]:
    """An EventBridge event as a step's function receives it: one message of an SQS batch,
    the shape Lambda's event source mapping hands over (events/sqs.step-batch.json)."""
    batch = load_event("sqs.step-batch.json")
    (record,) = batch["Records"]
    record["messageId"] = str(uuid.uuid4())
    record["receiptHandle"] = f"handle-{record['messageId']}"
    record["body"] = json.dumps(event)
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    record["eventSourceARN"] = queue_arn
    return batch
