"""Cutting and trimming: split, ripple trim, roll, slip, slide, move, new source range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.operations.trackwork import (
    clear,
    cut_between,
    detach,
    media_first,
    move_boundary,
    other_tracks,
    refuse_shorter,
    remove_range,
)
from postprod.timeline.slots import (
    Where,
    clip_at,
    cut_at,
    find_track,
    gap,
    set_source,
    slots,
    source_in,
)


@dataclass(frozen=True, slots=True)
class Split(Operation):
    """Cut the clip under a frame in two (the razor)."""

    name: ClassVar[str] = "split"
    track: str
    at: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        if slot.start == self.at:
            raise EditError(
                f"{where.tc(self.at)} is already a cut on track {self.track}",
                where=slot.item.name,
                fix="split at a frame inside the clip",
            )
        cut_at(track, self.at, where)


@dataclass(frozen=True, slots=True)
class Trim(Operation):
    """Move a clip's in or out point by ``by`` frames; what follows moves with it (ripple).

    ``by`` > 0 moves the point later: a later in point shortens the clip, a
    later out point lengthens it.
    """

    name: ClassVar[str] = "trim"
    track: str
    at: int
    edge: Literal["in", "out"]
    by: int
    sync: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.edge not in ("in", "out"):
            raise EditError(f"trim edge {self.edge!r}", fix="trim the in or the out edge")
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        first = source_in(slot.item, where.rate)
        if self.edge == "in":
            refuse_shorter(slot, self.by, where)
            set_source(slot.item, first + self.by, slot.length - self.by, where.rate)
            change, at = -self.by, slot.start
        else:
            refuse_shorter(slot, -self.by, where)
            set_source(slot.item, first, slot.length + self.by, where.rate)
            change, at = self.by, slot.end + min(self.by, 0)
        if self.sync and change:
            for other in other_tracks(timeline, track, at, where):
                if change > 0:
                    other.insert(cut_at(other, at, where), gap(change, where.rate))
                else:
                    remove_range(other, at, at - change, where)


@dataclass(frozen=True, slots=True)
class Roll(Operation):
    """Move the cut at frame ``at`` by ``by`` frames: one side gets longer, the other shorter."""

    name: ClassVar[str] = "roll"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        move_boundary(*cut_between(track, self.at, where), self.by, where)


@dataclass(frozen=True, slots=True)
class Slip(Operation):
    """Show other frames of the media in the same place: the source range moves by ``by``."""

    name: ClassVar[str] = "slip"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(find_track(timeline, self.track), self.at, where)
        first = source_in(slot.item, where.rate)
        set_source(slot.item, first + self.by, slot.length, where.rate)


@dataclass(frozen=True, slots=True)
class Slide(Operation):
    """Move a clip along the track by ``by`` frames; its neighbours give and take the time."""

    name: ClassVar[str] = "slide"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        found = slots(track, where.rate)
        position = found.index(slot)
        if position == 0 or position == len(found) - 1:
            raise EditError(
                f"{slot.item.name} at {where.tc(slot.start)} has no neighbour on one side",
                where=slot.item.name,
                fix="slide a clip that has items before and after it, or use move",
            )
        move_boundary(found[position - 1], found[position + 1], self.by, where)


@dataclass(frozen=True, slots=True)
class Move(Operation):
    """Take the clip under ``at`` away (leaving a gap) and put it at ``to`` over what is there."""

    name: ClassVar[str] = "move"
    track: str
    at: int
    to: int
    to_track: str | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = detach(track, self.at, where)
        clip = slot.item.deepcopy()
        track[slot.index] = gap(slot.length, where.rate)
        target = find_track(timeline, self.to_track or self.track)
        index = clear(target, self.to, self.to + slot.length, where)
        target.insert(index, clip)


@dataclass(frozen=True, slots=True)
class SetRange(Operation):
    """Give the clip under ``at`` new in and out points (source frames, out exclusive); ripple."""

    name: ClassVar[str] = "set-range"
    track: str
    at: int
    source_in: int
    source_out: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(find_track(timeline, self.track), self.at, where)
        if self.source_out <= self.source_in:
            raise EditError(
                f"out point {self.source_out} is not after in point {self.source_in}",
                where=slot.item.name,
                fix="give OUT after IN",
            )
        first = media_first(slot.item, where)
        set_source(slot.item, first + self.source_in, self.source_out - self.source_in, where.rate)
