"""OTIO files written by a newer OpenTimelineIO than the one installed.

OTIO upgrades older schema versions on read but refuses newer ones. A newer file is read by
labelling each object of a newer schema version with the version installed (its fields are
kept: unknown ones stay on the object as OTIO's dynamic fields) and saying so once; a file
whose objects still cannot be read that way is refused as before.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

from postprod.interchange.losses import InterchangeWarning

if TYPE_CHECKING:
    from postprod.interchange.formats import Format


def read_otio(fmt: Format, source: Path, rate: float | None, options: dict[str, Any]) -> Any:
    """An .otio file; one of a newer schema read through the installed schema versions."""
    try:
        return otio.adapters.read_from_file(str(source), adapter_name=fmt.adapter, **options)
    except otio.exceptions.UnsupportedSchemaError:
        data = json.loads(source.read_text(encoding="utf-8"))
    installed = otio.core.type_version_map()
    newer: dict[str, str] = {}
    _relabel(data, installed, newer)
    if not newer:
        raise otio.exceptions.UnsupportedSchemaError(f"{source.name}: an unknown schema")
    warnings.warn(
        InterchangeWarning(
            f"{source.name} was written by a newer OpenTimelineIO: read "
            + ", ".join(f"{new} as {old}" for new, old in sorted(newer.items()))
        ),
        stacklevel=2,
    )
    return otio.adapters.read_from_string(json.dumps(data), adapter_name=fmt.adapter)


_MARKER_COLOURS = {
    "PINK", "RED", "ORANGE", "YELLOW", "GREEN", "CYAN", "BLUE", "PURPLE", "MAGENTA", "BLACK", "WHITE"
}  # fmt: skip


def _colour_as_name(item: dict[str, Any]) -> None:
    """A newer object's ``Color`` object (Marker.3) as the colour name older versions hold."""
    colour = item.get("color")
    if isinstance(colour, dict) and colour.get("OTIO_SCHEMA", "").startswith("Color."):
        name = str(colour.get("name") or "").upper()
        item["color"] = name if name in _MARKER_COLOURS else "RED"


def _relabel(node: Any, installed: dict[str, int], newer: dict[str, str]) -> None:
    """Each ``OTIO_SCHEMA`` of a newer version than installed relabelled, in place."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            label = item.get("OTIO_SCHEMA")
            if isinstance(label, str) and "." in label:
                name, _, version = label.rpartition(".")
                known = installed.get(name)
                if known is not None and version.isdigit() and int(version) > known:
                    item["OTIO_SCHEMA"] = f"{name}.{known}"
                    newer[label] = item["OTIO_SCHEMA"]
                    _colour_as_name(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
