"""The outbox relay: every rejection and feedback the table commits becomes its event.

Fed by the table's stream (template.yaml: only new rejection and feedback items pass its
filter), in commit order; ``bounceback.workflow.publish`` decides everything. A record whose
event could not be put on the bus is reported back, and the stream hands it (and what
follows it) over again, with backoff, for as long as it keeps the record (24 hours).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback.observability import instrumented
from bounceback.services import services
from bounceback.workflow.publish import publish_committed


@instrumented
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[dict[str, str]]]:
    resume_from = publish_committed(services(), event.get("Records", []))
    return {"batchItemFailures": [{"itemIdentifier": number} for number in resume_from]}
