"""What EventBridge sends to a rule's target: the event in its own shape, or what the target's
Input, InputPath or InputTransformer makes of it.

Used for both kinds of target the local stack delivers to: the template's functions (the
router) and its queues (the embedded EventBridge, whose SQS delivery goes through here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bounceback_local.cloudformation import ACCOUNT_ID

# The fields of an EventBridge event, in the order EventBridge writes them.
EVENT_FIELDS = (
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
)


def event_time(value: Any) -> str:
    """An event's ``time`` as EventBridge writes it (moto keeps epoch seconds internally)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def normalise_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The event as EventBridge delivers it to a target.

    moto's own delivery leaves out `account` (its default input template has no such field)
    and may keep its bookkeeping fields (`ingestion-time`); put back the exact shape.
    """
    event = {**raw, "account": raw.get("account") or ACCOUNT_ID}
    if "time" in event:
        event["time"] = event_time(event["time"])
    return {name: event[name] for name in EVENT_FIELDS if name in event}


_PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]")


def value_at(event: Any, path: str) -> tuple[bool, Any]:
    """The value at a JSONPath such as ``$.detail.user_id`` or ``$.resources[0]``
    (the simple paths EventBridge takes); (False, None) when there is none."""
    rest = path.strip()
    if not rest.startswith("$"):
        raise ValueError(f"not a JSONPath: {path!r}")
    rest = rest[1:]
    value = event
    while rest:
        step = _PATH_STEP.match(rest)
        if step is None:
            raise ValueError(f"unsupported JSONPath: {path!r}")
        rest = rest[step.end() :]
        key, index, quoted = step.groups()
        if index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                return False, None
            value = value[int(index)]
            continue
        name = key if key is not None else quoted
        if not isinstance(value, dict) or name not in value:
            return False, None
        value = value[name]
    return True, value


def _inside_string(text: str) -> bool:
    """Whether ``text``, read as the start of a JSON document, ends inside a string."""
    inside = False
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and inside:
            escaped = True
        elif char == '"':
            inside = not inside
    return inside


_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def render_input_template(
    template: str,
    paths: Mapping[str, str],
    event: Mapping[str, Any],
    rule_name: str = "",
    rule_arn: str = "",
) -> str:
    """An InputTransformer's output, as EventBridge renders it.

    A placeholder inside a JSON string takes the value's text (a string as it is, escaped);
    outside one it takes the value as JSON, so ``{"id": <id>}`` gives a quoted string.
    A path that is absent from the event gives null (an empty string inside quotes).
    """
    values: dict[str, tuple[bool, Any]] = {
        name: value_at(event, path) for name, path in paths.items()
    }
    values.setdefault("aws.events.rule-name", (True, rule_name))
    values.setdefault("aws.events.rule-arn", (True, rule_arn))
    values.setdefault("aws.events.event.json", (True, dict(event)))
    values.setdefault("aws.events.event.ingestion-time", (True, event.get("time")))
    rendered: list[str] = []
    position = 0
    for placeholder in _PLACEHOLDER.finditer(template):
        if placeholder.group(1) not in values:
            continue
        before = template[position : placeholder.start()]
        rendered.append(before)
        found, value = values[placeholder.group(1)]
        if _inside_string("".join(rendered)):
            text = value if isinstance(value, str) else json.dumps(value) if found else ""
            rendered.append(json.dumps(text)[1:-1])
        else:
            rendered.append(json.dumps(value if found else None))
        position = placeholder.end()
    rendered.append(template[position:])
    return "".join(rendered)


def target_payload(
    target: Mapping[str, Any], event: Mapping[str, Any], rule_name: str = "", rule_arn: str = ""
) -> str:
    """The text a target receives (an SQS message body): the event as JSON, or what the
    target's Input (as written), InputPath or InputTransformer makes of it."""
    shaped = normalise_event(event)
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath") is not None:
        found, value = value_at(shaped, str(target["InputPath"]))
        return json.dumps(value if found else None)
    transformer = target.get("InputTransformer")
    if transformer is not None:
        return render_input_template(
            str(transformer.get("InputTemplate", "")),
            transformer.get("InputPathsMap") or {},
            shaped,
            rule_name,
            rule_arn,
        )
    return json.dumps(shaped)
