"""template.yaml as CloudFormation deploys it, worked out on this machine.

Before CloudFormation creates anything it runs the template's transforms, in the order the
template lists them: AWS::LanguageExtensions expands Fn::ForEach, then
AWS::Serverless-2016-10-31 turns functions, their events and HTTP APIs into plain resources
(Lambda functions, EventBridge rules with their targets, an HTTP API whose OpenAPI body holds
the routes). The local stack runs the same steps offline - SAM's part with SAM's own
translator (samtranslator), given the parameter values - so it builds what the deployed stack
contains instead of a second reading of SAM's rules.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from samtranslator.yaml_helper import (  # type: ignore[import-untyped]
    intrinsics_multi_constructor,
)

# The local account and stack: what pseudo parameters resolve to locally.
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"
STACK_NAME = "bounceback-local"

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SERVERLESS = "AWS::Serverless-2016-10-31"
# While SAM translates, a CodeUri or ContentUri directory stands for an object of this bucket
# (`sam validate` does the same); the local stack then loads the code from that directory.
LOCAL_CODE_BUCKET = "bounceback-local-code"
_LOCAL_ARTIFACTS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class TemplateError(Exception):
    """The template uses something the local stack cannot reproduce faithfully."""


def pseudo_parameters() -> dict[str, str]:
    return {
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::Region": REGION,
        "AWS::Partition": PARTITION,
        "AWS::URLSuffix": URL_SUFFIX,
        "AWS::StackName": STACK_NAME,
        "AWS::StackId": (
            f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local"
        ),
    }


# ---------------------------------------------------------------------------- decoding


class _TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML with CloudFormation's short tags (`!Ref x`, `!GetAtt a.b`, ...), read as SAM reads
    them (libyaml's safe loader where PyYAML has it). A subclass, so yaml.safe_load elsewhere
    in the process keeps refusing tags."""


_TemplateLoader.add_multi_constructor("!", intrinsics_multi_constructor)


def load_template(path: Path) -> dict[str, Any]:
    """The template as written: intrinsic functions in their long form, nothing expanded."""
    try:
        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise TemplateError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
    return document


# ---------------------------------------------------------------------------- transforms


def to_cloudformation(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, Any]:
    """Run the template's transforms in the order it declares them, as CloudFormation does.

    SAM's translator costs more than a second to load and run, so its result is kept in the
    user's cache directory, under a hash of all it depends on: the template, the parameter
    values, the translator's version and this module's code.
    """
    key = _cache_key(template, parameters)
    cached = _cached(key)
    if cached is not None:
        return cached
    result = _run_transforms(template, parameters)
    _cache(key, result)
    return result


def _run_transforms(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, Any]:
    declared = template.get("Transform") or []
    transforms = [declared] if isinstance(declared, str) else list(declared)
    result = copy.deepcopy(dict(template))
    for name in transforms:
        if name == LANGUAGE_EXTENSIONS:
            result = expand_language_extensions(result, parameters)
        elif name == SERVERLESS:
            result = translate_serverless(result, parameters)
        else:
            raise TemplateError(f"the transform {name!r} cannot be run locally")
    result.pop("Transform", None)
    return result


_CACHE_KEPT = 16


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bounceback-local"


def _cache_key(template: Mapping[str, Any], parameters: Mapping[str, str]) -> str:
    from samtranslator import __version__ as translator_version  # type: ignore[import-untyped]

    inputs = json.dumps([template, parameters], sort_keys=True, default=str)
    digest = hashlib.sha256(inputs.encode())
    digest.update(translator_version.encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _cached(key: str) -> dict[str, Any] | None:
    try:
        cached = json.loads((_cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return cached if isinstance(cached, dict) else None


def _cache(key: str, result: Mapping[str, Any]) -> None:
    """Best effort: a cache that cannot be written only costs the next start its time."""
    directory = _cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: two stacks starting at once never read half a file.
        with tempfile.NamedTemporaryFile(
            "w", dir=directory, suffix=".tmp", delete=False, encoding="utf-8"
        ) as handle:
            json.dump(result, handle, default=str)
        os.replace(handle.name, directory / f"{key}.json")
        # Every edit of the template leaves a translation behind: keep the newest few.
        by_age = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in by_age[_CACHE_KEPT:]:
            stale.unlink(missing_ok=True)
    except OSError:
        return


def translate_serverless(
    template: Mapping[str, Any], parameters: Mapping[str, str]
) -> dict[str, Any]:
    """AWS::Serverless-2016-10-31 by SAM's own translator, offline.

    AWS managed policies are looked up in the map bundled with samtranslator (no IAM call).
    """
    # Imported here: the translator loads its resource schemas (most of a second), which only
    # a template with the SAM transform needs.
    import boto3
    from samtranslator.metrics.metrics import (  # type: ignore[import-untyped]
        DummyMetricsPublisher,
        Metrics,
    )
    from samtranslator.model.exceptions import (  # type: ignore[import-untyped]
        InvalidDocumentException,
    )
    from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]
    from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]

    sam = copy.deepcopy(dict(template))
    _point_code_at_local_bucket(sam)
    # The translator counts what it does for AWS's own metrics; published to nowhere here,
    # or it warns about unpublished metrics when it is collected.
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator(
        None, Parser(), boto_session=boto3.Session(region_name=REGION), metrics=metrics
    )
    try:
        translated: dict[str, Any] = translator.translate(
            sam,
            parameter_values={**pseudo_parameters(), **parameters},
            get_managed_policy_map=dict,
        )
    except InvalidDocumentException as error:
        causes = "; ".join(cause.message for cause in error.causes)
        raise TemplateError(f"the SAM transform refused the template: {causes}") from error
    finally:
        metrics.publish()
    return translated


def _point_code_at_local_bucket(template: dict[str, Any]) -> None:
    targets: list[tuple[Any, str]] = [
        (resource.get("Properties"), _LOCAL_ARTIFACTS[str(resource.get("Type"))])
        for resource in (template.get("Resources") or {}).values()
        if isinstance(resource, dict) and resource.get("Type") in _LOCAL_ARTIFACTS
    ]
    targets.append((((template.get("Globals") or {}).get("Function")), "CodeUri"))
    for properties, key in targets:
        if not isinstance(properties, dict):
            continue
        location = properties.get(key)
        if isinstance(location, str) and not location.startswith("s3://"):
            properties[key] = f"s3://{LOCAL_CODE_BUCKET}/{location}"


# ---------------------------------------------------------------------------- Fn::ForEach

_FOR_EACH = "Fn::ForEach::"
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def expand_language_extensions(
    template: Mapping[str, Any], parameters: Mapping[str, str]
) -> dict[str, Any]:
    """AWS::LanguageExtensions: every Fn::ForEach loop expanded, as CloudFormation does.

    The transform's other functions (Fn::Length, Fn::ToJsonString, Fn::FindInMap with a
    DefaultValue) are not expanded here: the local stack refuses them where it meets them.
    """
    declared_parameters = template.get("Parameters") or {}
    expanded = dict(template)
    for section in ("Conditions", "Resources", "Outputs"):
        if isinstance(template.get(section), dict):
            expanded[section] = _expand(template[section], declared_parameters, parameters)
    declared = template.get("Transform") or []
    transforms = [declared] if isinstance(declared, str) else list(declared)
    expanded["Transform"] = [name for name in transforms if name != LANGUAGE_EXTENSIONS]
    return expanded


def _expand(node: Any, declared: Mapping[str, Any], parameters: Mapping[str, str]) -> Any:
    if isinstance(node, list):
        return [_expand(item, declared, parameters) for item in node]
    if not isinstance(node, dict):
        return node
    expanded: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(key, str) and key.startswith(_FOR_EACH):
            generated = _for_each(key, value, declared, parameters)
        else:
            generated = {key: _expand(value, declared, parameters)}
        clash = expanded.keys() & generated.keys()
        if clash:
            raise TemplateError(f"{key} produces {', '.join(sorted(clash))} a second time")
        expanded.update(generated)
    return expanded


def _for_each(
    key: str, loop: Any, declared: Mapping[str, Any], parameters: Mapping[str, str]
) -> dict[str, Any]:
    """One loop: the fragment once per item of the collection, the identifier replaced."""
    if not (
        isinstance(loop, list)
        and len(loop) == 3
        and isinstance(loop[0], str)
        and loop[0]
        and isinstance(loop[2], dict)
    ):
        raise TemplateError(f"{key} must be [Identifier, Collection, {{OutputKey: OutputValue}}]")
    identifier, collection, fragment = loop
    if identifier in declared:
        raise TemplateError(f"{key}: the identifier {identifier} is also a parameter's name")
    generated: dict[str, Any] = {}
    for item in _collection(key, collection, declared, parameters):
        # Substituted first, then expanded: an inner loop may use the outer identifier.
        for out_key, out_value in _expand(
            _substitute(fragment, identifier, item), declared, parameters
        ).items():
            if out_key in generated:
                raise TemplateError(f"{key} produces {out_key} more than once")
            generated[out_key] = out_value
    return generated


def _collection(
    key: str, collection: Any, declared: Mapping[str, Any], parameters: Mapping[str, str]
) -> list[str]:
    if isinstance(collection, list) and all(
        isinstance(item, str | int | float | bool) for item in collection
    ):
        return [_as_text(item) for item in collection]
    if isinstance(collection, dict) and set(collection) == {"Ref"}:
        name = collection["Ref"]
        kind = str((declared.get(name) or {}).get("Type", ""))
        if name in parameters and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            return [part.strip() for part in parameters[name].split(",")]
    raise TemplateError(
        f"{key}: the collection must be a list of values or a Ref to a CommaDelimitedList parameter"
    )


def _as_text(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _substitute(node: Any, identifier: str, value: str) -> Any:
    """${Identifier} becomes the value, &{Identifier} the value's letters and digits only, and
    a Ref to the identifier the value itself - in keys and values alike."""
    if isinstance(node, str):
        return node.replace("${" + identifier + "}", value).replace(
            "&{" + identifier + "}", _NOT_ALPHANUMERIC.sub("", value)
        )
    if isinstance(node, list):
        return [_substitute(item, identifier, value) for item in node]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": identifier}:
        return value
    substituted = {
        _substitute(k, identifier, value): _substitute(v, identifier, value)
        for k, v in node.items()
    }
    sub = substituted.get("Fn::Sub")
    if len(substituted) == 1 and isinstance(sub, str) and "${" not in sub:
        # The transform resolves what it can: a Fn::Sub left without variables is its text,
        # which is what lets a loop write !GetAtt [!Sub "${Identifier}Queue", Arn].
        return sub
    return substituted
