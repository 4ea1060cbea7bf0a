"""template.yaml as the local stack reads it: through CloudFormation's transforms (SAM's own
translator), then resolved against local names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bounceback_local import cloudformation
from bounceback_local.cloudformation import load_template, to_cloudformation
from bounceback_local.template import (
    EventSourceMappingSpec,
    LocalDeployment,
    QueueRuleSpec,
    TemplateError,
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
    "AtsLookupFunction": {"ATS Lookup Needed"},
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


def test_each_step_reads_its_own_queue_which_its_rule_fills(
    deployment: LocalDeployment,
) -> None:
    queues = {q.logical_id: q for q in deployment.queues}
    feeds = {m.event_source_arn: m for m in deployment.event_source_mappings}
    for function, detail_types in CONSUMERS.items():
        step = function.removesuffix("Function")
        (rule,) = [r for r in deployment.queue_rules if r.queue == f"{step}Queue"]
        assert set(rule.pattern["detail-type"]) == detail_types
        assert rule.pattern["source"] == ["bounceback"]
        assert rule.bus_name == "bounceback-dev"
        dlq = queues[f"{step}DeadLetterQueue"]
        assert rule.dead_letter_arn == dlq.arn
        # The queue parks a message in the step's dead-letter queue after its tries...
        redrive = json.loads(queues[f"{step}Queue"].attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq.arn
        assert int(redrive["maxReceiveCount"]) == 31
        # ...and feeds the step, which reports failed messages one by one.
        mapping = feeds[rule.queue_arn]
        assert mapping.function == function
        assert mapping.reports_batch_item_failures


def test_the_table_stream_feeds_the_outbox_relay(deployment: LocalDeployment) -> None:
    (table,) = deployment.tables
    assert table.stream_view_type == "NEW_IMAGE"
    (mapping,) = [
        m for m in deployment.event_source_mappings if m.event_source_arn == table.stream_arn
    ]
    assert mapping.function == "PublishEventsFunction"
    assert mapping.starting_position == "TRIM_HORIZON"
    assert (mapping.maximum_retry_attempts, mapping.bisect_batch_on_error) == (-1, True)
    assert mapping.filter_patterns == (
        {
            "eventName": ["INSERT"],
            "dynamodb": {"NewImage": {"type": {"S": ["rejection", "feedback", "ats_lookup"]}}},
        },
    )


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
    dead_letters = json.loads(environment.pop("DEAD_LETTER_QUEUES"))
    assert dead_letters["EncourageDeadLetterQueue"]["back_to"].endswith(
        "bounceback-local-EncourageQueue"
    )
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
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {{Type: String, Default: dev}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function: {{Runtime: python3.13, Handler: app.handler}}
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


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Translations go to a cache of this test session's own, not the developer's.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


GLOBALS = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Globals:
  Function:
    Runtime: python3.13
    Handler: app.handler
    Timeout: 20
    Layers: [arn:aws:lambda:us-east-1:123456789012:layer:common:1]
    Environment: {Variables: {STAGE: !Ref Stage, MODE: global}}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker/
      Timeout: 5
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:extra:2]
      Environment: {Variables: {MODE: worker}}
"""


def test_globals_merge_as_sam_merges_them(tmp_path: Path) -> None:
    path = _write(tmp_path, GLOBALS)
    translated = to_cloudformation(load_template(path), {"Stage": "dev"})
    # Lists are added to (the globals first), maps merged, scalars replaced.
    assert translated["Resources"]["Worker"]["Properties"]["Layers"] == [
        "arn:aws:lambda:us-east-1:123456789012:layer:common:1",
        "arn:aws:lambda:us-east-1:123456789012:layer:extra:2",
    ]
    worker = read_deployment(path, {"Stage": "qa"}).functions["Worker"]
    assert worker.environment == {"STAGE": "qa", "MODE": "worker"}
    assert worker.timeout_s == 5
    assert worker.code_dir == tmp_path / "worker"


FOR_EACH = """
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Steps: {Type: CommaDelimitedList, Default: "Encourage,Reapply"}
Resources:
  Fn::ForEach::DeadLetters:
    - Step
    - !Ref Steps
    - "&{Step}DeadLetterQueue":
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Sub "${Step}-dlq"
          MessageRetentionPeriod: 1209600
      "&{Step}Function":
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: functions/
          Runtime: python3.13
          Handler: !Sub "${Step}.handler"
          Environment:
            Variables:
              STEP: !Ref Step
              "&{Step}_QUEUE": !GetAtt [!Sub "&{Step}DeadLetterQueue", QueueName]
"""


def test_for_each_expands_as_the_language_extensions_do(tmp_path: Path) -> None:
    path = _write(tmp_path, FOR_EACH)
    deployment = read_deployment(path, {})
    assert {q.logical_id: q.name for q in deployment.queues} == {
        "EncourageDeadLetterQueue": "Encourage-dlq",
        "ReapplyDeadLetterQueue": "Reapply-dlq",
    }
    assert deployment.functions["ReapplyFunction"].handler == "Reapply.handler"
    assert deployment.functions["ReapplyFunction"].environment == {
        "STEP": "Reapply",
        "Reapply_QUEUE": "Reapply-dlq",
    }
    # The collection is the parameter's value: an override changes what is generated, and
    # &{Step} keeps only the letters and digits (logical ids must be alphanumeric).
    overridden = read_deployment(path, {"Steps": "Build-Plan"})
    assert set(overridden.functions) == {"BuildPlanFunction"}
    assert overridden.functions["BuildPlanFunction"].environment == {
        "STEP": "Build-Plan",
        "BuildPlan_QUEUE": "Build-Plan-dlq",
    }


@pytest.mark.parametrize(
    ("loop", "message"),
    [
        ("[Step, !GetAtt Some.List, {X: {Type: AWS::SQS::Queue}}]", "collection"),
        ("[Step, [a, b], {Queue: {Type: AWS::SQS::Queue}}]", "Queue"),
        ('[Steps, [a], {"${Steps}Q": {Type: AWS::SQS::Queue}}]', "parameter"),
        ("[Step, [a]]", "Identifier, Collection"),
    ],
)
def test_a_loop_the_transform_would_refuse_fails(tmp_path: Path, loop: str, message: str) -> None:
    template = (
        "Transform: AWS::LanguageExtensions\n"
        "Parameters: {Steps: {Type: CommaDelimitedList, Default: a}}\n"
        f"Resources:\n  Fn::ForEach::Loop: {loop}\n"
    )
    with pytest.raises(TemplateError, match=message):
        read_deployment(_write(tmp_path, template), {})


def test_the_real_template_folds_its_dead_letter_pairs_into_one_loop() -> None:
    written = load_template(TEMPLATE)["Resources"]
    translated = to_cloudformation(load_template(TEMPLATE), LOCAL)["Resources"]
    owners = ["Scheduler", *(f.removesuffix("Function") for f in CONSUMERS)]
    for owner in owners:
        assert f"{owner}DeadLetterQueue" not in written
        assert translated[f"{owner}DeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
        alarm = translated[f"{owner}DeadLettersAlarm"]["Properties"]
        assert alarm["Dimensions"] == [
            {"Name": "QueueName", "Value": {"Fn::GetAtt": [f"{owner}DeadLetterQueue", "QueueName"]}}
        ]


STREAMS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Failures:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker/
      Runtime: python3.13
      Handler: app.handler
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        FromStream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BisectBatchOnFunctionError: true
            MaximumRetryAttempts: 3
            MaximumRecordAgeInSeconds: 3600
            FilterCriteria:
              Filters: [{Pattern: '{"eventName": ["INSERT"]}'}]
            DestinationConfig:
              OnFailure: {Destination: !GetAtt Failures.Arn}
"""


def test_event_source_mappings_and_streams_are_modelled(tmp_path: Path) -> None:
    deployment = read_deployment(_write(tmp_path, STREAMS), {}, ENDPOINT)
    (table,) = deployment.tables
    assert table.stream_view_type == "NEW_AND_OLD_IMAGES"
    assert table.create_args["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    queues = {q.logical_id: q.arn for q in deployment.queues}
    mappings = {m.logical_id: m for m in deployment.event_source_mappings}
    assert mappings["WorkerFromQueue"] == EventSourceMappingSpec(
        logical_id="WorkerFromQueue",
        function="Worker",
        event_source_arn=queues["Jobs"],
        batch_size=5,
        function_response_types=("ReportBatchItemFailures",),
    )
    assert mappings["WorkerFromStream"] == EventSourceMappingSpec(
        logical_id="WorkerFromStream",
        function="Worker",
        event_source_arn=str(table.stream_arn),
        batch_size=100,  # Lambda's default for a stream
        starting_position="TRIM_HORIZON",
        filter_patterns=({"eventName": ["INSERT"]},),
        bisect_batch_on_error=True,
        maximum_retry_attempts=3,
        maximum_record_age_s=3600,
        on_failure_arn=queues["Failures"],
    )


HTTP_APIS = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.13, Handler: app.handler, CodeUri: api/}
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Anything:
          Type: HttpApi
        Admin:
          Type: HttpApi
          Properties:
            ApiId: !Ref Http
            Method: ANY
            Path: /admin/{proxy+}
            Auth: {Authorizer: Jwt, AuthorizationScopes: [admin]}
        Me:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Method: GET, Path: /me}
        Health:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Method: GET, Path: /health, Auth: {Authorizer: NONE}}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            JwtConfiguration: {issuer: https://issuer.example, audience: [app]}
            IdentitySource: $request.header.Authorization
      CorsConfiguration:
        AllowOrigins: [https://app.example]
        AllowMethods: [get]
        ExposeHeaders: [x-id]
        AllowCredentials: true
"""


def test_routes_and_authorizers_come_from_the_openapi_body(tmp_path: Path) -> None:
    deployment = read_deployment(_write(tmp_path, HTTP_APIS), {})
    routes = {(r.api, r.route_key): (r.function, r.authorizer, r.scopes) for r in deployment.routes}
    assert routes == {
        ("ServerlessHttpApi", "$default"): ("Api", None, ()),
        ("Http", "ANY /admin/{proxy+}"): ("Api", "Jwt", ("admin",)),
        ("Http", "GET /me"): ("Api", "Jwt", ()),  # the DefaultAuthorizer
        ("Http", "GET /health"): ("Api", None, ()),
    }
    http = deployment.apis["Http"]
    jwt = http.authorizers["Jwt"]
    assert (jwt.issuer, jwt.audience, jwt.identity_source) == (
        "https://issuer.example",
        ("app",),
        "$request.header.Authorization",
    )
    assert http.cors is not None
    assert (http.cors.allow_origins, http.cors.allow_methods, http.cors.expose_headers) == (
        ("https://app.example",),
        ("GET",),
        ("x-id",),
    )
    assert http.cors.allow_credentials
    assert deployment.apis["ServerlessHttpApi"].cors is None


def test_placeholders_are_filled_in_everywhere(tmp_path: Path) -> None:
    template = HTTP_APIS.replace("https://issuer.example", "!Ref Issuer")
    template = template.replace("Resources:", "Parameters: {Issuer: {Type: String}}\nResources:")
    deployment = read_deployment(_write(tmp_path, template), {"Issuer": "{issuer}"})
    deployment.fill_in({"{issuer}": "http://127.0.0.1:4000/_local"})
    assert deployment.apis["Http"].authorizers["Jwt"].issuer == "http://127.0.0.1:4000/_local"
    assert deployment.parameters["Issuer"] == "http://127.0.0.1:4000/_local"


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("{Type: AWS::Serverless::Api, Properties: {StageName: v1}}", "HTTP APIs"),
        ("{Type: AWS::Serverless::Function, Properties: {InlineCode: x}}", "CodeUri"),
        (
            "{Type: AWS::Serverless::Function, Properties: {CodeUri: f/, Runtime: nodejs22.x}}",
            "Python",
        ),
        (
            "{Type: AWS::Serverless::Function, Properties: {CodeUri: f/, Environment: "
            "{Variables: {X: !ImportValue shared-bus}}}}",
            "Fn::ImportValue",
        ),
        ("{Type: AWS::Serverless::Function, Properties: {CodeUri: f/, Events: 7}}", "SAM"),
    ],
)
def test_what_the_local_stack_cannot_reproduce_fails_loudly(
    tmp_path: Path, resource: str, message: str
) -> None:
    template = (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals: {Function: {Runtime: python3.13, Handler: app.handler}}\n"
        f"Resources:\n  Thing: {resource}\n"
    )
    with pytest.raises(TemplateError, match=message):
        read_deployment(_write(tmp_path, template), {})


def test_the_transformed_template_is_cached_by_everything_it_depends_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A template no other test reads: the first read is translated, the second is not.
    path = _write(tmp_path, GLOBALS.replace("Timeout: 5", "Timeout: 7"))
    first = read_deployment(path, {"Stage": "qa"})

    def no_translation(*_: object) -> None:
        raise AssertionError("translated again")

    monkeypatch.setattr(cloudformation, "translate_serverless", no_translation)
    assert read_deployment(path, {"Stage": "qa"}) == first
    # Other parameter values, or another template, are translated afresh.
    with pytest.raises(AssertionError, match="translated again"):
        read_deployment(path, {"Stage": "prod"})
    with pytest.raises(AssertionError, match="translated again"):
        read_deployment(_write(tmp_path, GLOBALS.replace("Timeout: 5", "Timeout: 6")), {})
    assert first.functions["Worker"].timeout_s == 7


RULE_TARGETS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: worker/, Runtime: python3.13, Handler: app.handler}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties: {DefinitionString: "{}", RoleArn: arn:aws:iam::123456789012:role/x}
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: '{"source": ["bounceback"]}'
      Targets:
        - {Id: flow, Arn: !GetAtt Flow.Arn}
        - {Id: worker, Arn: !GetAtt Worker.Arn, Input: '{"k": 1}'}
"""


def test_a_rule_delivers_locally_to_its_function_targets_only(tmp_path: Path) -> None:
    deployment = read_deployment(_write(tmp_path, RULE_TARGETS), {})
    (rule,) = deployment.rules
    assert (rule.name, rule.function, rule.bus_name) == ("Nightly", "Worker", "default")
    assert (rule.pattern, rule.input) == ({"source": ["bounceback"]}, '{"k": 1}')
    # EventBridge's own retry policy when the target names none.
    assert (rule.maximum_retry_attempts, rule.maximum_event_age_s) == (185, 86400)


QUEUE_TARGETS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: steps}
  Worker:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: worker/, Runtime: python3.13, Handler: app.handler}
  Encourage:
    Type: AWS::SQS::Queue
    Properties: {QueueName: encourage}
  EncourageDeadLetters:
    Type: AWS::SQS::Queue
  Ordered:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true, ContentBasedDeduplication: true}
  Rejected:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [bounceback], detail-type: [Rejection Logged]}
      Targets:
        - Id: encourage
          Arn: !GetAtt Encourage.Arn
          DeadLetterConfig: {Arn: !GetAtt EncourageDeadLetters.Arn}
          RetryPolicy: {MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600}
        - Id: detail-only
          Arn: !GetAtt Encourage.Arn
          InputPath: $.detail
        - Id: ordered
          Arn: !GetAtt Ordered.Arn
          SqsParameters: {MessageGroupId: users}
          InputTransformer:
            InputPathsMap: {user: $.detail.user_id}
            InputTemplate: '{"user": <user>}'
        - {Id: worker, Arn: !GetAtt Worker.Arn}
"""


def test_a_rule_targeting_queues_is_kept_for_the_embedded_eventbridge(tmp_path: Path) -> None:
    deployment = read_deployment(_write(tmp_path, QUEUE_TARGETS), {}, ENDPOINT)
    arn = "arn:aws:sqs:us-east-1:123456789012:"
    targets = {rule.target_id: rule for rule in deployment.queue_rules}
    assert targets["encourage"] == QueueRuleSpec(
        name="bounceback-local-Rejected",
        bus_name="steps",
        pattern={"source": ["bounceback"], "detail-type": ["Rejection Logged"]},
        target_id="encourage",
        queue="Encourage",
        queue_arn=f"{arn}encourage",
        dead_letter_arn=f"{arn}bounceback-local-EncourageDeadLetters",
        maximum_retry_attempts=4,
        maximum_event_age_s=600,
    )
    assert targets["encourage"].target == {
        "Id": "encourage",
        "Arn": f"{arn}encourage",
        "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 600},
        "DeadLetterConfig": {"Arn": f"{arn}bounceback-local-EncourageDeadLetters"},
    }
    assert targets["detail-only"].target["InputPath"] == "$.detail"
    ordered = targets["ordered"].target
    assert ordered["SqsParameters"] == {"MessageGroupId": "users"}
    assert ordered["InputTransformer"]["InputTemplate"] == '{"user": <user>}'
    assert ordered["Arn"] == f"{arn}bounceback-local-Ordered.fifo"
    # The function target of the same rule still goes through the router.
    (rule,) = deployment.rules
    assert (rule.function, rule.bus_name) == ("Worker", "steps")


MAPPINGS = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker/
      Runtime: python3.13
      Handler: app.handler
      Events:
        %s
"""


def test_a_queue_mapping_keeps_its_maximum_concurrency(tmp_path: Path) -> None:
    events = (
        "FromQueue: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn, "
        "ScalingConfig: {MaximumConcurrency: 3}, MaximumBatchingWindowInSeconds: 2}}"
    )
    deployment = read_deployment(_write(tmp_path, MAPPINGS % events), {}, ENDPOINT)
    (mapping,) = deployment.event_source_mappings
    assert (mapping.maximum_concurrency, mapping.maximum_batching_window_s) == (3, 2)
    assert mapping.batch_size == 10
    assert mapping.is_queue
    assert not mapping.reports_batch_item_failures


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            "FromStream: {Type: DynamoDB, Properties: {Stream: !GetAtt Table.StreamArn, "
            "StartingPosition: TRIM_HORIZON, DestinationConfig: "
            "{OnFailure: {Destination: !Ref Alerts}}}}",
            "only SQS on-failure destinations",
        ),
        (
            "FromStream: {Type: DynamoDB, Properties: {Stream: !GetAtt Table.StreamArn, "
            "StartingPosition: AT_TIMESTAMP}}",
            "TRIM_HORIZON or LATEST",
        ),
    ],
)
def test_a_stream_mapping_the_stack_cannot_run_is_refused(
    tmp_path: Path, events: str, message: str
) -> None:
    with pytest.raises(TemplateError, match=message):
        read_deployment(_write(tmp_path, MAPPINGS % events), {}, ENDPOINT)


def test_the_cache_keeps_only_the_newest_translations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cloudformation, "_CACHE_KEPT", 2)
    for n in range(4):
        to_cloudformation({"Resources": {f"Queue{n}": {"Type": "AWS::SQS::Queue"}}}, {})
    assert len(list((tmp_path / "bounceback-local").glob("*.json"))) == 2


def test_an_inner_loop_sees_the_outer_identifier() -> None:
    template = {
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Fn::ForEach::Owners": [
                "Owner",
                ["Api", "Hooks"],
                {
                    "Fn::ForEach::Kinds": [
                        "Kind",
                        ["Dlq", "Work"],
                        {"${Owner}${Kind}": {"Type": "AWS::SQS::Queue", "Properties": {}}},
                    ]
                },
            ]
        },
    }
    resources = to_cloudformation(template, {})["Resources"]
    assert sorted(resources) == ["ApiDlq", "ApiWork", "HooksDlq", "HooksWork"]
