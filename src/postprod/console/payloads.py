"""Request bodies read strictly, and answers made JSON-safe.

Every refusal is a :class:`BadRequest` with one line (the API answers it as 400
``{"error": line}``), raised before anything changes. An operation's values are
checked against the types its fields declare (a frame is an integer, a level a
number, a name text), so a wrong type is a clear refusal, not an internal error
deep in an edit. :func:`json_safe` turns what JSON cannot hold (NaN, infinities:
the loudness of silence) into ``null``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from postprod.errors import PostprodError
from postprod.operations import OPERATIONS, Operation, operation_from_dict


class BadRequest(PostprodError):
    """A request the console cannot act on (malformed JSON, wrong shapes, wrong types)."""


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}``)."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"the request body is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return data


_SIMPLE: Mapping[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
}


def _fits(value: Any, kind: str) -> bool:
    """Whether a JSON value can be a field of the declared ``kind`` (unknown kinds: yes)."""
    options = [option.strip() for option in kind.split("|")] if "[" not in kind else [kind]
    if "None" in options:
        if value is None:
            return True
        options.remove("None")
    for option in options:
        literal = re.fullmatch(r"Literal\[(.*)\]", option)
        if literal:
            return isinstance(value, str) and repr(value) in {
                part.strip() for part in literal.group(1).split(",")
            }
        if option.startswith("tuple["):
            return isinstance(value, list)
        types = _SIMPLE.get(option)
        if types is None:
            return True  # a structured value: the operation checks it
        if isinstance(value, bool) and bool not in types:
            return False
        if isinstance(value, types):
            return True
    return False


def operation(data: Any) -> Operation:
    """One operation from ``{"op": name, ...}``, its values of the declared types."""
    if not isinstance(data, dict):
        raise BadRequest('each operation must be an object like {"op": "split", ...}')
    name = data.get("op")
    kind = OPERATIONS.get(str(name))
    if kind is not None:
        for spec in kind.parameters():
            if spec.name in data and not _fits(data[spec.name], spec.kind):
                raise BadRequest(
                    f"operation {name}: {spec.name} must be {spec.kind}, "
                    f"not {json.dumps(data[spec.name])}"
                )
    return operation_from_dict(data)


def operations(body: dict[str, Any]) -> tuple[list[Operation], str]:
    """The operations and the description of an ``/api/apply`` body."""
    items = body.get("operations")
    if not isinstance(items, list) or not items:
        raise BadRequest('give "operations": a list of one or more operations')
    description = body.get("description", "")
    if not isinstance(description, str):
        raise BadRequest('"description" must be text')
    return [operation(item) for item in items], description


def frame_range(body: dict[str, Any]) -> tuple[int, int]:
    """``start_frame`` and ``end_frame`` (whole frames, start before end)."""
    start, end = body.get("start_frame"), body.get("end_frame")
    for name, value in (("start_frame", start), ("end_frame", end)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadRequest(f"{name} must be a whole number of frames from 0")
    assert isinstance(start, int) and isinstance(end, int)
    if end <= start:
        raise BadRequest("end_frame must come after start_frame")
    return start, end


def text(body: Mapping[str, Any], name: str) -> str:
    """A required text field."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadRequest(f'give "{name}" as text')
    return value


def whole(value: str | None, name: str, default: int, *, low: int, high: int) -> int:
    """A query parameter as a whole number within ``low..high`` (``default`` if absent)."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise BadRequest(f"{name} must be from {low} to {high}")
    return number


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


__all__ = [
    "BadRequest",
    "frame_range",
    "json_object",
    "json_safe",
    "operation",
    "operations",
    "text",
    "whole",
]
