"""Transitions on a cut: dissolves, wipes, pushes, slides and dips; fades next to a gap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, param
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
from postprod.timeline.slots import Where, gap, track_length, unlocked_track

#: Where a transition sits on its cut: centred on it, starting at it, or ending at it.
ALIGNMENTS = ("centre", "start", "end")


@dataclass(frozen=True, slots=True)
class AddTransition(Operation):
    """A dissolve (or a wipe, push, slide or dip) of ``frames`` on the cut at ``at``: centred
    on it, starting at it (all on the incoming side) or ending at it (all on the outgoing
    side, as a fade up from black that is at full picture on the cut). At the end of a track
    it is a fade out: a one-frame gap is put after the track to fade into."""

    name: ClassVar[str] = "add-transition"
    track: str
    at: int
    frames: int = param(minimum=1, unit="frames", help="The transition's length.")
    wipe: str | None = None  # a pattern of TRANSITION_PATTERNS; None: a dissolve
    colour: str = "black"  # a dip's colour: a name or #RRGGBB
    align: str = "centre"
    softness: float = param(0.0, minimum=0.0, maximum=1.0, help="A wipe's soft edge.")
    border_px: int = param(0, minimum=0, maximum=100, unit="px", help="A wipe's border.")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.wipe is not None and self.wipe not in TRANSITION_PATTERNS:
            raise EditError(
                f"unknown transition {self.wipe!r}",
                where=self.track,
                fix=f"use one of {', '.join(TRANSITION_PATTERNS)}",
            )
        if self.align not in ALIGNMENTS:
            raise EditError(
                f"unknown alignment {self.align!r}", fix=f"use one of {', '.join(ALIGNMENTS)}"
            )
        colour = parse_colour(self.colour, where=self.track)
        track = unlocked_track(timeline, self.track)
        if self.at == track_length(track, where.rate) and self.at > 0:
            track.append(gap(1, where.rate))  # a fade out: something black to fade into
        _, incoming = cut_between(track, self.at, where)
        if isinstance(track[incoming.index - 1], otio.schema.Transition):
            raise EditError(
                f"the cut at {where.tc(self.at)} on {self.track} already has a transition",
                where=self.track,
                fix="remove it first",
            )
        before = {"centre": self.frames // 2, "start": 0, "end": self.frames}[self.align]
        transition = otio.schema.Transition(
            name=self.wipe or "dissolve",
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=rational_time(before, where.rate),
            out_offset=rational_time(self.frames - before, where.rate),
        )
        if self.wipe:
            wipe = WipeState(self.wipe, self.softness, self.border_px, colour)
            set_wipe(transition, wipe)
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
