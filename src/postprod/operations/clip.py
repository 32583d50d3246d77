"""A clip's own sound as operations: its gain, its fades and their curves, its effects.

The clip is the one under ``at`` (frames from the programme's start) on
``track``. The settings live in the clip's ``ClipState``
(``postprod.timeline.metadata``) and the mix honours them; each change is one
undo step. Effects are numbered from 1 and checked against the effects registry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, param
from postprod.operations.mixer import (
    GAIN_MAX_DB,
    GAIN_MIN_DB,
    Params,
    Settings,
    chain_index,
    effect_spec,
)
from postprod.timeline.metadata import CLIP_FADE_CURVES, clip_state, set_clip_state
from postprod.timeline.slots import Slot, Where, clip_at, find_track

#: Short names the command line takes for the stored fade curves.
CURVE_NAMES = {"log": "logarithmic"}


def _clip(timeline: otio.schema.Timeline, track: str, at: int, where: Where) -> Slot:
    slot = clip_at(find_track(timeline, track), at, where)
    if not isinstance(slot.item, otio.schema.Clip):
        raise EditError(f"no clip at {where.tc(at)}", where=track, fix="choose a time in a clip")
    return slot


@dataclass(frozen=True, slots=True)
class ClipGain(Operation):
    """Set the gain of the clip under ``at``: before the track's inserts and fader."""

    name: ClassVar[str] = "set-clip-gain"
    track: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    gain_db: float = param(0.0, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = _clip(timeline, self.track, self.at, where)
        state = clip_state(slot.item)
        set_clip_state(slot.item, replace(state, gain_db=float(self.gain_db)))


@dataclass(frozen=True, slots=True)
class ClipFade(Operation):
    """Fade the clip under ``at`` in or out over ``frames`` (0 takes the fade away) with a
    curve: linear, equal-power, logarithmic (``log``) or s-curve."""

    name: ClassVar[str] = "set-clip-fade"
    track: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    edge: str = "in"
    frames: int = param(0, unit="frames", minimum=0, help="The fade's length.")
    curve: str = "equal-power"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.edge not in ("in", "out"):
            raise EditError(f"fade edge {self.edge!r}", fix="give in or out")
        curve = CURVE_NAMES.get(self.curve, self.curve)
        if curve not in CLIP_FADE_CURVES:
            raise EditError(
                f"unknown fade curve {self.curve!r}",
                where=self.track,
                fix="use one of linear, equal-power, log, s-curve",
            )
        slot = _clip(timeline, self.track, self.at, where)
        state = clip_state(slot.item)
        other_s = state.fade_out_s if self.edge == "in" else state.fade_in_s
        seconds = float(self.frames / where.rate)
        if self.frames > slot.length or seconds + other_s > float(slot.length / where.rate):
            raise EditError(
                f"a fade of {self.frames} frames does not fit clip {slot.item.name} "
                f"({slot.length} frames, with its other fade)",
                where=f"{self.track} at {where.tc(self.at)}",
                fix="give a shorter fade, or shorten the other one first",
            )
        if self.edge == "in":
            state = replace(state, fade_in_s=seconds, fade_in_curve=curve)
        else:
            state = replace(state, fade_out_s=seconds, fade_out_curve=curve)
        set_clip_state(slot.item, state)


@dataclass(frozen=True, slots=True)
class AddClipEffect(Settings):
    """Put an effect on the clip under ``at``: at the end of its chain, or as effect
    ``number`` (from 1). Clip effects run before the track's inserts."""

    name: ClassVar[str] = "add-clip-effect"
    track: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    effect: str = ""
    params: Params = ()
    number: int | None = param(None, minimum=1, help="Its place in the chain, from 1.")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = _clip(timeline, self.track, self.at, where)
        place = f"clip {slot.item.name}"
        state = clip_state(slot.item)
        effects = list(state.effects)
        index = len(effects)
        if self.number is not None:
            index = chain_index(self.number, state.effects, place, extra=1)
        effects.insert(index, effect_spec(self.effect, self.params, place))
        set_clip_state(slot.item, replace(state, effects=tuple(effects)))


@dataclass(frozen=True, slots=True)
class RemoveClipEffect(Operation):
    """Take effect ``number`` (from 1) off the clip under ``at``."""

    name: ClassVar[str] = "remove-clip-effect"
    track: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    number: int = param(1, minimum=1, help="The effect, from 1.")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = _clip(timeline, self.track, self.at, where)
        state = clip_state(slot.item)
        effects = list(state.effects)
        del effects[chain_index(self.number, state.effects, f"clip {slot.item.name}")]
        set_clip_state(slot.item, replace(state, effects=tuple(effects)))


@dataclass(frozen=True, slots=True)
class ClearClipEffects(Operation):
    """Take every effect off the clip under ``at``."""

    name: ClassVar[str] = "clear-clip-effects"
    track: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = _clip(timeline, self.track, self.at, where)
        state = clip_state(slot.item)
        if not state.effects:
            raise EditError(
                f"clip {slot.item.name} has no effects",
                where=f"{self.track} at {where.tc(self.at)}",
            )
        set_clip_state(slot.item, replace(state, effects=()))


CLIP_OPERATIONS: tuple[type[Operation], ...] = (
    ClipGain,
    ClipFade,
    AddClipEffect,
    RemoveClipEffect,
    ClearClipEffects,
)
