"""A clip's picture on the frame (split screens, picture-in-picture) and titles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.operations.trackwork import (
    clear,
)
from postprod.timeline.build import title_clip
from postprod.timeline.metadata import (
    PICTURE_LAYOUTS,
    PictureState,
    picture_state,
    set_picture_state,
)
from postprod.timeline.placement import video_track
from postprod.timeline.slots import (
    Where,
    clip_at,
    unlocked_track,
)


@dataclass(frozen=True, slots=True)
class SetPicture(Operation):
    """Place the picture of the clip under ``at``: a ready layout (split screen halves, quad
    quarters, a corner picture-in-picture), with any of crop, scale, position and opacity
    set over it (``values``: (name, value) pairs of :class:`PictureState`: numbers, and the
    ``fit`` of a picture of another shape). Without a layout the clip keeps its placement
    and only the given values change; a layout starts from that layout."""

    name: ClassVar[str] = "picture"
    track: str
    at: int
    layout: str | None = None
    values: tuple[tuple[str, float | str], ...] = ()

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(unlocked_track(timeline, self.track), self.at, where)
        base = None if self.layout is None else PICTURE_LAYOUTS.get(self.layout)
        if self.layout is not None and base is None:
            raise EditError(
                f"unknown layout {self.layout!r}", fix=f"use one of {', '.join(PICTURE_LAYOUTS)}"
            )
        known = set(PictureState.__dataclass_fields__)
        unknown = [key for key, _ in self.values if key not in known]
        if unknown:
            raise EditError(f"unknown picture setting {unknown[0]!r}", fix=f"use {sorted(known)}")
        if not isinstance(slot.item, otio.schema.Clip):
            raise EditError("only a clip has a picture to place", where=self.track)
        start = picture_state(slot.item) if base is None else base
        state = PictureState.from_dict({**start.to_dict(), **dict(self.values)}, slot.item.name)
        set_picture_state(slot.item, state)


@dataclass(frozen=True, slots=True)
class AddTitle(Operation):
    """A title of ``frames`` at ``at`` over whatever the track has there (the track is made
    if the timeline has none): a full-frame card, or keyed over the picture below (a lower
    third, or centred) when it sits on a track above it. ``\\n`` separates lines."""

    name: ClassVar[str] = "title"
    track: str
    at: int
    frames: int
    text: str
    style: str = "card"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        clip = title_clip(self.text, self.frames, where.rate, style=self.style)
        track = video_track(timeline, self.track)
        index = clear(track, self.at, self.at + self.frames, where)
        track.insert(index, clip)
