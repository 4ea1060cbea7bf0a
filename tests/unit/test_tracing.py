"""Traces without the X-Ray SDK (``bounceback.tracing``): the handler's subsegment and one per
AWS call, as X-Ray segment documents, under the trace Lambda hands the function."""

from __future__ import annotations

import json
import socket
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bounceback import tracing

SAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
NOT_SAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    monkeypatch.setattr(tracing.emitter, "send", documents.append)
    monkeypatch.setenv("_X_AMZN_TRACE_ID", SAMPLED)
    monkeypatch.setattr(tracing, "_cold", [True])
    return documents


def test_a_sampled_header_is_read_and_an_unsampled_one_is_not() -> None:
    assert tracing.trace_context(SAMPLED) == (
        "1-5759e988-bd862e3fe1be46a994272793",
        "53995c3f42cd8ad8",
    )
    assert tracing.trace_context(NOT_SAMPLED) is None
    assert tracing.trace_context("") is None
    assert tracing.trace_context("Root=1-abc;Sampled=1") is None


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
        ("", ("127.0.0.1", 2000)),
        ("nonsense", ("127.0.0.1", 2000)),
    ],
)
def test_the_daemon_address_is_read_as_lambda_sets_it(value: str, address: tuple[str, int]) -> None:
    assert tracing.daemon_address(value) == address


def test_each_invocation_is_a_subsegment_annotated_with_its_cold_start(
    sent: list[dict[str, Any]],
) -> None:
    def handler(event: Any, context: Any) -> str:
        return "done"

    traced = tracing.capture_lambda_handler(handler, service="bounceback")
    assert traced({}, None) == "done"
    assert traced({}, None) == "done"
    first, second = sent
    assert first["name"] == "## handler"
    assert first["type"] == "subsegment"
    assert first["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert first["parent_id"] == "53995c3f42cd8ad8"
    assert first["annotations"] == {"ColdStart": True, "Service": "bounceback"}
    assert second["annotations"]["ColdStart"] is False
    assert first["end_time"] >= first["start_time"]


def test_a_failed_invocation_is_a_fault_that_names_the_error_type_only(
    sent: list[dict[str, Any]],
) -> None:
    def handler(event: Any, context: Any) -> None:
        raise ValueError("ada@example.com is personal")

    with pytest.raises(ValueError, match="personal"):
        tracing.capture_lambda_handler(handler)({}, None)
    (document,) = sent
    assert document["fault"] is True
    assert document["cause"] == {"exceptions": [{"type": "ValueError"}]}
    assert "ada@example.com" not in json.dumps(document)


def test_nothing_is_sent_for_an_unsampled_invocation(
    sent: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", NOT_SAMPLED)
    assert tracing.capture_lambda_handler(lambda e, c: 1)({}, None) == 1
    assert sent == []


def _client() -> Any:
    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_an_aws_call_is_a_subsegment_of_the_handlers(sent: list[dict[str, Any]]) -> None:
    client = tracing.instrument(_client())
    stubber = Stubber(client)
    stubber.add_response(
        "get_item",
        {
            "Item": {"PK": {"S": "x"}},
            "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": "r1"},
        },
        {"TableName": "bounceback-test", "Key": {"PK": {"S": "x"}}},
    )

    def handler(event: Any, context: Any) -> None:
        client.get_item(TableName="bounceback-test", Key={"PK": {"S": "x"}})

    with stubber:
        tracing.capture_lambda_handler(handler)({}, None)
    call, invocation = sent
    assert call["parent_id"] == invocation["id"]
    assert call["name"] == "DynamoDB"
    assert call["namespace"] == "aws"
    assert call["aws"] | {"retries": 0} == {
        "operation": "GetItem",
        "region": "us-east-1",
        "table_name": "bounceback-test",
        "request_id": "r1",
        "retries": 0,
    }
    assert call["http"] == {"response": {"status": 200}}


def test_a_throttled_call_is_marked_so(sent: list[dict[str, Any]]) -> None:
    client = tracing.instrument(_client())
    stubber = Stubber(client)
    stubber.add_client_error(
        "get_item", "ProvisionedThroughputExceededException", http_status_code=400
    )
    stubber.add_client_error("get_item", "ThrottlingException", http_status_code=400)
    stubber.add_client_error("get_item", "InternalServerError", http_status_code=500)
    with stubber:
        for _ in range(3):
            with pytest.raises(client.exceptions.ClientError):
                client.get_item(TableName="t", Key={"PK": {"S": "x"}})
    error, throttled, fault = sent
    assert error["error"] is True
    assert "throttle" not in error
    assert throttled["throttle"] is True
    assert fault["fault"] is True
    # Outside a handler a call is recorded under Lambda's own segment
    assert error["parent_id"] == "53995c3f42cd8ad8"


def test_segments_reach_the_daemon_as_json_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(5)
        monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"127.0.0.1:{daemon.getsockname()[1]}")
        tracing._Emitter().send({"name": "x", "id": "1"})
        header, body = daemon.recv(65536).split(b"\n", 1)
    assert json.loads(header) == {"format": "json", "version": 1}
    assert json.loads(body) == {"name": "x", "id": "1"}


def test_a_send_that_fails_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", "256.0.0.1:2000")
    tracing._Emitter().send({"name": "x"})  # no error
