"""Transitions that move pictures or pass through a colour: push, slide and dip.

A push moves the incoming picture in from one side and the outgoing one off
the other, edge to edge; a slide moves the incoming picture in over the
outgoing one, which stays put; a dip fades the outgoing picture to a flat
colour over the first half and the incoming one up from it over the second.
Moves are whole-pixel slices of the frames (no resampling, so nothing blurs);
the offset is the progress times the frame's width or height, rounded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from postprod.errors import RenderError
from postprod.video.compose import black, dissolve

Frame = NDArray[np.uint8]

#: The side the incoming picture moves towards: "left" enters at the right edge.
DIRECTIONS = ("left", "right", "up", "down")

#: A move: ``(a, b, progress) -> frame``.
MoveFunction = Callable[[Frame, Frame, float], Frame]


def _move(push: bool, direction: str, a: Frame, b: Frame, progress: float) -> Frame:
    """``a`` pushed off by ``b`` (``push``) or covered by ``b`` sliding in, towards ``direction``."""
    vertical = direction in ("up", "down")
    extent = a.shape[0] if vertical else a.shape[1]
    offset = min(extent, max(0, round(progress * extent)))
    if offset == 0:
        return a
    if offset == extent:
        return b
    # work as if the move were to the left, on views flipped into that orientation
    if vertical:
        a, b = a.transpose(1, 0, 2), b.transpose(1, 0, 2)
    if direction in ("right", "down"):
        a, b = a[:, ::-1], b[:, ::-1]
    out = np.empty_like(a)
    out[:, extent - offset :] = b[:, :offset]  # the incoming picture's leading part
    if push:
        out[:, : extent - offset] = a[:, offset:]
    else:
        out[:, : extent - offset] = a[:, : extent - offset]
    if direction in ("right", "down"):
        out = out[:, ::-1]
    if vertical:
        out = out.transpose(1, 0, 2)
    return np.ascontiguousarray(out)


#: Move pattern (``push-left`` .. ``slide-down``) -> its function; a test keeps the names
#: equal to ``timeline.metadata.MOVE_PATTERNS``.
MOVES: Mapping[str, MoveFunction] = MappingProxyType(
    {
        f"{kind}-{direction}": partial(_move, kind == "push", direction)
        for kind in ("push", "slide")
        for direction in DIRECTIONS
    }
)


def move(a: Frame, b: Frame, progress: float, pattern: str) -> Frame:
    """``a`` pushed off by ``b`` (``push-*``) or covered by ``b`` sliding in (``slide-*``)."""
    function = MOVES.get(pattern)
    if function is None:
        raise RenderError(f"unknown move {pattern!r}", fix=f"use one of {', '.join(MOVES)}")
    return function(a, b, progress)


def dip(a: Frame, b: Frame, progress: float, colour: tuple[int, int, int]) -> Frame:
    """``a`` down to ``colour`` over the first half, ``colour`` up to ``b`` over the second."""
    flat = black(a.shape[1], a.shape[0], colour)
    if progress < 0.5:
        return dissolve(a, flat, progress * 2)
    return dissolve(flat, b, progress * 2 - 1)
