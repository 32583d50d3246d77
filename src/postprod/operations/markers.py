"""Markers on the programme: a time, a name, a colour and a note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.timeline.model import (
    time_range,
    to_frames,
)
from postprod.timeline.slots import (
    Where,
)


@dataclass(frozen=True, slots=True)
class AddMarker(Operation):
    """A marker on the programme at ``at``: a name, a colour and a note (a spotting note)."""

    name: ClassVar[str] = "add-marker"
    at: int
    label: str
    colour: str = "RED"
    note: str = ""
    duration: int = 0

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        colour = self.colour.upper()
        if not hasattr(otio.schema.MarkerColor, colour):
            names = [c for c in dir(otio.schema.MarkerColor) if c.isupper()]
            raise EditError(f"unknown marker colour {self.colour!r}", fix=f"use {names}")
        marker = otio.schema.Marker(
            name=self.label,
            marked_range=time_range(self.at, self.duration, where.rate),
            color=getattr(otio.schema.MarkerColor, colour),
            comment=self.note,
        )
        timeline.tracks.markers.append(marker)


@dataclass(frozen=True, slots=True)
class RemoveMarker(Operation):
    """Take away the programme's markers called ``label`` (or, with ``at``, only the one there)."""

    name: ClassVar[str] = "remove-marker"
    label: str
    at: int | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        ours = list(timeline.tracks.markers)
        keep = [
            marker
            for marker in ours
            if marker.name != self.label
            or (
                self.at is not None
                and to_frames(marker.marked_range.start_time, where.rate, where=marker.name)
                != self.at
            )
        ]
        if len(keep) == len(ours):
            raise EditError(
                f"no marker {self.label!r}"
                + (f" at {where.tc(self.at)}" if self.at is not None else ""),
                fix="postprod edit PROJECT markers lists them",
            )
        timeline.tracks.markers[:] = keep
