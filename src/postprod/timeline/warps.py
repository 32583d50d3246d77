"""A clip's time warp in frames: how fast it plays and which source frames its record frames show.

OTIO keeps a speed change as effects on the clip (``LinearTimeWarp`` with a
``time_scalar``, negative for reverse; ``FreezeFrame``) and leaves the clip's
source range as its record length from its first source frame. The planner
reads it the same way: record frame j of a clip of ``length`` frames at speed s
shows ``first + floor(j * s)`` (s > 0), ``first + consumed - 1 - floor(j * |s|)``
(reverse, ``consumed = ceil(length * |s|)``), or ``first`` (a freeze). These
helpers turn that into the source frames a cut, a trim or a freeze needs, so an
edit of a slowed or reversed clip keeps showing the frames it showed.
"""

from __future__ import annotations

import math
from fractions import Fraction

import opentimelineio as otio

from postprod.timeline.otio_access import items_of


def time_scalar(item: otio.core.Item) -> Fraction:
    """Source frames per record frame: the product of the item's time warps (0: a freeze)."""
    speed = Fraction(1)
    for effect in items_of(getattr(item, "effects", ())):
        if isinstance(effect, otio.schema.FreezeFrame):
            return Fraction(0)
        if isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= Fraction(float(effect.time_scalar)).limit_denominator(10**6)
    return speed


def set_time_scalar(item: otio.schema.Clip, speed: Fraction) -> None:
    """Make the item play at ``speed`` (one ``LinearTimeWarp``, none at 1; 0 a freeze frame)."""
    kept = [
        effect
        for effect in items_of(item.effects)
        if not isinstance(effect, otio.schema.LinearTimeWarp | otio.schema.FreezeFrame)
    ]
    if speed == 0:
        kept.append(otio.schema.FreezeFrame())
    elif speed != 1:
        kept.append(otio.schema.LinearTimeWarp(time_scalar=float(speed)))
    item.effects[:] = kept


def consumed(length: int, speed: Fraction) -> int:
    """The source frames ``length`` record frames at ``speed`` reach into (at least one)."""
    return max(1, math.ceil(length * abs(speed)))


def source_frame(first: int, length: int, offset: int, speed: Fraction) -> int:
    """The source frame that record frame ``offset`` of the clip shows."""
    if speed == 0:
        return first
    if speed > 0:
        return first + math.floor(offset * speed)
    return first + consumed(length, speed) - 1 - math.floor(offset * -speed)


def split_firsts(first: int, length: int, offset: int, speed: Fraction) -> tuple[int, int]:
    """The first source frames of the two clips a cut ``offset`` frames into the clip makes.

    Forward, the right part starts where the clip had got to; reversed, the left part
    holds the later source frames and ends where the clip began.
    """
    if speed == 0:
        return first, first
    if speed > 0:
        return first, first + math.floor(offset * speed)
    whole = consumed(length, speed)
    left = first + whole - consumed(offset, speed)
    right = first + whole - math.floor(offset * -speed) - consumed(length - offset, speed)
    return left, right


def trimmed_first(first: int, length: int, edge: str, by: int, speed: Fraction) -> int:
    """The first source frame after the clip's in point (``edge`` "in") or out point moves
    by ``by`` record frames: forward, a later in point starts later in the source; reversed,
    the in point holds the last source frame, so only the out point moves the first."""
    if speed == 0:
        return first
    if edge == "in":
        return first + math.floor(by * speed) if speed > 0 else first
    if speed > 0:
        return first
    return first + consumed(length, speed) - consumed(length + by, speed)
