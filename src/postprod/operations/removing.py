"""Taking material away: lift, extract (ripple delete), a range out of every track, jump cuts, closing gaps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.operations.linking import follow, partner_tracks, partners_of
from postprod.operations.trackwork import (
    detach,
    other_tracks,
    remove_range,
    touches_transition,
)
from postprod.timeline.slots import (
    Where,
    gap,
    slots,
    unlocked_track,
    unlocked_tracks,
)


@dataclass(frozen=True, slots=True)
class Lift(Operation):
    """Take the clip under a frame away, leaving a gap (nothing moves)."""

    name: ClassVar[str] = "lift"
    track: str
    at: int
    linked: bool = True  # its linked clips go too

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        partners = partners_of(timeline, track, self.at, where, self.linked)
        slot = detach(track, self.at, where)
        track[slot.index] = gap(slot.length, where.rate)
        follow(timeline, where, partners, lambda p: Lift(p.track.name, p.slot.start, linked=False))


@dataclass(frozen=True, slots=True)
class Extract(Operation):
    """Take the clip under a frame away and close the hole (ripple delete)."""

    name: ClassVar[str] = "extract"
    track: str
    at: int
    sync: bool = False
    linked: bool = True  # its linked clips are extracted too, each closing up its own track

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        partners = partners_of(timeline, track, self.at, where, self.linked)
        slot = detach(track, self.at, where)
        del track[slot.index]
        follow(
            timeline, where, partners, lambda p: Extract(p.track.name, p.slot.start, linked=False)
        )
        if self.sync:
            linked = partner_tracks(partners)  # closed up by their own clip's length
            for other in other_tracks(timeline, track, slot.start, where):
                if id(other) not in linked:
                    remove_range(other, slot.start, slot.end, where)


@dataclass(frozen=True, slots=True)
class ExtractRange(Operation):
    """Take record frames ``start`` .. ``end`` out of tracks and close up (ripple)."""

    name: ClassVar[str] = "extract-range"
    start: int
    end: int
    tracks: tuple[str, ...] = ()  # none: every track that is not locked

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.end <= self.start:
            raise EditError(
                f"range {where.tc(self.start)}-{where.tc(self.end)} is empty",
                fix="give OUT after IN",
            )
        chosen = [unlocked_track(timeline, name) for name in self.tracks]
        for track in chosen or unlocked_tracks(timeline):
            remove_range(track, self.start, self.end, where)


@dataclass(frozen=True, slots=True)
class JumpCut(Operation):
    """Take several stretches of record frames out of every track at once (jump cuts);
    a locked track stays as it is."""

    name: ClassVar[str] = "jump-cut"
    ranges: tuple[tuple[int, int], ...]

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        for start, end in sorted(self.ranges, reverse=True):
            ExtractRange(start, end).run(timeline, where)

    def describe(self) -> str:
        removed = sum(end - start for start, end in self.ranges)
        return f"{self.name}: {len(self.ranges)} cuts, {removed} frames taken out"


@dataclass(frozen=True, slots=True)
class CloseGaps(Operation):
    """Take the gaps out of tracks so the clips play one after another (compress time).

    A gap next to a transition is a fade to or from black and stays.
    """

    name: ClassVar[str] = "close-gaps"
    tracks: tuple[str, ...] = ()  # none: every track that is not locked

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        chosen = [unlocked_track(timeline, name) for name in self.tracks]
        for track in chosen or unlocked_tracks(timeline):
            for slot in reversed(slots(track, where.rate)):
                if slot.is_gap and not touches_transition(track, slot.index):
                    del track[slot.index]
