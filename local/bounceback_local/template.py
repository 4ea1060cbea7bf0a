"""Read template.yaml: the one description of the deployment, for the local stack too.

The local stack creates its resources, wires its functions and routes its events from the
same SAM template that deploys to AWS, so the two cannot drift. The template is parsed with
a YAML loader that understands CloudFormation's short tags, and intrinsic functions are
resolved against local names and ARNs (see ``Resolver``). Only the parts the local stack
needs are modelled; everything else is read but ignored.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"
STACK_NAME = "bounceback-local"
LOCAL_API_ID = "local"

# Async invocations are retried twice by Lambda unless EventInvokeConfig says otherwise.
DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2


class TemplateError(Exception):
    """The template uses something the local stack cannot reproduce faithfully."""


# ---------------------------------------------------------------------------- YAML loading


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]
    """A SafeLoader that turns `!Ref x` into {"Ref": x}, `!Sub s` into {"Fn::Sub": s}, ..."""


def _construct_tag(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        # The short form "Resource.Attribute" is a list in the long form.
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
    return document


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True)
class RuleSpec:
    """An EventBridge rule that delivers to a function."""

    name: str
    function: str
    bus_name: str
    pattern: dict[str, Any]
    dead_letter_arn: str | None
    input: str | None = None
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuthorizerSpec:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"


@dataclass(frozen=True)
class RouteSpec:
    method: str  # upper case, or "ANY"
    path: str  # a path template such as /rejections/{id}, or "$default"
    function: str
    api: str  # logical id of the HttpApi
    authorizer: str | None  # the API's authorizer name; None: the route is open
    scopes: tuple[str, ...] = ()

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class CorsSpec:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...]
    allow_methods: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int | None
    allow_credentials: bool


@dataclass(frozen=True)
class HttpApiSpec:
    logical_id: str
    authorizers: Mapping[str, AuthorizerSpec]
    default_authorizer: str | None
    cors: CorsSpec | None


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    function_name: str
    arn: str
    code_dir: Path
    handler: str
    memory_mb: int
    timeout_s: int
    environment: Mapping[str, str]
    maximum_retry_attempts: int
    on_failure_arn: str | None


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    name: str
    arn: str
    attributes: Mapping[str, str]


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    name: str
    create_args: dict[str, Any]
    ttl_attribute: str | None
    point_in_time_recovery: bool


@dataclass(frozen=True)
class KmsKeySpec:
    logical_id: str
    create_args: dict[str, Any]
    rotation: bool


@dataclass
class LocalDeployment:
    """Everything the local stack builds from the template, with names resolved."""

    parameters: dict[str, str]
    tables: list[TableSpec] = field(default_factory=list)
    buses: dict[str, str] = field(default_factory=dict)  # logical id -> name
    schedule_groups: dict[str, str] = field(default_factory=dict)
    queues: list[QueueSpec] = field(default_factory=list)
    kms_keys: list[KmsKeySpec] = field(default_factory=list)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    rules: list[RuleSpec] = field(default_factory=list)
    apis: dict[str, HttpApiSpec] = field(default_factory=dict)
    routes: list[RouteSpec] = field(default_factory=list)
    sender_identities: list[str] = field(default_factory=list)

    def fill_in(self, values: Mapping[str, str]) -> None:
        """Replace placeholders (e.g. KMS key ids, known only once created) everywhere."""

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                for placeholder, actual in values.items():
                    value = value.replace(placeholder, actual)
                return value
            if isinstance(value, list):
                return [fill(v) for v in value]
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        self.tables = [
            TableSpec(
                t.logical_id, t.name, fill(t.create_args), t.ttl_attribute, t.point_in_time_recovery
            )
            for t in self.tables
        ]
        self.queues = [
            QueueSpec(q.logical_id, q.name, q.arn, fill(dict(q.attributes))) for q in self.queues
        ]
        self.functions = {
            k: replace(f, environment=fill(dict(f.environment))) for k, f in self.functions.items()
        }

    def environment(self) -> dict[str, str]:
        """The union of the functions' environments, which must agree (one process)."""
        merged: dict[str, str] = {}
        owner: dict[str, str] = {}
        for spec in self.functions.values():
            for key, value in spec.environment.items():
                if key in merged and merged[key] != value:
                    raise TemplateError(
                        f"environment variable {key} is {merged[key]!r} for {owner[key]} but "
                        f"{value!r} for {spec.logical_id}: the local stack runs every function "
                        "in one process, so a variable must have one value for all of them"
                    )
                merged[key] = value
                owner[key] = spec.logical_id
        return merged


# ---------------------------------------------------------------------------- resolution


@dataclass
class _Physical:
    """What Ref and GetAtt give for one resource, locally."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


def _arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT_ID) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{resource}"


class Resolver:
    """Resolves intrinsic functions against local physical names.

    ``physical`` is filled by the caller with what each resource's Ref / GetAtt gives locally;
    resources that are neither known nor created locally cannot be referenced and fail loudly.
    """

    _SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        physical: Mapping[str, _Physical],
    ) -> None:
        self._template = template
        self._parameters = parameters
        self._physical = physical
        self._conditions: dict[str, bool] = {}

    def pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": _arn("cloudformation", f"stack/{STACK_NAME}/local"),
        }.get(name)

    def ref(self, name: str) -> str:
        pseudo = self.pseudo(name)
        if pseudo is not None:
            return pseudo
        if name in self._parameters:
            return self._parameters[name]
        if name in self._physical:
            return self._physical[name].ref
        raise TemplateError(f"!Ref {name}: not a parameter or a resource the local stack creates")

    def get_att(self, resource: str, attribute: str) -> str:
        physical = self._physical.get(resource)
        if physical is None or attribute not in physical.attributes:
            raise TemplateError(f"!GetAtt {resource}.{attribute}: not known to the local stack")
        return physical.attributes[attribute]

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self._template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"condition {name} is not declared")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"  # ${!Literal} is an escaped literal
            if inner in variables:
                return str(self.resolve(variables[inner]))
            if "." in inner and not inner.startswith("AWS::"):
                resource, _, attribute = inner.partition(".")
                return self.get_att(resource, attribute)
            return self.ref(inner)

        return self._SUB_VARIABLE.sub(replace, text)

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function inside ``value`` (recursively)."""
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                if argument == "AWS::NoValue":
                    return _NO_VALUE
                return self.ref(str(argument))
            if key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                return self.get_att(str(parts[0]), str(self.resolve(parts[1])))
            if key == "Fn::Sub":
                if isinstance(argument, str):
                    return self._sub(argument, {})
                return self._sub(str(argument[0]), argument[1])
            if key == "Fn::Join":
                separator, items = argument
                return str(separator).join(str(i) for i in self.resolve(items))
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = argument
                return str(self.resolve(text)).split(str(separator))
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = (self.resolve(a) for a in argument)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(argument[0])
            if key == "Fn::And":
                return all(self.resolve(a) for a in argument)
            if key == "Fn::Or":
                return any(self.resolve(a) for a in argument)
            if key == "Condition":
                return self.condition(str(argument))
            if key == "Fn::Base64":
                return base64.b64encode(str(self.resolve(argument)).encode()).decode()
            if key == "Fn::FindInMap":
                map_name, top, second = (str(self.resolve(a)) for a in argument)
                return self.resolve(self._template["Mappings"][map_name][top][second])
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not supported by the local stack")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE: Any = _NoValue()


# ---------------------------------------------------------------------------- the deployment


def _physical_for(
    logical_id: str, resource: Mapping[str, Any], name_of: Resolver
) -> _Physical | None:
    """Local Ref/GetAtt of one resource, before anything is created.

    Names that CloudFormation would generate are made deterministic (stack name + logical id).
    Returns None for resource types the local stack neither creates nor needs to name.
    """
    kind = resource.get("Type", "")
    props = resource.get("Properties") or {}

    def declared(prop: str, default: str) -> str:
        return str(name_of.resolve(props[prop])) if prop in props else default

    generated = f"{STACK_NAME}-{logical_id}"
    if kind == "AWS::DynamoDB::Table":
        name = declared("TableName", generated)
        arn = _arn("dynamodb", f"table/{name}")
        return _Physical(name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"})
    if kind == "AWS::Events::EventBus":
        name = declared("Name", generated)
        return _Physical(name, {"Arn": _arn("events", f"event-bus/{name}"), "Name": name})
    if kind == "AWS::Scheduler::ScheduleGroup":
        name = declared("Name", generated)
        return _Physical(name, {"Arn": _arn("scheduler", f"schedule-group/{name}")})
    if kind == "AWS::SQS::Queue":
        fifo = bool(name_of.resolve(props.get("FifoQueue", False)))
        name = declared("QueueName", generated + (".fifo" if fifo else ""))
        # Ref is the queue URL; the endpoint part is filled in once moto's port is known.
        return _Physical(
            f"{{endpoint}}/{ACCOUNT_ID}/{name}",
            {"Arn": _arn("sqs", name), "QueueName": name, "QueueUrl": name},
        )
    if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
        name = declared("FunctionName", generated)
        return _Physical(name, {"Arn": _arn("lambda", f"function:{name}")})
    if kind == "AWS::IAM::Role":
        name = declared("RoleName", generated)
        arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}"
        return _Physical(name, {"Arn": arn, "RoleId": f"AROA{logical_id.upper()[:17]}"})
    if kind == "AWS::Logs::LogGroup":
        name = declared("LogGroupName", f"/aws/{STACK_NAME}/{logical_id}")
        return _Physical(name, {"Arn": _arn("logs", f"log-group:{name}:*")})
    if kind in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"):
        return _Physical(LOCAL_API_ID, {"ApiEndpoint": "{gateway}"})
    if kind == "AWS::Serverless::LayerVersion":
        return _Physical(_arn("lambda", f"layer:{generated}:1"))
    if kind == "AWS::KMS::Key":
        # Key ids are chosen by KMS when the key is created: filled in after creation.
        return _Physical(f"{{kms:{logical_id}}}", {"Arn": f"{{kms-arn:{logical_id}}}"})
    if kind == "AWS::KMS::Alias":
        name = declared("AliasName", f"alias/{generated}")
        return _Physical(name)
    if kind == "AWS::SNS::Topic":
        name = declared("TopicName", generated)
        arn = _arn("sns", name)
        return _Physical(arn, {"TopicArn": arn, "TopicName": name})
    if kind == "AWS::Scheduler::Schedule":
        name = declared("Name", generated)
        return _Physical(name, {"Arn": _arn("scheduler", f"schedule/default/{name}")})
    if kind == "AWS::Events::Rule":
        name = declared("Name", generated)
        return _Physical(name, {"Arn": _arn("events", f"rule/{name}")})
    return None


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "RedrivePolicy",
    "RedriveAllowPolicy",
)


def _queue_attributes(props: Mapping[str, Any]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for key in _QUEUE_ATTRIBUTES:
        if key not in props:
            continue
        value = props[key]
        if isinstance(value, bool):
            attributes[key] = "true" if value else "false"
        elif isinstance(value, dict | list):
            attributes[key] = json.dumps(value)
        else:
            attributes[key] = str(value)
    return attributes


def _table_args(name: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """CloudFormation table properties -> DynamoDB CreateTable arguments."""
    args: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "ProvisionedThroughput"):
        if key in props:
            args[key] = props[key]
    if "StreamSpecification" in props:
        args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    sse = props.get("SSESpecification")
    if sse:
        converted = {"Enabled": bool(sse.get("SSEEnabled", False))}
        for key in ("SSEType", "KMSMasterKeyId"):
            if key in sse:
                converted[key] = sse[key]
        args["SSESpecification"] = converted
    return args


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _merge_globals(function_globals: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (the function wins), scalars are replaced."""
    merged: dict[str, Any] = dict(function_globals)
    for key, value in props.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            merged[key] = _merge_globals(base, value)
        else:
            merged[key] = value
    return merged


def read_deployment(
    template_path: Path,
    parameter_overrides: Mapping[str, str],
    endpoint: str = "{endpoint}",
) -> LocalDeployment:
    """Read the template and resolve what the local stack needs.

    ``parameter_overrides`` wins over each parameter's Default; a parameter without a value
    is an error (as it is for ``sam deploy``). ``endpoint`` is the local AWS endpoint, used
    for queue URLs. KMS key ids are only known after creation: see ``resolve_kms``.
    """
    template = load_template(template_path)
    base_dir = template_path.parent
    parameters: dict[str, str] = {}
    for name, declaration in (template.get("Parameters") or {}).items():
        if name in parameter_overrides:
            parameters[name] = parameter_overrides[name]
        elif isinstance(declaration, dict) and "Default" in declaration:
            parameters[name] = _env_value(declaration["Default"])
        else:
            raise TemplateError(f"parameter {name} has no Default and no local value")

    resources: dict[str, Any] = template["Resources"]
    physical: dict[str, _Physical] = {}
    resolver = Resolver(template, parameters, physical)
    # Names may depend on parameters and on other names (e.g. !Sub "${Table}-x"): resolve
    # in passes until nothing new can be named.
    pending = dict(resources)
    while pending:
        progressed = False
        for logical_id, resource in list(pending.items()):
            try:
                named = _physical_for(logical_id, resource, resolver)
            except TemplateError:
                continue
            pending.pop(logical_id)
            progressed = True
            if named is not None:
                physical[logical_id] = named
        if not progressed:
            raise TemplateError(f"cannot name resources locally: {sorted(pending)}")
    for named in physical.values():
        named.ref = named.ref.replace("{endpoint}", endpoint)
        for key, value in list(named.attributes.items()):
            if key == "QueueUrl":
                named.attributes[key] = f"{endpoint}/{ACCOUNT_ID}/{value}"

    deployment = LocalDeployment(parameters=parameters)
    function_globals = (template.get("Globals") or {}).get("Function") or {}
    api_globals = (template.get("Globals") or {}).get("HttpApi") or {}

    # APIs first: a route needs its API's default authorizer, wherever the API is declared.
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Serverless::HttpApi":
            props = _merge_globals(api_globals, resource.get("Properties") or {})
            deployment.apis[logical_id] = _read_http_api(resolver, logical_id, props)
    if api_globals and IMPLICIT_HTTP_API not in deployment.apis:
        deployment.apis[IMPLICIT_HTTP_API] = _read_http_api(
            resolver, IMPLICIT_HTTP_API, api_globals
        )

    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        raw_props = resource.get("Properties") or {}
        if kind == "AWS::DynamoDB::Table":
            props = resolver.resolve(raw_props)
            ttl = props.get("TimeToLiveSpecification") or {}
            pitr = props.get("PointInTimeRecoverySpecification") or {}
            name = physical[logical_id].ref
            deployment.tables.append(
                TableSpec(
                    logical_id=logical_id,
                    name=name,
                    create_args=_table_args(name, props),
                    ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") else None,
                    point_in_time_recovery=bool(pitr.get("PointInTimeRecoveryEnabled")),
                )
            )
        elif kind == "AWS::Events::EventBus":
            deployment.buses[logical_id] = physical[logical_id].ref
        elif kind == "AWS::Scheduler::ScheduleGroup":
            deployment.schedule_groups[logical_id] = physical[logical_id].ref
        elif kind == "AWS::SQS::Queue":
            deployment.queues.append(
                QueueSpec(
                    logical_id=logical_id,
                    name=physical[logical_id].attributes["QueueName"],
                    arn=physical[logical_id].attributes["Arn"],
                    attributes=_queue_attributes(resolver.resolve(raw_props)),
                )
            )
        elif kind == "AWS::KMS::Key":
            props = resolver.resolve(raw_props)
            args: dict[str, Any] = {"Description": str(props.get("Description", logical_id))}
            for key in ("KeyUsage", "KeySpec", "MultiRegion"):
                if key in props:
                    args[key] = props[key]
            if "KeyPolicy" in props:
                args["Policy"] = json.dumps(props["KeyPolicy"])
            deployment.kms_keys.append(
                KmsKeySpec(logical_id, args, bool(props.get("EnableKeyRotation", False)))
            )
        elif kind == "AWS::Serverless::Function":
            props = _merge_globals(function_globals, raw_props)
            _read_function(deployment, resolver, physical, base_dir, logical_id, props)

    # Plain rules last: their targets are functions, which must be known by then.
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Events::Rule":
            _read_plain_rule(deployment, resolver, logical_id, resource.get("Properties") or {})

    for spec in deployment.functions.values():
        for key in ("SENDER_EMAIL",):
            if (
                key in spec.environment
                and spec.environment[key] not in deployment.sender_identities
            ):
                deployment.sender_identities.append(spec.environment[key])
    return deployment


def _read_function(
    deployment: LocalDeployment,
    resolver: Resolver,
    physical: Mapping[str, _Physical],
    base_dir: Path,
    logical_id: str,
    props: Mapping[str, Any],
) -> None:
    if "CodeUri" not in props or not isinstance(props["CodeUri"], str):
        raise TemplateError(f"{logical_id}: only a local CodeUri directory is supported")
    if props.get("PackageType", "Zip") != "Zip":
        raise TemplateError(f"{logical_id}: only Zip functions are supported locally")
    environment = {
        key: _env_value(value)
        for key, value in resolver.resolve(
            (props.get("Environment") or {}).get("Variables") or {}
        ).items()
    }
    invoke_config = resolver.resolve(props.get("EventInvokeConfig") or {})
    on_failure = (invoke_config.get("DestinationConfig") or {}).get("OnFailure") or {}
    destination = on_failure.get("Destination")
    if destination is not None and on_failure.get("Type", "SQS") != "SQS":
        raise TemplateError(f"{logical_id}: only SQS on-failure destinations are supported")
    spec = FunctionSpec(
        logical_id=logical_id,
        function_name=physical[logical_id].ref,
        arn=physical[logical_id].attributes["Arn"],
        code_dir=(base_dir / props["CodeUri"]).resolve(),
        handler=str(resolver.resolve(props.get("Handler", "app.handler"))),
        memory_mb=int(resolver.resolve(props.get("MemorySize", 128))),
        timeout_s=int(resolver.resolve(props.get("Timeout", 3))),
        environment=environment,
        maximum_retry_attempts=int(
            invoke_config.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS)
        ),
        on_failure_arn=str(destination) if destination else None,
    )
    deployment.functions[logical_id] = spec

    for event_id, event in (props.get("Events") or {}).items():
        kind = event.get("Type")
        event_props = event.get("Properties") or {}
        if kind in ("EventBridgeRule", "CloudWatchEvent"):
            _read_sam_rule(deployment, resolver, logical_id, event_id, event_props)
        elif kind == "HttpApi":
            _read_route(deployment, resolver, logical_id, event_props)


def _read_sam_rule(
    deployment: LocalDeployment,
    resolver: Resolver,
    function: str,
    event_id: str,
    raw: Mapping[str, Any],
) -> None:
    props = resolver.resolve(raw)
    if props.get("State") == "DISABLED" or props.get("Enabled") is False:
        return
    target = props.get("Target") or {}
    dead_letter = props.get("DeadLetterConfig") or {}
    deployment.rules.append(
        RuleSpec(
            name=str(props.get("RuleName") or f"{function}{event_id}"),
            function=function,
            bus_name=str(props.get("EventBusName", "default")),
            pattern=props["Pattern"],
            dead_letter_arn=dead_letter.get("Arn"),
            input=target.get("Input", props.get("Input")),
            input_path=target.get("InputPath", props.get("InputPath")),
            input_transformer=props.get("InputTransformer"),
        )
    )


def _read_plain_rule(
    deployment: LocalDeployment,
    resolver: Resolver,
    logical_id: str,
    raw: Mapping[str, Any],
) -> None:
    """An AWS::Events::Rule whose targets are functions of this template."""
    props = resolver.resolve(raw)
    if props.get("State", "ENABLED") != "ENABLED" or "EventPattern" not in props:
        return
    arns = {spec.arn: spec.logical_id for spec in deployment.functions.values()}
    for target in props.get("Targets") or []:
        function = arns.get(str(target.get("Arn")))
        if function is None:
            continue
        deployment.rules.append(
            RuleSpec(
                name=str(props.get("Name") or logical_id),
                function=function,
                bus_name=str(props.get("EventBusName", "default")).rsplit("/", 1)[-1],
                pattern=props["EventPattern"],
                dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
                input=target.get("Input"),
                input_path=target.get("InputPath"),
                input_transformer=target.get("InputTransformer"),
            )
        )


def _read_http_api(resolver: Resolver, logical_id: str, raw: Mapping[str, Any]) -> HttpApiSpec:
    props = resolver.resolve(raw)
    auth = props.get("Auth") or {}
    authorizers: dict[str, AuthorizerSpec] = {}
    for name, declaration in (auth.get("Authorizers") or {}).items():
        jwt_config = declaration.get("JwtConfiguration")
        if jwt_config is None:
            raise TemplateError(f"{logical_id}.{name}: only JWT authorizers are supported")
        audience = jwt_config.get("audience") or []
        authorizers[name] = AuthorizerSpec(
            name=name,
            issuer=str(jwt_config["issuer"]),
            audience=tuple(str(a) for a in audience),
            identity_source=str(declaration.get("IdentitySource", "$request.header.Authorization")),
        )
    default = auth.get("DefaultAuthorizer")
    if default is not None and default not in authorizers:
        raise TemplateError(f"{logical_id}: DefaultAuthorizer {default} is not declared")
    cors_raw = props.get("CorsConfiguration")
    cors: CorsSpec | None = None
    if isinstance(cors_raw, dict):
        cors = CorsSpec(
            allow_origins=tuple(cors_raw.get("AllowOrigins") or ()),
            allow_headers=tuple(h.lower() for h in cors_raw.get("AllowHeaders") or ()),
            allow_methods=tuple(m.upper() for m in cors_raw.get("AllowMethods") or ()),
            expose_headers=tuple(cors_raw.get("ExposeHeaders") or ()),
            max_age=int(cors_raw["MaxAge"]) if "MaxAge" in cors_raw else None,
            allow_credentials=bool(cors_raw.get("AllowCredentials", False)),
        )
    elif cors_raw:
        # `CorsConfiguration: true` in SAM allows every origin, header and method.
        cors = CorsSpec(("*",), ("*",), ("*",), (), None, False)
    return HttpApiSpec(logical_id, authorizers, default, cors)


IMPLICIT_HTTP_API = "ServerlessHttpApi"


def _read_route(
    deployment: LocalDeployment, resolver: Resolver, function: str, raw: Mapping[str, Any]
) -> None:
    api_ref = raw.get("ApiId")
    if api_ref is None:
        api_id = IMPLICIT_HTTP_API  # SAM's implicit API: no authorizer unless Globals say so
    elif isinstance(api_ref, dict) and "Ref" in api_ref:
        api_id = str(api_ref["Ref"])
    else:
        raise TemplateError(f"{function}: HttpApi ApiId must be a !Ref to an HttpApi resource")
    props = resolver.resolve({k: v for k, v in raw.items() if k != "ApiId"})
    api = deployment.apis.get(api_id)
    auth = props.get("Auth") or {}
    choice = auth.get("Authorizer")
    if choice is None:
        authorizer = api.default_authorizer if api else None
    elif choice == "NONE":
        authorizer = None
    elif api is None or choice not in api.authorizers:
        raise TemplateError(f"{function}: authorizer {choice} is not declared on {api_id}")
    else:
        authorizer = str(choice)
    path = props.get("Path")
    deployment.routes.append(
        RouteSpec(
            method=str(props.get("Method", "ANY")).upper() if path else "ANY",
            path=str(path) if path else "$default",
            function=function,
            api=api_id,
            authorizer=authorizer,
            scopes=tuple(auth.get("AuthorizationScopes") or ()),
        )
    )
