"""template.yaml as the local stack reads it: the real template, resolved locally."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bounceback_local.template import (
    LocalDeployment,
    TemplateError,
    load_template,
    read_deployment,
)

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "template.yaml"
ENDPOINT = "http://127.0.0.1:5999"
LOCAL = {"JwtIssuer": "http://127.0.0.1:3000/_local", "JwtAudience": "bounceback-local"}

CONSUMERS = {
    "EncourageFunction": {"Rejection Logged"},
    "RequestFeedbackFunction": {"Rejection Logged", "Feedback Received", "Feedback Follow-up Due"},
    "ScheduleReapplyFunction": {"Rejection Logged"},
    "BuildPlanFunction": {"Feedback Received"},
    "ReapplyFunction": {"Cooldown Elapsed"},
}


@pytest.fixture(scope="module")
def deployment() -> LocalDeployment:
    return read_deployment(TEMPLATE, LOCAL, ENDPOINT)


def test_the_table_is_created_exactly_as_declared(deployment: LocalDeployment) -> None:
    declared = load_template(TEMPLATE)["Resources"]["Table"]["Properties"]
    (table,) = deployment.tables
    assert table.name == "bounceback-dev"
    assert table.create_args["KeySchema"] == declared["KeySchema"]
    assert table.create_args["AttributeDefinitions"] == declared["AttributeDefinitions"]
    assert table.create_args["GlobalSecondaryIndexes"] == declared["GlobalSecondaryIndexes"]
    assert table.create_args["BillingMode"] == "PAY_PER_REQUEST"
    assert table.ttl_attribute == "expires_at"


def test_bus_schedule_group_and_queues(deployment: LocalDeployment) -> None:
    assert deployment.buses == {"EventBus": "bounceback-dev"}
    assert deployment.schedule_groups == {"ScheduleGroup": "bounceback-dev"}
    queues = {q.logical_id: q for q in deployment.queues}
    assert {f"{f.removesuffix('Function')}DeadLetterQueue" for f in CONSUMERS} | {
        "SchedulerDeadLetterQueue"
    } <= set(queues)
    assert queues["EncourageDeadLetterQueue"].attributes["MessageRetentionPeriod"] == "1209600"


def test_each_consumer_has_its_rules_and_dead_letter_queue(deployment: LocalDeployment) -> None:
    for function, detail_types in CONSUMERS.items():
        rules = [r for r in deployment.rules if r.function == function]
        assert {r.pattern["detail-type"][0] for r in rules} == detail_types
        queue = f"{function.removesuffix('Function')}DeadLetterQueue"
        dlq = f"arn:aws:sqs:us-east-1:123456789012:bounceback-local-{queue}"
        spec = deployment.functions[function]
        assert spec.on_failure_arn == dlq
        assert spec.maximum_retry_attempts == 2
        assert all(r.bus_name == "bounceback-dev" and r.dead_letter_arn == dlq for r in rules)
        assert all(r.pattern["source"] == ["bounceback"] for r in rules)


def test_functions_load_from_their_code_uri(deployment: LocalDeployment) -> None:
    spec = deployment.functions["EncourageFunction"]
    assert spec.code_dir == REPO / "functions" / "encourage"
    assert spec.handler == "app.handler"
    assert (spec.memory_mb, spec.timeout_s) == (512, 20)


def test_environment_is_resolved_to_local_names(deployment: LocalDeployment) -> None:
    environment = deployment.environment()
    assert environment["TABLE_NAME"] == "bounceback-dev"
    assert environment["EVENT_BUS_NAME"] == "bounceback-dev"
    assert environment["EVENT_BUS_ARN"] == (
        "arn:aws:events:us-east-1:123456789012:event-bus/bounceback-dev"
    )
    assert environment["SCHEDULER_DEAD_LETTER_QUEUE_ARN"] == (
        "arn:aws:sqs:us-east-1:123456789012:bounceback-local-SchedulerDeadLetterQueue"
    )
    assert environment["POWERTOOLS_METRICS_NAMESPACE"] == "Bounceback"
    assert not any("{" in value for value in environment.values() if "kms" not in value)


def _shape(route_key: str) -> str:
    # Path parameter names are the API's to choose; the contract is the shape of the path.
    return re.sub(r"\{[^}]+\}", "{}", route_key)


def test_routes_and_which_are_open(deployment: LocalDeployment) -> None:
    routes = {_shape(r.route_key): r for r in deployment.routes}
    contract = {
        "PUT /me", "GET /me", "DELETE /me", "GET /me/export", "POST /rejections",
        "GET /rejections", "GET /rejections/{id}", "PATCH /rejections/{id}",
        "DELETE /rejections/{id}", "POST /rejections/{id}/feedback", "GET /plan",
        "GET /notifications", "POST /admin/connections", "GET /admin/connections",
        "DELETE /admin/connections/{id}", "GET /openapi.json", "GET /docs",
        "POST /webhooks/{provider}/{connection_id}",
    }  # fmt: skip
    contract = {_shape(key) for key in contract}
    assert contract <= set(routes)
    open_routes = {key for key, route in routes.items() if route.authorizer is None}
    assert {"GET /openapi.json", "GET /docs", "POST /webhooks/{}/{}"} <= open_routes
    assert all(routes[key].authorizer == "JwtAuthorizer" for key in contract - open_routes)
    assert routes["POST /webhooks/{}/{}"].function == "WebhooksFunction"
    authorizer = deployment.apis["HttpApi"].authorizers["JwtAuthorizer"]
    assert (authorizer.issuer, authorizer.audience) == (LOCAL["JwtIssuer"], ("bounceback-local",))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path


FUNCTIONS_WITH = """
Parameters:
  Stage: {{Type: String, Default: dev}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: !Join ["-", [q, !Ref Stage]]}}
  Key:
    Type: AWS::KMS::Key
  One:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: one/
      Environment: {{Variables: {one}}}
  Two:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: two/
      Environment: {{Variables: {two}}}
"""


def test_intrinsics_resolve_against_local_names(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        FUNCTIONS_WITH.format(
            one=(
                "{URL: !Ref Queue, ARN: !GetAtt Queue.Arn, "
                "SUB: !Sub '${AWS::Region}/${Stage}/${Queue.QueueName}/${!Literal}', "
                "PICK: !Select [1, !Split [',', 'a,b,c']], "
                "IF: !If [IsProd, big, small], KEY: !Ref Key}"
            ),
            two="{}",
        ),
    )
    deployment = read_deployment(path, {}, ENDPOINT)
    assert deployment.kms_keys[0].logical_id == "Key"
    deployment.fill_in({"{kms:Key}": "key-1", "{kms-arn:Key}": "arn:key-1"})
    assert deployment.environment() == {
        "URL": f"{ENDPOINT}/123456789012/q-dev",
        "ARN": "arn:aws:sqs:us-east-1:123456789012:q-dev",
        "SUB": "us-east-1/dev/q-dev/${Literal}",
        "PICK": "b",
        "IF": "small",
        "KEY": "key-1",
    }


def test_a_variable_that_differs_between_functions_fails_loudly(tmp_path: Path) -> None:
    path = _write(tmp_path, FUNCTIONS_WITH.format(one="{MODE: a}", two="{MODE: b}"))
    with pytest.raises(TemplateError, match="MODE"):
        read_deployment(path, {}, ENDPOINT).environment()


def test_a_parameter_without_a_value_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, "Parameters: {Issuer: {Type: String}}\nResources: {}\n")
    with pytest.raises(TemplateError, match="Issuer"):
        read_deployment(path, {}, ENDPOINT)


def test_an_unknown_reference_fails(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        FUNCTIONS_WITH.format(one="{X: !Ref Nowhere}", two="{}"),
    )
    with pytest.raises(TemplateError, match="Nowhere"):
        read_deployment(path, {}, ENDPOINT)
