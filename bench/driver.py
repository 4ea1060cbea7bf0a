"""One cold start, timed from inside: ``python bench/driver.py JOB.json RESULT.json``.

Run in a fresh interpreter by ``bench/first_events.py`` with a function's environment. It reads
its job (the event, the task root) before the clock starts, then times what Lambda's first
invocation pays: importing the handler module (the init phase) and handling the event. The
floor job times ``import boto3``, a DynamoDB client and one GetItem instead; the fixed-stack job
imports Powertools' Logger and Metrics, makes and uses one pydantic model, then does the same.
Only the standard library's json, sys and time are loaded before the clock starts.
"""

import json
import sys
import time


class Context:
    """The Lambda context attributes the handlers and Powertools read."""

    def __init__(self, job: dict) -> None:
        self.function_name = job["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = job["function_arn"]
        self.memory_limit_in_mb = 512
        self.aws_request_id = job["request_id"]
        self.log_group_name = f"/aws/lambda/{job['function_name']}"
        self.log_stream_name = "bench"
        self._deadline = time.time() + 20

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def floor(job: dict) -> object:
    import boto3

    client = boto3.client("dynamodb")
    return client.get_item(TableName=job["table"], Key=job["key"])["Item"]["PK"]


def main() -> None:
    job_path, result_path = sys.argv[1:3]
    with open(job_path, encoding="utf-8") as stream:
        job = json.load(stream)
    context = Context(job) if job["kind"] == "function" else None
    started = time.perf_counter()
    cpu_started = time.process_time()
    if job["kind"] == "floor":
        imported = started
        result = floor(job)
    elif job["kind"] == "fixed stack":
        # What the product's design puts in every function, before the floor's own work: a
        # pydantic model at the boundary (one field, built and used once), Powertools' Logger
        # and Metrics.
        from aws_lambda_powertools import Logger, Metrics  # noqa: F401
        from pydantic import BaseModel

        class Boundary(BaseModel):
            table: str

        imported = time.perf_counter()
        result = floor(Boundary.model_validate({"table": job["table"]}).model_dump() | job)
    else:
        sys.path.insert(0, job["task_root"])  # Lambda's task root, before the layer
        module = __import__(job["module"])
        imported = time.perf_counter()
        result = getattr(module, job["handler"])(job["event"], context)
    ended = time.perf_counter()
    cpu = time.process_time() - cpu_started
    with open(result_path, "w", encoding="utf-8") as stream:
        json.dump(
            {
                "seconds": ended - started,
                "import_seconds": imported - started,
                "cpu_seconds": cpu,
                "result": result,
                "modules": len(sys.modules),
            },
            stream,
            default=str,
        )


if __name__ == "__main__":
    main()
