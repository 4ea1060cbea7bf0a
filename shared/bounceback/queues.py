"""SQS, as the steps and the operators use it: a failed message's retry pushed back with
backoff, and the dead-letter queues counted and redriven. The only module that calls SQS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_MAX_VISIBILITY_SECONDS = 43_200  # 12 hours: SQS's own limit
_RECEIVE_BATCH = 10


@dataclass(frozen=True)
class QueueMessage:
    body: str
    attributes: dict[str, str]
    receipt_handle: str


class Queues:
    def __init__(self, client: SQSClient) -> None:
        self._client = client
        self._urls: dict[str, str] = {}  # a queue's URL never changes: asked once per container

    def url_of(self, queue_arn: str) -> str:
        """The URL of a queue from its ARN (``arn:aws:sqs:<region>:<account>:<name>``)."""
        if queue_arn not in self._urls:
            *_, account, name = queue_arn.split(":")
            self._urls[queue_arn] = self._client.get_queue_url(
                QueueName=name, QueueOwnerAWSAccountId=account
            )["QueueUrl"]
        return self._urls[queue_arn]

    def retry_later(self, queue_arn: str, receipt_handle: str, seconds: int) -> None:
        """The message comes back in ``seconds`` rather than after the queue's visibility
        timeout: the backoff of a step's retries."""
        self._client.change_message_visibility(
            QueueUrl=self.url_of(queue_arn),
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(int(seconds), SQS_MAX_VISIBILITY_SECONDS)),
        )

    def waiting(self, queue_url: str) -> int:
        """How many messages a queue holds (visible and in flight)."""
        attributes = self._client.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def drain(self, queue_url: str, limit: int) -> Iterator[QueueMessage]:
        """Up to ``limit`` messages of a queue, each hidden for a minute while the caller
        handles it (and deletes it with ``delete`` once handled)."""
        taken = 0
        while taken < limit:
            batch: list[Any] = self._client.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=min(_RECEIVE_BATCH, limit - taken),
                VisibilityTimeout=60,
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not batch:
                return
            for message in batch:
                taken += 1
                attributes = {
                    name: str(value.get("StringValue", ""))
                    for name, value in (message.get("MessageAttributes") or {}).items()
                }
                yield QueueMessage(message["Body"], attributes, message["ReceiptHandle"])

    def send(self, queue_url: str, body: str) -> None:
        self._client.send_message(QueueUrl=queue_url, MessageBody=body)

    def delete(self, queue_url: str, receipt_handle: str) -> None:
        self._client.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)
