"""Read template.yaml: the one description of the deployment, for the local stack too.

The template first goes through the transforms CloudFormation runs (``cloudformation``), so
what is read here is what the deployed stack contains: Lambda functions, EventBridge rules
with their targets, event invoke configs, event source mappings, an HTTP API whose OpenAPI
body holds its routes and authorizers. The intrinsic functions left after the transforms are
resolved against local names and ARNs (``Resolver``). Only what the local stack needs is
modelled; what it needs but cannot reproduce faithfully is a TemplateError.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from bounceback_local.cloudformation import (
    ACCOUNT_ID,
    LOCAL_CODE_BUCKET,
    PARTITION,
    REGION,
    SERVERLESS,
    STACK_NAME,
    TemplateError,
    load_template,
    pseudo_parameters,
    to_cloudformation,
)

__all__ = [
    "ACCOUNT_ID",
    "LOCAL_API_ID",
    "REGION",
    "AuthorizerSpec",
    "CorsSpec",
    "EventSourceMappingSpec",
    "FunctionSpec",
    "HttpApiSpec",
    "KmsKeySpec",
    "LocalDeployment",
    "QueueRuleSpec",
    "QueueSpec",
    "RouteSpec",
    "RuleSpec",
    "TableSpec",
    "TemplateError",
    "load_template",
    "read_deployment",
]

LOCAL_API_ID = "local"

# What AWS does when the template says nothing: Lambda retries an asynchronous invocation
# twice and keeps it up to six hours; EventBridge retries a target 185 times over a day.
DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE_S = 21600
DEFAULT_RULE_RETRY_ATTEMPTS = 185
DEFAULT_RULE_EVENT_AGE_S = 86400


# ---------------------------------------------------------------------------- model


@dataclass(frozen=True)
class RuleSpec:
    """An EventBridge rule target that is a function of the template."""

    name: str
    function: str
    bus_name: str
    pattern: dict[str, Any]
    dead_letter_arn: str | None
    input: str | None = None
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None
    maximum_retry_attempts: int = DEFAULT_RULE_RETRY_ATTEMPTS
    maximum_event_age_s: int = DEFAULT_RULE_EVENT_AGE_S


@dataclass(frozen=True)
class QueueRuleSpec:
    """An EventBridge rule target that is an SQS queue of the template.

    The embedded EventBridge delivers to it itself: the rule and its target are created there
    as declared, so what reaches the queue is what EventBridge would send.
    """

    name: str  # the rule's name on its bus
    bus_name: str
    pattern: dict[str, Any]
    target_id: str
    queue: str  # logical id of the queue
    queue_arn: str
    dead_letter_arn: str | None = None
    input: str | None = None
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None
    message_group_id: str | None = None  # SqsParameters.MessageGroupId (FIFO queues)
    maximum_retry_attempts: int = DEFAULT_RULE_RETRY_ATTEMPTS
    maximum_event_age_s: int = DEFAULT_RULE_EVENT_AGE_S

    @property
    def target(self) -> dict[str, Any]:
        """The target as PutTargets takes it."""
        target: dict[str, Any] = {
            "Id": self.target_id,
            "Arn": self.queue_arn,
            "RetryPolicy": {
                "MaximumRetryAttempts": self.maximum_retry_attempts,
                "MaximumEventAgeInSeconds": self.maximum_event_age_s,
            },
        }
        if self.dead_letter_arn is not None:
            target["DeadLetterConfig"] = {"Arn": self.dead_letter_arn}
        if self.input is not None:
            target["Input"] = self.input
        if self.input_path is not None:
            target["InputPath"] = self.input_path
        if self.input_transformer is not None:
            target["InputTransformer"] = self.input_transformer
        if self.message_group_id is not None:
            target["SqsParameters"] = {"MessageGroupId": self.message_group_id}
        return target


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
    api: str  # logical id of the HTTP API
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
    # After the SAM transform each route names its own authorizer (RouteSpec.authorizer);
    # the API-wide default is not part of the deployed API, so the reader leaves this None.
    default_authorizer: str | None = None
    cors: CorsSpec | None = None


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
    maximum_event_age_s: int = DEFAULT_MAXIMUM_EVENT_AGE_S


@dataclass(frozen=True)
class EventSourceMappingSpec:
    """A function fed by a queue or a table's stream (AWS::Lambda::EventSourceMapping)."""

    logical_id: str
    function: str  # logical id of the function
    event_source_arn: str
    batch_size: int
    enabled: bool = True
    starting_position: str | None = None  # streams: TRIM_HORIZON or LATEST
    filter_patterns: tuple[dict[str, Any], ...] = ()  # any one matching lets a record in
    bisect_batch_on_error: bool = False
    maximum_retry_attempts: int = -1  # -1: until the record expires (streams)
    maximum_record_age_s: int = -1  # -1: as long as the stream keeps it
    maximum_batching_window_s: int = 0
    on_failure_arn: str | None = None
    function_response_types: tuple[str, ...] = ()  # ("ReportBatchItemFailures",): partial
    maximum_concurrency: int | None = None  # queues: ScalingConfig.MaximumConcurrency

    @property
    def is_queue(self) -> bool:
        return self.event_source_arn.startswith(f"arn:{PARTITION}:sqs:")

    @property
    def reports_batch_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types


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
    stream_view_type: str | None = None  # NEW_IMAGE, OLD_IMAGE, ...; None: no stream
    stream_arn: str | None = None


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
    queue_rules: list[QueueRuleSpec] = field(default_factory=list)
    event_source_mappings: list[EventSourceMappingSpec] = field(default_factory=list)
    apis: dict[str, HttpApiSpec] = field(default_factory=dict)
    routes: list[RouteSpec] = field(default_factory=list)
    sender_identities: list[str] = field(default_factory=list)

    def fill_in(self, values: Mapping[str, str]) -> None:
        """Replace placeholders everywhere: values known only once the stack runs, such as
        KMS key ids (chosen by KMS when the key is created)."""

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                for placeholder, actual in values.items():
                    value = value.replace(placeholder, actual)
                return value
            if isinstance(value, list | tuple):
                return type(value)(fill(v) for v in value)
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            if is_dataclass(value) and not isinstance(value, type):
                return replace(
                    value, **{f.name: fill(getattr(value, f.name)) for f in fields(value)}
                )
            return value

        for each in fields(self):
            setattr(self, each.name, fill(getattr(self, each.name)))

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


def _arn(service: str, resource: str) -> str:
    return f"arn:{PARTITION}:{service}:{REGION}:{ACCOUNT_ID}:{resource}"


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE: Any = _NoValue()


class Resolver:
    """Resolves intrinsic functions against local names and ARNs.

    A resource is named the first time something refers to it (its name may itself refer to
    parameters or other resources); a resource the local stack cannot name fails loudly.
    """

    _SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

    def __init__(
        self, template: Mapping[str, Any], parameters: Mapping[str, str], endpoint: str
    ) -> None:
        self._template = template
        self._resources: Mapping[str, Any] = template.get("Resources") or {}
        self._parameters = {**pseudo_parameters(), **parameters}
        self._endpoint = endpoint
        self._physical: dict[str, _Physical] = {}
        self._naming: set[str] = set()
        self._conditions: dict[str, bool] = {}

    def physical(self, logical_id: str) -> _Physical:
        if logical_id in self._physical:
            return self._physical[logical_id]
        resource = self._resources.get(logical_id)
        if not isinstance(resource, dict):
            raise TemplateError(f"{logical_id} is not a parameter or a resource of the template")
        if logical_id in self._naming:
            raise TemplateError(f"the name of {logical_id} depends on itself")
        self._naming.add(logical_id)
        named = _physical_for(logical_id, resource, self, self._endpoint)
        self._naming.discard(logical_id)
        if named is None:
            raise TemplateError(
                f"{logical_id}: the local stack does not name {resource.get('Type')} resources"
            )
        self._physical[logical_id] = named
        return named

    def ref(self, name: str) -> str:
        if name in self._parameters:
            return self._parameters[name]
        return self.physical(name).ref

    def get_att(self, resource: str, attribute: str) -> str:
        attributes = self.physical(resource).attributes
        if attribute not in attributes:
            raise TemplateError(f"!GetAtt {resource}.{attribute}: not known to the local stack")
        return attributes[attribute]

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self._template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"condition {name} is not declared")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    def _sub(self, text: str, variables: Mapping[str, Any]) -> str:
        def substitute(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"  # ${!Literal} is an escaped literal
            if inner in variables:
                return str(self.resolve(variables[inner]))
            if "." in inner and not inner.startswith("AWS::"):
                resource, _, attribute = inner.partition(".")
                return self.get_att(resource, attribute)
            return self.ref(inner)

        return self._SUB_VARIABLE.sub(substitute, text)

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic function inside ``value`` (recursively)."""
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            function = _INTRINSICS.get(key)
            if function is not None:
                return function(self, argument)
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not supported by the local stack")
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


def _ref(resolver: Resolver, argument: Any) -> Any:
    name = str(resolver.resolve(argument))
    return _NO_VALUE if name == "AWS::NoValue" else resolver.ref(name)


def _get_att(resolver: Resolver, argument: Any) -> str:
    parts = argument.split(".", 1) if isinstance(argument, str) else argument
    # With AWS::LanguageExtensions either part may itself be an intrinsic function.
    return resolver.get_att(str(resolver.resolve(parts[0])), str(resolver.resolve(parts[1])))


def _sub(resolver: Resolver, argument: Any) -> str:
    if isinstance(argument, str):
        return resolver._sub(argument, {})
    return resolver._sub(str(argument[0]), argument[1])


def _if(resolver: Resolver, argument: Any) -> Any:
    name, when_true, when_false = argument
    return resolver.resolve(when_true if resolver.condition(name) else when_false)


def _equals(resolver: Resolver, argument: Any) -> bool:
    left, right = (resolver.resolve(a) for a in argument)
    return str(left) == str(right)


def _select(resolver: Resolver, argument: Any) -> Any:
    index, items = argument
    return resolver.resolve(items)[int(resolver.resolve(index))]


def _find_in_map(resolver: Resolver, argument: Any) -> Any:
    map_name, top, second = (str(resolver.resolve(a)) for a in argument)
    return resolver.resolve(resolver._template["Mappings"][map_name][top][second])


_INTRINSICS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": lambda r, a: not r.resolve(a[0]),
    "Fn::And": lambda r, a: all(r.resolve(x) for x in a),
    "Fn::Or": lambda r, a: any(r.resolve(x) for x in a),
    "Condition": lambda r, a: r.condition(str(a)),
    "Fn::Join": lambda r, a: str(a[0]).join(str(i) for i in r.resolve(a[1])),
    "Fn::Select": _select,
    "Fn::Split": lambda r, a: str(r.resolve(a[1])).split(str(a[0])),
    "Fn::Base64": lambda r, a: base64.b64encode(str(r.resolve(a)).encode()).decode(),
    "Fn::FindInMap": _find_in_map,
}


# ---------------------------------------------------------------------------- local names


def _physical_for(
    logical_id: str, resource: Mapping[str, Any], resolver: Resolver, endpoint: str
) -> _Physical | None:
    """Local Ref/GetAtt of one resource, before anything is created.

    Names that CloudFormation would generate are made deterministic (stack name + logical id).
    Returns None for resource types the local stack neither creates nor needs to name.
    """
    kind = resource.get("Type", "")
    props = resource.get("Properties") or {}

    def declared(prop: str, default: str) -> str:
        return str(resolver.resolve(props[prop])) if prop in props else default

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
        fifo = bool(resolver.resolve(props.get("FifoQueue", False)))
        name = declared("QueueName", generated + (".fifo" if fifo else ""))
        url = f"{endpoint}/{ACCOUNT_ID}/{name}"  # Ref is the queue's URL
        return _Physical(url, {"Arn": _arn("sqs", name), "QueueName": name, "QueueUrl": url})
    if kind == "AWS::Lambda::Function":
        name = declared("FunctionName", generated)
        return _Physical(name, {"Arn": _arn("lambda", f"function:{name}")})
    if kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
        # A published version (":1") or an alias of a function: the same code, locally. Its
        # Ref is its ARN, which names the function (functions are looked up by that prefix).
        function = str(resolver.resolve(props["FunctionName"]))
        if not function.startswith("arn:"):
            function = _arn("lambda", f"function:{function}")
        qualifier = declared("Name", "1") if kind == "AWS::Lambda::Alias" else "1"
        arn = f"{function}:{qualifier}"
        return _Physical(arn, {"Arn": arn, "Version": "1"} if kind.endswith("Version") else {})
    if kind == "AWS::Lambda::LayerVersion":
        return _Physical(_arn("lambda", f"layer:{declared('LayerName', generated)}:1"))
    if kind == "AWS::Lambda::EventSourceMapping":
        return _Physical(f"{logical_id}-local")  # Ref is the mapping's UUID
    if kind == "AWS::IAM::Role":
        name = declared("RoleName", generated)
        arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}"
        return _Physical(name, {"Arn": arn, "RoleId": f"AROA{logical_id.upper()[:17]}"})
    if kind == "AWS::Logs::LogGroup":
        name = declared("LogGroupName", f"/aws/{STACK_NAME}/{logical_id}")
        return _Physical(name, {"Arn": _arn("logs", f"log-group:{name}:*")})
    if kind == "AWS::ApiGatewayV2::Api":
        return _Physical(LOCAL_API_ID, {"ApiEndpoint": "{gateway}", "ApiId": LOCAL_API_ID})
    if kind == "AWS::KMS::Key":
        # Key ids are chosen by KMS when the key is created: filled in after creation.
        return _Physical(f"{{kms:{logical_id}}}", {"Arn": f"{{kms-arn:{logical_id}}}"})
    if kind == "AWS::KMS::Alias":
        return _Physical(declared("AliasName", f"alias/{generated}"))
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
    if kind == "AWS::SES::EmailIdentity":
        return _Physical(declared("EmailIdentity", generated))
    return None


# ---------------------------------------------------------------------------- the deployment


def read_deployment(
    template_path: Path,
    parameter_overrides: Mapping[str, str],
    endpoint: str = "{endpoint}",
) -> LocalDeployment:
    """Read the template and resolve what the local stack needs.

    ``parameter_overrides`` wins over each parameter's Default; a parameter without a value
    is an error (as it is for ``sam deploy``). ``endpoint`` is the local AWS endpoint, used
    for queue URLs. KMS key ids are only known after creation: see ``LocalDeployment.fill_in``.
    """
    written = load_template(template_path)
    parameters = _parameter_values(written, parameter_overrides)
    template = to_cloudformation(written, parameters)
    return _Reader(template, parameters, endpoint, template_path.parent).read()


def _parameter_values(template: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, declaration in (template.get("Parameters") or {}).items():
        if name in overrides:
            values[name] = overrides[name]
        elif isinstance(declaration, dict) and "Default" in declaration:
            default = declaration["Default"]
            values[name] = (
                ",".join(map(_text, default)) if isinstance(default, list) else _text(default)
            )
        else:
            raise TemplateError(f"parameter {name} has no Default and no local value")
    return values


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_UNSUPPORTED = {
    "AWS::ApiGatewayV2::Route": "routes are read from an HTTP API's OpenAPI body (HttpApi events)",
    "AWS::ApiGatewayV2::Authorizer": "authorizers are read from an HTTP API's OpenAPI body",
    "AWS::ApiGatewayV2::Integration": "integrations are read from an HTTP API's OpenAPI body",
    "AWS::ApiGateway::RestApi": "the local gateway serves HTTP APIs (payload format 2.0) only",
}
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
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_ANY_METHOD = "x-amazon-apigateway-any-method"
_LAMBDA_INTEGRATION = re.compile(r":lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$")


class _Reader:
    """Plain CloudFormation resources -> the local deployment."""

    def __init__(
        self, template: Mapping[str, Any], parameters: dict[str, str], endpoint: str, base: Path
    ) -> None:
        self._resolver = Resolver(template, parameters, endpoint)
        self._base = base
        self._deployment = LocalDeployment(parameters=parameters)
        self._resources: dict[str, tuple[str, dict[str, Any]]] = {}
        for logical_id, resource in (template.get("Resources") or {}).items():
            condition = resource.get("Condition")
            if condition is not None and not self._resolver.condition(str(condition)):
                continue
            kind = str(resource.get("Type", ""))
            if kind.startswith("AWS::Serverless::"):
                raise TemplateError(f"{logical_id} ({kind}) needs Transform: {SERVERLESS}")
            if kind in _UNSUPPORTED:
                raise TemplateError(f"{logical_id} ({kind}): {_UNSUPPORTED[kind]}")
            self._resources[logical_id] = (kind, resource.get("Properties") or {})

    def _of(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(i, props) for i, (k, props) in self._resources.items() if k == kind]

    def read(self) -> LocalDeployment:
        # Functions first: rules, invoke configs, mappings and routes point at them.
        for logical_id, props in self._of("AWS::Lambda::Function"):
            self._function(logical_id, props)
        for logical_id, props in self._of("AWS::Lambda::EventInvokeConfig"):
            self._invoke_config(logical_id, props)
        for logical_id, props in self._of("AWS::Events::Rule"):
            self._rule(logical_id, props)
        for logical_id, props in self._of("AWS::Lambda::EventSourceMapping"):
            self._event_source_mapping(logical_id, props)
        for logical_id, props in self._of("AWS::ApiGatewayV2::Api"):
            self._http_api(logical_id, props)
        for logical_id, props in self._of("AWS::DynamoDB::Table"):
            self._table(logical_id, props)
        for logical_id, props in self._of("AWS::SQS::Queue"):
            physical = self._resolver.physical(logical_id)
            attributes = _queue_attributes(self._resolver.resolve(props))
            self._deployment.queues.append(
                QueueSpec(
                    logical_id,
                    physical.attributes["QueueName"],
                    physical.attributes["Arn"],
                    attributes,
                )
            )
        for logical_id, props in self._of("AWS::KMS::Key"):
            self._kms_key(logical_id, self._resolver.resolve(props))
        for logical_id, _ in self._of("AWS::Events::EventBus"):
            self._deployment.buses[logical_id] = self._resolver.ref(logical_id)
        for logical_id, _ in self._of("AWS::Scheduler::ScheduleGroup"):
            self._deployment.schedule_groups[logical_id] = self._resolver.ref(logical_id)
        self._sender_identities()
        return self._deployment

    # ------------------------------------------------------------------------ functions

    def _function_of(self, reference: str, what: str) -> str:
        """The logical id of a function given by name or ARN (of a version or alias too)."""
        for spec in self._deployment.functions.values():
            if reference in (spec.function_name, spec.arn) or reference.startswith(spec.arn + ":"):
                return spec.logical_id
        raise TemplateError(f"{what}: {reference} is not a function of the template")

    def _resolved(self, raw: Mapping[str, Any], *keys: str) -> dict[str, Any]:
        """Only the properties the local stack uses: the others may name resources (VPCs,
        roles of other services...) that it has no reason to know."""
        resolved: dict[str, Any] = self._resolver.resolve({k: raw[k] for k in keys if k in raw})
        return resolved

    def _function(self, logical_id: str, raw: Mapping[str, Any]) -> None:
        props = self._resolved(
            raw, "PackageType", "Runtime", "Code", "Handler", "MemorySize", "Timeout", "Environment"
        )
        if props.get("PackageType", "Zip") != "Zip":
            raise TemplateError(f"{logical_id}: only Zip functions run locally")
        runtime = str(props.get("Runtime", ""))
        if not runtime.startswith("python"):
            raise TemplateError(f"{logical_id}: only Python functions run locally, not {runtime}")
        code = props.get("Code") or {}
        if code.get("S3Bucket") != LOCAL_CODE_BUCKET:
            raise TemplateError(f"{logical_id}: only a local CodeUri directory is supported")
        physical = self._resolver.physical(logical_id)
        variables = (props.get("Environment") or {}).get("Variables") or {}
        self._deployment.functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            function_name=physical.ref,
            arn=physical.attributes["Arn"],
            code_dir=(self._base / str(code["S3Key"])).resolve(),
            handler=str(props["Handler"]),
            memory_mb=int(props.get("MemorySize", 128)),
            timeout_s=int(props.get("Timeout", 3)),
            environment={key: _text(value) for key, value in variables.items()},
            maximum_retry_attempts=DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
            on_failure_arn=None,
        )

    def _invoke_config(self, logical_id: str, raw: Mapping[str, Any]) -> None:
        props = self._resolver.resolve(raw)
        function = self._function_of(str(props["FunctionName"]), logical_id)
        destinations = props.get("DestinationConfig") or {}
        if "OnSuccess" in destinations:
            raise TemplateError(f"{logical_id}: on-success destinations are not sent locally")
        destination = (destinations.get("OnFailure") or {}).get("Destination")
        if destination is not None and not str(destination).startswith(_arn("sqs", "")):
            raise TemplateError(f"{logical_id}: only SQS on-failure destinations are supported")
        spec = self._deployment.functions[function]
        self._deployment.functions[function] = replace(
            spec,
            maximum_retry_attempts=int(
                props.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS)
            ),
            maximum_event_age_s=int(
                props.get("MaximumEventAgeInSeconds", DEFAULT_MAXIMUM_EVENT_AGE_S)
            ),
            on_failure_arn=str(destination) if destination else None,
        )

    def _sender_identities(self) -> None:
        identities = [self._resolver.ref(i) for i, _ in self._of("AWS::SES::EmailIdentity")]
        # The deployed stage verifies its sender outside the template; SES refuses to send
        # from an unverified address, so the local stack verifies the one the functions use.
        identities += [
            spec.environment["SENDER_EMAIL"]
            for spec in self._deployment.functions.values()
            if "SENDER_EMAIL" in spec.environment
        ]
        self._deployment.sender_identities = list(dict.fromkeys(identities))

    # ------------------------------------------------------------------------ events

    def _rule(self, logical_id: str, raw: Mapping[str, Any]) -> None:
        """An EventBridge rule: one RuleSpec per target that is a function of the template,
        one QueueRuleSpec per target that is one of its queues."""
        props = self._resolved(raw, "State", "EventPattern", "Name", "EventBusName")
        if props.get("State", "ENABLED") != "ENABLED" or "EventPattern" not in props:
            return
        pattern = props["EventPattern"]
        if isinstance(pattern, str):
            pattern = json.loads(pattern)
        name = str(props.get("Name") or logical_id)
        bus_name = str(props.get("EventBusName", "default")).rsplit("/", 1)[-1]
        functions = {spec.arn: spec.logical_id for spec in self._deployment.functions.values()}
        queues = {
            self._resolver.get_att(queue, "Arn"): queue for queue, _ in self._of("AWS::SQS::Queue")
        }
        for raw_target in raw.get("Targets") or []:
            # Targets other than the template's functions and queues (state machines...) are
            # not delivered to locally, so they need not be named either.
            try:
                arn = str(self._resolver.resolve(raw_target.get("Arn")))
            except TemplateError:
                continue
            if arn not in functions and arn not in queues:
                continue
            target = self._resolver.resolve(raw_target)
            retry = target.get("RetryPolicy") or {}
            retries = int(retry.get("MaximumRetryAttempts", DEFAULT_RULE_RETRY_ATTEMPTS))
            event_age = int(retry.get("MaximumEventAgeInSeconds", DEFAULT_RULE_EVENT_AGE_S))
            dead_letter_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
            if arn in queues:
                # The rule is created in the embedded EventBridge under its physical name.
                self._deployment.queue_rules.append(
                    QueueRuleSpec(
                        name=str(props.get("Name") or self._resolver.ref(logical_id)),
                        bus_name=bus_name,
                        pattern=pattern,
                        target_id=str(target.get("Id") or queues[arn]),
                        queue=queues[arn],
                        queue_arn=arn,
                        dead_letter_arn=dead_letter_arn,
                        input=target.get("Input"),
                        input_path=target.get("InputPath"),
                        input_transformer=target.get("InputTransformer"),
                        message_group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
                        maximum_retry_attempts=retries,
                        maximum_event_age_s=event_age,
                    )
                )
                continue
            self._deployment.rules.append(
                RuleSpec(
                    name=name,
                    function=functions[arn],
                    bus_name=bus_name,
                    pattern=pattern,
                    dead_letter_arn=dead_letter_arn,
                    input=target.get("Input"),
                    input_path=target.get("InputPath"),
                    input_transformer=target.get("InputTransformer"),
                    maximum_retry_attempts=retries,
                    maximum_event_age_s=event_age,
                )
            )

    def _event_source_mapping(self, logical_id: str, raw: Mapping[str, Any]) -> None:
        props = self._resolver.resolve(raw)
        source = str(props.get("EventSourceArn", ""))
        if not source.startswith((_arn("sqs", ""), _arn("dynamodb", ""))):
            raise TemplateError(
                f"{logical_id}: only SQS queues and DynamoDB streams feed functions locally"
            )
        patterns: list[dict[str, Any]] = []
        for entry in (props.get("FilterCriteria") or {}).get("Filters") or []:
            pattern = entry.get("Pattern", "{}")
            try:
                patterns.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
            except ValueError as error:
                raise TemplateError(f"{logical_id}: a filter pattern is not JSON") from error
        on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        if on_failure is not None and not str(on_failure).startswith(_arn("sqs", "")):
            raise TemplateError(f"{logical_id}: only SQS on-failure destinations are supported")
        is_queue = source.startswith(_arn("sqs", ""))
        starting_position = props.get("StartingPosition")
        if not is_queue and starting_position not in ("TRIM_HORIZON", "LATEST"):
            raise TemplateError(
                f"{logical_id}: a stream is read from TRIM_HORIZON or LATEST, "
                f"not {starting_position}"
            )
        concurrency = (props.get("ScalingConfig") or {}).get("MaximumConcurrency")
        self._deployment.event_source_mappings.append(
            EventSourceMappingSpec(
                logical_id=logical_id,
                function=self._function_of(str(props["FunctionName"]), logical_id),
                event_source_arn=source,
                # Lambda's defaults: 10 messages from a queue, 100 records from a stream.
                batch_size=int(props.get("BatchSize", 10 if is_queue else 100)),
                enabled=bool(props.get("Enabled", True)),
                starting_position=starting_position,
                filter_patterns=tuple(patterns),
                bisect_batch_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                maximum_record_age_s=int(props.get("MaximumRecordAgeInSeconds", -1)),
                maximum_batching_window_s=int(props.get("MaximumBatchingWindowInSeconds", 0)),
                on_failure_arn=str(on_failure) if on_failure else None,
                function_response_types=tuple(props.get("FunctionResponseTypes") or ()),
                maximum_concurrency=int(concurrency) if concurrency is not None else None,
            )
        )

    # ------------------------------------------------------------------------ HTTP API

    def _http_api(self, logical_id: str, raw: Mapping[str, Any]) -> None:
        """An HTTP API as SAM deploys it: routes, integrations and authorizers in its OpenAPI
        body (x-amazon-apigateway-* extensions), CORS there or in CorsConfiguration."""
        props = self._resolver.resolve(raw)
        if props.get("ProtocolType", "HTTP") != "HTTP":
            raise TemplateError(f"{logical_id}: only HTTP APIs are served locally")
        if "BodyS3Location" in props:
            raise TemplateError(f"{logical_id}: an OpenAPI body in S3 is not read locally")
        body = props.get("Body") or {}
        schemes = (body.get("components") or {}).get("securitySchemes") or {}
        authorizers = {
            name: _authorizer(logical_id, name, scheme)
            for name, scheme in schemes.items()
            if "x-amazon-apigateway-authorizer" in scheme
        }
        cors = body.get("x-amazon-apigateway-cors")
        if cors is None and props.get("CorsConfiguration"):
            # The property spells the same settings in PascalCase.
            cors = {k[:1].lower() + k[1:]: v for k, v in props["CorsConfiguration"].items()}
        self._deployment.apis[logical_id] = HttpApiSpec(
            logical_id, authorizers, cors=_cors(cors) if cors else None
        )
        for path, operations in (body.get("paths") or {}).items():
            for method, operation in operations.items():
                if method != _ANY_METHOD and method not in _HTTP_METHODS:
                    continue  # e.g. "parameters" shared by the path's operations
                route_key = f"{method} {path}"
                requirements = operation.get("security", body.get("security")) or []
                authorizer, scopes = _route_authorizer(logical_id, route_key, requirements)
                if authorizer is not None and authorizer not in authorizers:
                    raise TemplateError(
                        f"{logical_id} {route_key}: {authorizer} is not a JWT authorizer"
                    )
                self._deployment.routes.append(
                    RouteSpec(
                        method="ANY" if method == _ANY_METHOD else method.upper(),
                        path=path,
                        function=self._route_function(logical_id, route_key, operation),
                        api=logical_id,
                        authorizer=authorizer,
                        scopes=scopes,
                    )
                )

    def _route_function(self, api: str, route_key: str, operation: Mapping[str, Any]) -> str:
        integration = operation.get("x-amazon-apigateway-integration") or {}
        if str(integration.get("payloadFormatVersion", "2.0")) != "2.0":
            raise TemplateError(f"{api} {route_key}: only payload format 2.0 is served locally")
        found = _LAMBDA_INTEGRATION.search(str(integration.get("uri", "")))
        if integration.get("type") != "aws_proxy" or found is None:
            raise TemplateError(f"{api} {route_key}: only Lambda proxy integrations run locally")
        return self._function_of(found["arn"], f"{api} {route_key}")

    # ------------------------------------------------------------------------ state

    def _table(self, logical_id: str, raw: Mapping[str, Any]) -> None:
        props = self._resolver.resolve(raw)
        physical = self._resolver.physical(logical_id)
        ttl = props.get("TimeToLiveSpecification") or {}
        pitr = props.get("PointInTimeRecoverySpecification") or {}
        stream = props.get("StreamSpecification") or {}
        view_type = stream.get("StreamViewType")
        self._deployment.tables.append(
            TableSpec(
                logical_id=logical_id,
                name=physical.ref,
                create_args=_table_args(physical.ref, props),
                ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") else None,
                point_in_time_recovery=bool(pitr.get("PointInTimeRecoveryEnabled")),
                stream_view_type=str(view_type) if view_type else None,
                stream_arn=physical.attributes["StreamArn"] if view_type else None,
            )
        )

    def _kms_key(self, logical_id: str, props: Mapping[str, Any]) -> None:
        args: dict[str, Any] = {"Description": str(props.get("Description", logical_id))}
        for key in ("KeyUsage", "KeySpec", "MultiRegion"):
            if key in props:
                args[key] = props[key]
        if "KeyPolicy" in props:
            args["Policy"] = json.dumps(props["KeyPolicy"])
        self._deployment.kms_keys.append(
            KmsKeySpec(logical_id, args, bool(props.get("EnableKeyRotation", False)))
        )


def _authorizer(api: str, name: str, scheme: Mapping[str, Any]) -> AuthorizerSpec:
    declaration = scheme["x-amazon-apigateway-authorizer"]
    jwt_config = declaration.get("jwtConfiguration")
    if declaration.get("type") != "jwt" or jwt_config is None:
        raise TemplateError(f"{api}.{name}: only JWT authorizers are supported locally")
    source = declaration.get("identitySource", "$request.header.Authorization")
    return AuthorizerSpec(
        name=name,
        issuer=str(jwt_config["issuer"]),
        audience=tuple(str(a) for a in jwt_config.get("audience") or ()),
        identity_source=str(source[0] if isinstance(source, list) else source),
    )


def _route_authorizer(
    api: str, route_key: str, requirements: list[Mapping[str, Any]]
) -> tuple[str | None, tuple[str, ...]]:
    """The route's security requirement: none (or SAM's "NONE") leaves it open."""
    if not requirements or not requirements[0]:
        return None, ()
    if len(requirements) > 1 or len(requirements[0]) > 1:
        raise TemplateError(f"{api} {route_key}: one authorizer per route is supported locally")
    ((name, scopes),) = requirements[0].items()
    if name == "NONE":
        return None, ()
    return str(name), tuple(str(s) for s in scopes or ())


def _cors(cors: Mapping[str, Any]) -> CorsSpec:
    return CorsSpec(
        allow_origins=tuple(cors.get("allowOrigins") or ()),
        allow_headers=tuple(h.lower() for h in cors.get("allowHeaders") or ()),
        allow_methods=tuple(m.upper() for m in cors.get("allowMethods") or ()),
        expose_headers=tuple(cors.get("exposeHeaders") or ()),
        max_age=int(cors["maxAge"]) if "maxAge" in cors else None,
        allow_credentials=bool(cors.get("allowCredentials", False)),
    )


def _queue_attributes(props: Mapping[str, Any]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for key in _QUEUE_ATTRIBUTES:
        if key not in props:
            continue
        value = props[key]
        attributes[key] = json.dumps(value) if isinstance(value, dict | list) else _text(value)
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
