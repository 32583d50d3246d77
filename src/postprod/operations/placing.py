"""Placing media on a track: append, insert (ripple), overwrite, replace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.operations.base import Operation
from postprod.operations.timing import carry_sync
from postprod.operations.trackwork import (
    clear,
    media,
    other_tracks,
)
from postprod.timeline.model import (
    to_frames,
)
from postprod.timeline.slots import (
    Where,
    clip_at,
    cut_at,
    gap,
    unlocked_track,
)


@dataclass(frozen=True, slots=True)
class Append(Operation):
    """Put media at the end of a track."""

    name: ClassVar[str] = "append"
    track: str
    media: str
    source_in: int = 0
    duration: int | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        track.append(media(self.media, self.source_in, self.duration, where))


@dataclass(frozen=True, slots=True)
class Insert(Operation):
    """Put media at a frame, pushing everything after it later (ripple)."""

    name: ClassVar[str] = "insert"
    track: str
    at: int
    media: str
    source_in: int = 0
    duration: int | None = None
    sync: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        clip = media(self.media, self.source_in, self.duration, where)
        track = unlocked_track(timeline, self.track)
        track.insert(cut_at(track, self.at, where), clip)
        if self.sync:
            length = to_frames(clip.duration(), where.rate, where=clip.name)
            for other in other_tracks(timeline, track, self.at, where):
                other.insert(cut_at(other, self.at, where), gap(length, where.rate))


@dataclass(frozen=True, slots=True)
class Overwrite(Operation):
    """Put media at a frame over whatever is there; nothing moves."""

    name: ClassVar[str] = "overwrite"
    track: str
    at: int
    media: str
    source_in: int = 0
    duration: int | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        clip = media(self.media, self.source_in, self.duration, where)
        length = to_frames(clip.duration(), where.rate, where=clip.name)
        track = unlocked_track(timeline, self.track)
        index = clear(track, self.at, self.at + length, where)
        track.insert(index, clip)


@dataclass(frozen=True, slots=True)
class Replace(Operation):
    """Put other media in the place of the clip under a frame, for the same length.

    The new clip keeps the old one's sync: its sub-frame slip, its speed (drift
    correction or a speed change) and its link (``timing.carry_sync``).
    """

    name: ClassVar[str] = "replace"
    track: str
    at: int
    media: str
    source_in: int = 0

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        clip = media(self.media, self.source_in, slot.length, where)
        clip.markers.extend(marker.deepcopy() for marker in slot.item.markers)
        carry_sync(slot.item, clip)
        track[slot.index] = clip
