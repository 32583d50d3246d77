"""Cutting and trimming: split, ripple trim, roll, slip, slide, move, new source range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.operations.linking import (
    Partner,
    follow,
    linked_partners,
    partner_tracks,
    partners_of,
    refuse_locked_partners,
)
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
    gap,
    set_source,
    slots,
    source_in,
    unlocked_track,
)
from postprod.timeline.warps import time_scalar, trimmed_first


@dataclass(frozen=True, slots=True)
class Split(Operation):
    """Cut the clip under a frame in two (the razor)."""

    name: ClassVar[str] = "split"
    track: str
    at: int
    linked: bool = True  # its linked clips are cut at the same frame

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        if slot.start == self.at:
            raise EditError(
                f"{where.tc(self.at)} is already a cut on track {self.track}",
                where=slot.item.name,
                fix="split at a frame inside the clip",
            )
        partners = partners_of(timeline, track, self.at, where, self.linked)
        cut_at(track, self.at, where)
        follow(timeline, where, partners, lambda partner: _split_partner(partner, self.at))


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
    linked: bool = True  # its linked clips are trimmed by as much

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.edge not in ("in", "out"):
            raise EditError(f"trim edge {self.edge!r}", fix="trim the in or the out edge")
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        partners = partners_of(timeline, track, self.at, where, self.linked)
        speed = time_scalar(slot.item)
        first = trimmed_first(
            source_in(slot.item, where.rate), slot.length, self.edge, self.by, speed
        )
        if self.edge == "in":
            refuse_shorter(slot, self.by, where)
            set_source(slot.item, first, slot.length - self.by, where.rate)
            change, at = -self.by, slot.start
        else:
            refuse_shorter(slot, -self.by, where)
            set_source(slot.item, first, slot.length + self.by, where.rate)
            change, at = self.by, slot.end + min(self.by, 0)
        follow(
            timeline,
            where,
            partners,
            lambda p: Trim(p.track.name, p.slot.start, self.edge, self.by, linked=False),
        )
        if self.sync and change:
            linked = partner_tracks(partners)  # trimmed with their clip, not rippled again
            for other in other_tracks(timeline, track, at, where):
                if id(other) in linked:
                    continue
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
    linked: bool = True  # linked clips with a cut at the same frame roll it too

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        left, right = cut_between(track, self.at, where)
        partners = [
            partner
            for side in (left, right)
            if self.linked and not side.is_gap
            for partner in linked_partners(timeline, track, side, where)
            if self.at in (partner.slot.start, partner.slot.end)
            and any(item.start == self.at for item in slots(partner.track, where.rate)[1:])
        ]
        refuse_locked_partners(partners, where)
        move_boundary(left, right, self.by, where)
        once = {id(partner.track): partner for partner in partners}  # one roll per track
        follow(
            timeline,
            where,
            once.values(),
            lambda p: Roll(p.track.name, self.at, self.by, linked=False),
        )


@dataclass(frozen=True, slots=True)
class Slip(Operation):
    """Show other frames of the media in the same place: the source range moves by ``by``."""

    name: ClassVar[str] = "slip"
    track: str
    at: int
    by: int
    linked: bool = True  # its linked clips slip by as much

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(unlocked_track(timeline, self.track), self.at, where)
        first = source_in(slot.item, where.rate)
        set_source(slot.item, first + self.by, slot.length, where.rate)
        follow(
            timeline,
            where,
            partners_of(timeline, slot.item.parent(), self.at, where, self.linked),
            lambda p: Slip(p.track.name, p.slot.start, self.by, linked=False),
        )


@dataclass(frozen=True, slots=True)
class Slide(Operation):
    """Move a clip along the track by ``by`` frames; its neighbours give and take the time."""

    name: ClassVar[str] = "slide"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
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
    linked: bool = True  # its linked clips move by as much, each on its own track

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        partners = partners_of(timeline, track, self.at, where, self.linked)
        slot = detach(track, self.at, where)
        clip = slot.item.deepcopy()
        track[slot.index] = gap(slot.length, where.rate)
        target = unlocked_track(timeline, self.to_track or self.track)
        index = clear(target, self.to, self.to + slot.length, where)
        target.insert(index, clip)
        shift = self.to - slot.start
        follow(
            timeline,
            where,
            partners,
            lambda p: _move_partner(p, shift, where),
            latest_first=shift > 0,  # a move clears where it lands: move the leading one first
        )


def _split_partner(partner: Partner, at: int) -> Split | None:
    """A split of a linked clip at ``at``, if ``at`` falls inside it."""
    slot = partner.slot
    return Split(partner.track.name, at, linked=False) if slot.start < at < slot.end else None


def _move_partner(partner: Partner, shift: int, where: Where) -> Move:
    """A move of a linked clip by ``shift`` frames on its own track."""
    slot = partner.slot
    if slot.start + shift < 0:
        raise EditError(
            f"{slot.item.name} on {partner.track.name}, linked to the clip moved, would start "
            f"{-(slot.start + shift)} frames before the programme",
            where=slot.item.name,
            fix="move it less far, or move it --unlinked",
        )
    return Move(partner.track.name, slot.start, slot.start + shift, linked=False)


@dataclass(frozen=True, slots=True)
class SetRange(Operation):
    """Give the clip under ``at`` new in and out points (source frames, out exclusive); ripple."""

    name: ClassVar[str] = "set-range"
    track: str
    at: int
    source_in: int
    source_out: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(unlocked_track(timeline, self.track), self.at, where)
        if self.source_out <= self.source_in:
            raise EditError(
                f"out point {self.source_out} is not after in point {self.source_in}",
                where=slot.item.name,
                fix="give OUT after IN",
            )
        first = media_first(slot.item, where)
        set_source(slot.item, first + self.source_in, self.source_out - self.source_in, where.rate)
