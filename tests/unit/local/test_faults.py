"""Faults at the embedded AWS: which call a request is (read from requests botocore itself
builds), and the errors injected in their place (read back by botocore as AWS's own)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from werkzeug.test import EnvironBuilder

from bounceback_local.faults import (
    INTERNAL_HEADER,
    SERVICES,
    AwsCall,
    AwsFault,
    AwsFaults,
    FaultInjector,
    FaultSpecError,
    error_response,
    identify,
    validate,
)

ENDPOINT = "http://127.0.0.1:4566"
QUEUE_URL = f"{ENDPOINT}/123456789012/work"


class _Captured(Exception):  # noqa: N818 - a signal, not an error
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


def _client(service: str, **config: Any) -> Any:
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**config) if config else None,
    )


def _environ(request: AWSPreparedRequest) -> dict[str, Any]:
    """The WSGI environ the embedded AWS's server would build for this request."""
    url = request.url
    path_and_query = url.split("://", 1)[1].split("/", 1)[1] if "/" in url.split("://")[1] else ""
    path, _, query = ("/" + path_and_query).partition("?")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    environ: dict[str, Any] = EnvironBuilder(
        path=path, method=request.method, headers=headers, data=body, query_string=query
    ).get_environ()
    environ["REQUEST_URI"] = "/" + path_and_query
    return environ


def _request(service: str, operation: str, **params: Any) -> dict[str, Any]:
    """The request botocore builds for the call (captured before it is sent)."""
    client = _client(service)

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register("before-send", capture)
    with pytest.raises(_Captured) as captured:
        getattr(client, operation)(**params)
    return _environ(captured.value.request)


CALLS = [
    ("dynamodb", "put_item", {"TableName": "t", "Item": {"PK": {"S": "a"}}}, "PutItem"),
    ("dynamodb", "update_item", {"TableName": "t", "Key": {"PK": {"S": "a"}}}, "UpdateItem"),
    (
        "dynamodb",
        "transact_write_items",
        {"TransactItems": [{"Put": {"TableName": "t", "Item": {"PK": {"S": "a"}}}}]},
        "TransactWriteItems",
    ),
    ("dynamodbstreams", "get_records", {"ShardIterator": "x" * 10}, "GetRecords"),
    (
        "events",
        "put_events",
        {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]},
        "PutEvents",
    ),
    (
        "scheduler",
        "create_schedule",
        {
            "Name": "reapply-1",
            "GroupName": "g",
            "ScheduleExpression": "at(2026-01-01T00:00:00)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn:aws:events:us-east-1:1:event-bus/b", "RoleArn": "arn:r"},
        },
        "CreateSchedule",
    ),
    ("scheduler", "get_schedule", {"Name": "reapply-1", "GroupName": "g"}, "GetSchedule"),
    ("scheduler", "delete_schedule", {"Name": "reapply-1", "GroupName": "g"}, "DeleteSchedule"),
    ("scheduler", "list_schedules", {"GroupName": "g"}, "ListSchedules"),
    (
        "sesv2",
        "send_email",
        {
            "FromEmailAddress": "a@example.com",
            "Destination": {"ToAddresses": ["b@example.com"]},
            "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}},
        },
        "SendEmail",
    ),
    (
        "sesv2",
        "get_email_identity",
        {"EmailIdentity": "a@example.com"},
        "GetEmailIdentity",
    ),
    (
        "ses",
        "send_email",
        {
            "Source": "a@example.com",
            "Destination": {"ToAddresses": ["b@example.com"]},
            "Message": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}},
        },
        "SendEmail",
    ),
    ("sqs", "send_message", {"QueueUrl": QUEUE_URL, "MessageBody": "{}"}, "SendMessage"),
    (
        "sqs",
        "change_message_visibility",
        {"QueueUrl": QUEUE_URL, "ReceiptHandle": "h", "VisibilityTimeout": 5},
        "ChangeMessageVisibility",
    ),
    ("kms", "encrypt", {"KeyId": "k", "Plaintext": b"secret"}, "Encrypt"),
]


@pytest.mark.parametrize(("service", "method", "params", "operation"), CALLS)
def test_a_request_is_identified_by_service_and_operation(
    service: str, method: str, params: dict[str, Any], operation: str
) -> None:
    environ = _request(service, method, **params)
    assert identify(environ, sorted(SERVICES)) == AwsCall(service, operation)


def test_services_that_share_a_signing_name_are_told_apart() -> None:
    # DynamoDB Streams signs as dynamodb; SES v2 signs as ses, like SES v1.
    streams = _request(
        "dynamodbstreams",
        "describe_stream",
        StreamArn="arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/label",
    )
    assert identify(streams, ["dynamodb"]) is None
    assert identify(streams, ["dynamodbstreams"]) == AwsCall("dynamodbstreams", "DescribeStream")
    v1 = _request("ses", "list_identities")
    assert identify(v1, ["sesv2"]) is None
    assert identify(v1, ["ses"]) == AwsCall("ses", "ListIdentities")


def test_the_query_body_is_left_for_the_server_to_read() -> None:
    environ = _request("ses", "list_identities")
    identify(environ, ["ses"])
    assert b"Action=ListIdentities" in environ["wsgi.input"].read()


def test_an_unsigned_request_is_no_aws_call() -> None:
    environ = EnvironBuilder(path="/moto-api/reset", method="POST").get_environ()
    assert identify(environ, sorted(SERVICES)) is None


# ---------------------------------------------------------------------------- the errors


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _answering(client: Any, service: str, kind: str, times: int) -> list[int]:
    """Make ``client`` get the injected error ``times`` times, then a success; returns a list
    that counts the attempts made."""
    attempts: list[int] = []

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        attempts.append(1)
        if len(attempts) <= times:
            status, headers, body = error_response(service, kind)
            return AWSResponse(request.url, status, dict(headers), _Body(body))
        return AWSResponse(request.url, 200, {}, _Body(b"{}"))

    client.meta.events.register("before-send", answer)
    return attempts


# botocore's standard retry mode: three attempts, four for DynamoDB and its streams.
ATTEMPTS = {"dynamodb": 4, "dynamodbstreams": 4}


THROTTLED = [
    ("dynamodb", "put_item", {"TableName": "t", "Item": {"PK": {"S": "a"}}}, "ThrottlingException"),
    (
        "events",
        "put_events",
        {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]},
        "ThrottlingException",
    ),
    ("scheduler", "list_schedules", {}, "ThrottlingException"),
    ("sesv2", "get_account", {}, "TooManyRequestsException"),
    ("sqs", "send_message", {"QueueUrl": QUEUE_URL, "MessageBody": "{}"}, "RequestThrottled"),
    ("dynamodbstreams", "get_records", {"ShardIterator": "x" * 10}, "LimitExceededException"),
]


@pytest.mark.parametrize(("service", "method", "params", "code"), THROTTLED)
def test_a_throttled_call_raises_the_modelled_exception_after_botocores_retries(
    service: str, method: str, params: dict[str, Any], code: str
) -> None:
    client = _client(service, retries={"mode": "standard"})
    attempts = _answering(client, service, "throttle", times=99)
    with pytest.raises(getattr(client.exceptions, code)) as raised:
        getattr(client, method)(**params)
    assert raised.value.response["Error"]["Code"] == code
    assert len(attempts) == ATTEMPTS.get(service, 3)  # retried, as it is against AWS


def test_kms_throttling_is_a_client_error_with_its_code() -> None:
    # KMS answers ThrottlingException, which its model does not declare: no class of its own.
    client = _client("kms", retries={"mode": "standard"})
    attempts = _answering(client, "kms", "throttle", times=99)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.list_keys()
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert len(attempts) == 3


def test_ses_v1_throttling_is_a_client_error_with_its_code() -> None:
    client = _client("ses", retries={"mode": "standard"})
    attempts = _answering(client, "ses", "throttle", times=99)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.list_identities()
    assert raised.value.response["Error"]["Code"] == "Throttling"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(attempts) == 3


@pytest.mark.parametrize(
    ("service", "method", "params", "code"),
    [
        ("dynamodb", "describe_limits", {}, "InternalServerError"),
        ("events", "list_rules", {}, "InternalException"),
        ("scheduler", "list_schedule_groups", {}, "InternalServerException"),
        ("sesv2", "get_account", {}, "InternalServiceErrorException"),
        ("sqs", "list_queues", {}, "InternalFailure"),
    ],
)
def test_an_internal_failure_is_a_500_that_botocore_retries(
    service: str, method: str, params: dict[str, Any], code: str
) -> None:
    client = _client(service, retries={"mode": "standard"})
    attempts = _answering(client, service, "internal", times=99)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        getattr(client, method)(**params)
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert len(attempts) == ATTEMPTS.get(service, 3)


def test_a_call_throttled_fewer_times_than_botocore_retries_succeeds() -> None:
    client = _client("dynamodb", retries={"mode": "standard"})
    attempts = _answering(client, "dynamodb", "throttle", times=3)
    client.put_item(TableName="t", Item={"PK": {"S": "a"}})
    assert len(attempts) == 4


def test_each_error_is_one_the_services_model_declares() -> None:
    from bounceback_local.faults import service_model

    for service, errors in SERVICES.items():
        if service in ("ses", "kms"):
            continue  # their models declare no throttling error: AWS answers one anyway
        declared = {
            shape.name
            for name in service_model(service).operation_names
            for shape in service_model(service).operation_model(name).error_shapes
        }
        assert errors.throttle.code in declared, service
        if service != "sqs":  # SQS answers InternalFailure, a common error it does not model
            assert errors.internal.code in declared, service


# ---------------------------------------------------------------------------- the set


def test_validation_names_what_is_wrong() -> None:
    assert validate("dynamodb", "UpdateItem", 0.2) == AwsFault(
        "dynamodb", "UpdateItem", 0.2, None, "throttle"
    )
    with pytest.raises(FaultSpecError, match="service must be one of"):
        validate("s3", "PutObject", 1)
    with pytest.raises(FaultSpecError, match="operation must be"):
        validate("dynamodb", "update_item", 1)
    for rate in (-0.1, 1.5, "0.5", True, None):
        with pytest.raises(FaultSpecError, match="rate"):
            validate("dynamodb", "UpdateItem", rate)
    for times in (0, -1, 1.5, True, "2"):
        with pytest.raises(FaultSpecError, match="times"):
            validate("dynamodb", "UpdateItem", 1, times)
    with pytest.raises(FaultSpecError, match="error"):
        validate("dynamodb", "UpdateItem", 1, None, "slow")


def test_a_fault_meets_a_fraction_of_calls_at_most_times_times() -> None:
    chances = iter([0.1, 0.6, 0.3, 0.2, 0.0])
    faults = AwsFaults(chance=lambda: next(chances))
    faults.set(AwsFault("events", "PutEvents", 0.5, 2, "throttle"))
    call = AwsCall("events", "PutEvents")
    met = [faults.take(call) is not None for _ in range(4)]
    assert met == [True, False, True, False]  # the fourth would have met it: spent after two
    assert faults.describe() == []
    assert faults.take(AwsCall("events", "ListRules")) is None


def test_rate_zero_never_and_rate_one_always() -> None:
    faults = AwsFaults()
    faults.set(AwsFault("sqs", "SendMessage", 0.0, None, "throttle"))
    faults.set(AwsFault("sqs", "DeleteMessage", 1.0, None, "internal"))
    assert all(faults.take(AwsCall("sqs", "SendMessage")) is None for _ in range(50))
    assert all(faults.take(AwsCall("sqs", "DeleteMessage")) for _ in range(50))
    (described,) = [f for f in faults.describe() if f["operation"] == "DeleteMessage"]
    assert described["injected"] == 50
    assert faults.clear() == 2
    assert not faults


def _call_through(injector: FaultInjector, environ: dict[str, Any]) -> tuple[str, bytes]:
    answered: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered.append(status)

    body = b"".join(injector(environ, start_response))
    return answered[0], body


def test_the_injector_answers_faulted_calls_and_spares_the_stacks_own() -> None:
    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b"{}"]

    faults = AwsFaults()
    faults.set(AwsFault("dynamodb", "PutItem", 1.0, None, "throttle"))
    injector = FaultInjector(moto, faults)
    call = {"TableName": "t", "Item": {"PK": {"S": "a"}}}
    status, body = _call_through(injector, _request("dynamodb", "put_item", **call))
    assert status.startswith("400")
    assert json.loads(body)["__type"].endswith("#ThrottlingException")
    internal = _request("dynamodb", "put_item", **call)
    internal["HTTP_" + INTERNAL_HEADER.upper().replace("-", "_")] = "1"
    assert _call_through(injector, internal) == ("200 OK", b"{}")
    other = _request("dynamodb", "get_item", TableName="t", Key={"PK": {"S": "a"}})
    assert _call_through(injector, other) == ("200 OK", b"{}")


def test_the_stacks_own_clients_carry_the_internal_mark() -> None:
    from bounceback_local.aws import _mark_internal

    request = AWSPreparedRequest("POST", ENDPOINT, {}, io.BytesIO(b""), True)
    _mark_internal(request)
    assert request.headers[INTERNAL_HEADER] == "1"
