"""What every operation is: a small frozen object of plain values that changes a timeline.

An operation holds its parameters as typed fields (track names, record frames
counted from the programme's first frame, media paths, decibels), so it can be
written to the undo journal and replayed. A numeric field may say its unit and
range with :func:`param`; :meth:`Operation.check` refuses a value outside it (and
NaN or infinity) before anything changes. :func:`apply_operations` runs
operations on a copy of the timeline, tidies and checks the result
(``postprod.timeline.validate``) and returns the copy: an operation that would
break the timeline is refused with an error naming the clip and timecode, and
the original is left untouched. Undo is by snapshot (``postprod.project.History``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.trackwork import tidy_gaps
from postprod.timeline.slots import Where
from postprod.timeline.validate import check_timeline


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of an operation, as a front end shows it (help, forms, sliders)."""

    name: str
    kind: str  # the annotation as written: "float", "str | None", ...
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    default: Any = None
    required: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def param(
    default: Any = MISSING,
    *,
    unit: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    help: str = "",
) -> Any:
    """A dataclass field with a unit, a range and a line of help."""
    metadata = {"unit": unit, "minimum": minimum, "maximum": maximum, "help": help}
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


class Operation:
    """One change: ``run`` changes the timeline in place (on the copy apply_operations made)."""

    name: ClassVar[str]

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        raise NotImplementedError

    def check(self) -> None:
        """Refuse numbers outside their declared range (and NaN, infinity) before any change."""
        for spec in self.parameters():
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            bad = not math.isfinite(value)
            bad |= spec.minimum is not None and value < spec.minimum
            bad |= spec.maximum is not None and value > spec.maximum
            if bad:
                low = "-inf" if spec.minimum is None else f"{spec.minimum:g}"
                high = "inf" if spec.maximum is None else f"{spec.maximum:g}"
                raise EditError(
                    f"{self.name}: {spec.name} {value} is out of range",
                    where=self.name,
                    fix=f"give {spec.name} from {low} to {high} {spec.unit}".rstrip(),
                )

    @classmethod
    def parameters(cls) -> tuple[Parameter, ...]:
        """The operation's parameters with their units and ranges."""
        return tuple(_parameter(item) for item in fields(cls))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The operation as JSON-ready data (its name under ``"op"``)."""
        return {"op": self.name, **asdict(self)}  # type: ignore[call-overload]

    def describe(self) -> str:
        """One line for the journal, the log and the terminal."""
        values = ", ".join(
            f"{key}={value!r}" if isinstance(value, str) and "\n" in value else f"{key}={value}"
            for key, value in asdict(self).items()  # type: ignore[call-overload]
        )
        return f"{self.name} {values}"


def _parameter(item: Field[Any]) -> Parameter:
    meta = item.metadata
    default = None if item.default is MISSING else item.default
    return Parameter(
        item.name,
        str(item.type),
        str(meta.get("unit", "")),
        meta.get("minimum"),
        meta.get("maximum"),
        str(meta.get("help", "")),
        default,
        item.default is MISSING and item.default_factory is MISSING,
    )


def apply_operations(
    timeline: otio.schema.Timeline,
    operations: Operation | Iterable[Operation],
    *,
    folder: Path | None = None,
) -> otio.schema.Timeline:
    """``timeline`` changed by ``operations`` in turn, checked; the original is not touched.

    ``folder`` is the project's: media paths in operations are relative to it. The
    first operation that is refused refuses the whole batch.
    """
    batch = [operations] if isinstance(operations, Operation) else list(operations)
    result = timeline.deepcopy()
    for operation in batch:
        operation.check()
        where = Where.of(result, folder)
        operation.run(result, where)
        for track in result.tracks:
            tidy_gaps(track, where)
    check_timeline(result)
    return result


__all__ = ["Operation", "Parameter", "apply_operations", "param"]
