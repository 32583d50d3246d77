"""Changing time: a clip's speed (slow, fast, reverse) and freeze frames, picture and sound together.

A speed change is an OTIO ``LinearTimeWarp`` on the clip (``timeline.warps``);
the clip keeps its source frames and its record length becomes
``source frames * 100 / percent`` (whole frames), so a clip at 50 % lasts twice
as long and shows each frame twice. Its linked sound (``operations.linking``)
gets the same change: varispeed (pitch follows, as tape) or time-stretch
(Rubber Band, pitch kept), stored as ``ClipState.speed_mode``. A sound clip
that already runs at a speed of its own (``sync -o``'s drift correction) keeps
it: the change multiplies it. A reversed clip's sound plays backwards, in sync
with its picture (the planner and ``render.mix`` read it from its end).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import ClassVar, Literal

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, param
from postprod.operations.linking import Partner, partners_of
from postprod.operations.trackwork import detach
from postprod.timeline.metadata import SPEED_MODES, clip_state, link_of, set_clip_state, set_link
from postprod.timeline.slots import (
    Slot,
    Where,
    clip_at,
    cut_at,
    gap,
    set_source,
    slots,
    source_in,
    unlocked_track,
)
from postprod.timeline.warps import set_time_scalar, source_frame, time_scalar


@dataclass(frozen=True, slots=True)
class Speed(Operation):
    """Play the clip under ``at`` at ``percent`` % (negative: backwards), its sound with it.

    Later clips on its track (and its partners' tracks) move up or back (ripple);
    with ``ripple`` False nothing else moves: a shorter clip leaves a gap, a longer
    one needs a gap after it to grow into (the transitions on its cuts go).
    """

    name: ClassVar[str] = "speed"
    track: str
    at: int
    percent: float = param(
        unit="%", minimum=-10000, maximum=10000, help="100 is as recorded, 50 half speed"
    )
    mode: Literal["varispeed", "stretch"] = "varispeed"
    ripple: bool = True
    linked: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.mode not in SPEED_MODES:
            raise EditError(f"speed mode {self.mode!r}", fix=f"use one of {', '.join(SPEED_MODES)}")
        if abs(self.percent) < 1:
            raise EditError(
                f"speed {self.percent:g} % is too close to a stop",
                where=self.track,
                fix="give 1 % or more (freeze holds a frame)",
            )
        speed = Fraction(str(self.percent)) / 100
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        now = time_scalar(slot.item)
        if now == 0:
            raise EditError(
                f"{slot.item.name} at {where.tc(slot.start)} is a freeze frame",
                where=slot.item.name,
                fix="change the speed of a moving clip",
            )
        factor = speed / now
        _retime_linked(timeline, track, slot, factor, self.ripple, self.linked, where, self.mode)


@dataclass(frozen=True, slots=True)
class Reverse(Operation):
    """Play the clip under ``at`` backwards (again: forwards), at the speed it has."""

    name: ClassVar[str] = "reverse"
    track: str
    at: int
    linked: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        _retime_linked(timeline, track, slot, Fraction(-1), True, self.linked, where, None)


@dataclass(frozen=True, slots=True)
class Freeze(Operation):
    """Hold the frame under ``at`` for ``frames``: the clip is cut there and a freeze frame
    of that source frame goes in (ripple); the clip plays on after it.

    A freeze frame has no sound: its linked sound tracks get a gap of the same length at
    the same frame, so what follows stays in sync. For sound under a freeze (room tone,
    music), put a clip in that gap.
    """

    name: ClassVar[str] = "freeze"
    track: str
    at: int
    frames: int = param(unit="frames", minimum=1, help="how long the frame is held")
    linked: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        partners = partners_of(timeline, track, self.at, where, self.linked)
        shown = source_frame(
            source_in(slot.item, where.rate),
            slot.length,
            self.at - slot.start,
            time_scalar(slot.item),
        )
        still = slot.item.deepcopy()
        set_source(still, shown, self.frames, where.rate)
        set_time_scalar(still, Fraction(0))
        still.markers[:] = []
        set_link(still, None)  # nothing sounds under it, so it has no partner
        track.insert(cut_at(track, self.at, where), still)
        for partner in partners:
            other = partner.track
            other.insert(cut_at(other, self.at, where), gap(self.frames, where.rate))


def _retime_linked(
    timeline: otio.schema.Timeline,
    track: otio.schema.Track,
    slot: Slot,
    factor: Fraction,
    ripple: bool,
    linked: bool,
    where: Where,
    mode: str | None,
) -> None:
    """Multiply the speed of the clip in ``slot`` and of its partners by ``factor`` (and
    give them the speed ``mode``, if set)."""
    partners = partners_of(timeline, track, slot.start, where, linked)
    for partner in partners:
        if partner.slot.start != slot.start:
            raise EditError(
                f"{partner.slot.item.name} on {partner.track.name}, linked to "
                f"{slot.item.name}, starts at {where.tc(partner.slot.start)}, not at "
                f"{where.tc(slot.start)}: a speed change would take them out of sync",
                where=partner.slot.item.name,
                fix="split both at the same frame first, or change the speed --unlinked",
            )
    for each in (Partner(track, slot), *partners):
        _retime(each.track, each.slot, time_scalar(each.slot.item) * factor, ripple, where)
        if mode is not None:
            clip = each.slot.item
            set_clip_state(clip, replace(clip_state(clip), speed_mode=mode))


def _retime(
    track: otio.schema.Track, slot: Slot, speed: Fraction, ripple: bool, where: Where
) -> None:
    """Give the clip in ``slot`` the speed ``speed``; its length follows its source frames."""
    now = time_scalar(slot.item)
    length = max(1, math.floor(slot.length * abs(now) / abs(speed) + Fraction(1, 2)))
    grow = length - slot.length
    if not ripple and grow:
        slot = detach(track, slot.start, where)
        after = track[slot.index + 1] if slot.index + 1 < len(track) else None
        if grow < 0:
            track.insert(slot.index + 1, gap(-grow, where.rate))
        elif isinstance(after, otio.schema.Gap):
            room = slots(track, where.rate)
            space = next(s.length for s in room if s.index == slot.index + 1)
            if space < grow:
                _no_room(track, slot, grow, space, where)
            if space == grow:
                del track[slot.index + 1]
            else:
                track[slot.index + 1] = gap(space - grow, where.rate)
        elif after is not None:
            _no_room(track, slot, grow, 0, where)
    set_source(slot.item, source_in(slot.item, where.rate), length, where.rate)
    set_time_scalar(slot.item, speed)


def _no_room(track: otio.schema.Track, slot: Slot, grow: int, space: int, where: Where) -> None:
    raise EditError(
        f"{slot.item.name} on {track.name} at {where.tc(slot.start)} needs {grow} more frames "
        f"and has {space} free after it",
        where=slot.item.name,
        fix="let later clips move (ripple), or make room after it first",
    )


def carry_sync(old: otio.schema.Clip, new: otio.schema.Clip) -> None:
    """Give ``new`` what kept ``old`` in sync: its sub-frame slip, its speed (a drift
    correction or a speed change) with its speed mode, and its link. A replacement take
    recorded on the same clock then plays in sync where the old one did."""
    before = clip_state(old)
    state = replace(clip_state(new), slip_s=before.slip_s, speed_mode=before.speed_mode)
    if state != clip_state(new):
        set_clip_state(new, state)
    new.effects[:] = [
        *(e for e in new.effects if not isinstance(e, _WARPS)),
        *(e.deepcopy() for e in old.effects if isinstance(e, _WARPS)),
    ]
    set_link(new, link_of(old))


_WARPS = (otio.schema.LinearTimeWarp, otio.schema.FreezeFrame)
