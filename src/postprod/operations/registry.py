"""Every operation by name: what the journal, ``edit --script`` and the front ends look up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from types import MappingProxyType
from typing import Any

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.operations.clip import CLIP_OPERATIONS
from postprod.operations.linking import Link, Unlink
from postprod.operations.markers import AddMarker, RemoveMarker
from postprod.operations.media import AddClip, AddTwin, SetMedia
from postprod.operations.mixer import MIXER_OPERATIONS
from postprod.operations.multicam import MULTICAM_OPERATIONS
from postprod.operations.picture import AddTitle, SetPicture
from postprod.operations.placing import Append, Insert, Overwrite, Replace
from postprod.operations.project import SetTimeline
from postprod.operations.removing import CloseGaps, Extract, ExtractRange, JumpCut, Lift
from postprod.operations.rhythm import RHYTHM_OPERATIONS
from postprod.operations.timing import Freeze, Reverse, Speed
from postprod.operations.tracks import TRACK_OPERATIONS
from postprod.operations.transitions import AddTransition, RemoveTransition
from postprod.operations.trimming import Move, Roll, SetRange, Slide, Slip, Split, Trim

_FAMILIES: tuple[type[Operation], ...] = (
    Append,
    Insert,
    Overwrite,
    Replace,
    AddClip,
    AddTwin,
    SetMedia,
    Lift,
    Extract,
    ExtractRange,
    JumpCut,
    Split,
    Trim,
    Roll,
    Slip,
    Slide,
    Move,
    SetRange,
    AddTransition,
    RemoveTransition,
    SetPicture,
    AddTitle,
    AddMarker,
    RemoveMarker,
    CloseGaps,
    Speed,
    Freeze,
    Reverse,
    Link,
    Unlink,
    SetTimeline,
    *TRACK_OPERATIONS,
    *MIXER_OPERATIONS,
    *CLIP_OPERATIONS,
    *MULTICAM_OPERATIONS,
    *RHYTHM_OPERATIONS,
)

#: name -> operation class, for every operation a project can journal.
OPERATIONS: Mapping[str, type[Operation]] = MappingProxyType(
    {kind.name: kind for kind in _FAMILIES}
)


def operation_from_dict(data: Mapping[str, Any]) -> Operation:
    """An operation from :meth:`Operation.to_dict` data (the journal's lines, a script's)."""
    values = dict(data)
    name = values.pop("op", None)
    kind = OPERATIONS.get(str(name))
    if kind is None:
        raise EditError(
            f"unknown operation {name!r}",
            fix=f"use one of: {', '.join(sorted(OPERATIONS))}",
        )
    known = {item.name for item in fields(kind)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        raise EditError(
            f"operation {name} has no parameter {', '.join(unknown)}",
            fix=f"its parameters are: {', '.join(sorted(known))}",
        )
    arguments = {
        key: _tuples(value) if isinstance(value, list) else value for key, value in values.items()
    }
    make: Callable[..., Operation] = kind
    try:
        return make(**arguments)
    except TypeError as error:
        raise EditError(f"operation {name} is missing a value ({error})") from None


def _tuples(value: list[Any]) -> tuple[Any, ...]:
    """JSON lists back to the tuples the operations hold (nested too)."""
    return tuple(_tuples(item) if isinstance(item, list) else item for item in value)
