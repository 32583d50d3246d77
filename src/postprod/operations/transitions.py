"""Transitions on a cut: dissolves, wipes, pushes, slides and dips; fades next to a gap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.operations.trackwork import (
    cut_between,
)
from postprod.timeline.metadata import (
    TRANSITION_PATTERNS,
    WipeState,
    parse_colour,
    set_wipe,
)
from postprod.timeline.model import (
    rational_time,
)
from postprod.timeline.slots import (
    Where,
    unlocked_track,
)


@dataclass(frozen=True, slots=True)
class AddTransition(Operation):
    """A dissolve (or a wipe, push, slide or dip) of ``frames`` centred on the cut at ``at``."""

    name: ClassVar[str] = "add-transition"
    track: str
    at: int
    frames: int
    wipe: str | None = None  # a pattern of TRANSITION_PATTERNS; None: a dissolve
    colour: str = "black"  # a dip's colour: a name or #RRGGBB

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.frames <= 0:
            raise EditError(f"a transition of {self.frames} frames", fix="give it frames")
        if self.wipe is not None and self.wipe not in TRANSITION_PATTERNS:
            raise EditError(
                f"unknown transition {self.wipe!r}",
                where=self.track,
                fix=f"use one of {', '.join(TRANSITION_PATTERNS)}",
            )
        colour = parse_colour(self.colour, where=self.track)
        track = unlocked_track(timeline, self.track)
        _, incoming = cut_between(track, self.at, where)
        if isinstance(track[incoming.index - 1], otio.schema.Transition):
            raise EditError(
                f"the cut at {where.tc(self.at)} on {self.track} already has a transition",
                where=self.track,
                fix="remove it first",
            )
        before = self.frames // 2
        transition = otio.schema.Transition(
            name=self.wipe or "dissolve",
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=rational_time(before, where.rate),
            out_offset=rational_time(self.frames - before, where.rate),
        )
        if self.wipe:
            set_wipe(transition, WipeState(pattern=self.wipe, colour=colour))
        track.insert(incoming.index, transition)


@dataclass(frozen=True, slots=True)
class RemoveTransition(Operation):
    """Take away the transition on the cut at ``at`` (it becomes a plain cut)."""

    name: ClassVar[str] = "remove-transition"
    track: str
    at: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        _, incoming = cut_between(track, self.at, where)
        if not isinstance(track[incoming.index - 1], otio.schema.Transition):
            raise EditError(
                f"the cut at {where.tc(self.at)} on {self.track} has no transition",
                where=self.track,
                fix="postprod inspect lists the transitions",
            )
        del track[incoming.index - 1]
