"""SMPTE-style wipes as masks: where the incoming picture shows at a point of the transition.

A mask is float32 ``(height, width)`` from 0 (outgoing) to 1 (incoming),
computed for the whole frame at once from a per-pixel "arrival time" in
0..1 (when the wipe edge reaches that pixel) and the transition's progress,
with a soft edge of ``softness`` (a fraction of the move) and an optional
border in a colour.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.errors import RenderError

Frame = NDArray[np.uint8]
Grid = NDArray[np.floating[Any]]

#: An arrival function: ``(u, v, aspect) -> t``, from each pixel centre's position (``u``
#: 0..1 left to right, ``v`` 0..1 top to bottom) and the frame's width over its height to the
#: progress (0..1) at which the wipe edge passes it.
ArrivalFunction = Callable[[Grid, Grid, float], Grid]


def _horizontal(u: Grid, v: Grid, aspect: float) -> Grid:
    return u  # left to right


def _vertical(u: Grid, v: Grid, aspect: float) -> Grid:
    return v  # top to bottom


def _diagonal(u: Grid, v: Grid, aspect: float) -> Grid:
    result: Grid = (u + v) / 2
    return result  # top left to bottom right


def _barn_door(u: Grid, v: Grid, aspect: float) -> Grid:
    result: Grid = np.abs(u - 0.5) * 2
    return result  # opens from the centre line outwards


def _box(u: Grid, v: Grid, aspect: float) -> Grid:
    result: Grid = np.maximum(np.abs(u - 0.5), np.abs(v - 0.5)) * 2
    return result  # a rectangle grows from the centre


def _iris(u: Grid, v: Grid, aspect: float) -> Grid:
    result: Grid = np.hypot((u - 0.5) * aspect, v - 0.5) / np.hypot(0.5 * aspect, 0.5)
    return result  # a circle grows from the centre


def _clock(u: Grid, v: Grid, aspect: float) -> Grid:
    result: Grid = (np.arctan2(u - 0.5, -(v - 0.5)) / (2 * np.pi)) % 1.0
    return result  # a hand sweeps from 12 o'clock, clockwise


#: Wipe pattern -> its arrival function; adding a pattern is one entry (and one name in
#: ``timeline.metadata.WIPE_PATTERNS``, which a test keeps equal to this).
ARRIVALS: Mapping[str, ArrivalFunction] = MappingProxyType(
    {
        "horizontal": _horizontal,
        "vertical": _vertical,
        "diagonal": _diagonal,
        "barn-door": _barn_door,
        "box": _box,
        "iris": _iris,
        "clock": _clock,
    }
)
PATTERNS = tuple(ARRIVALS)


def arrival(pattern: str, width: int, height: int) -> NDArray[np.float32]:
    """For each pixel, the progress (0..1) at which the wipe edge passes it."""
    function = ARRIVALS.get(pattern)
    if function is None:
        raise RenderError(
            f"unknown wipe pattern {pattern!r}", fix=f"use one of {', '.join(PATTERNS)}"
        )
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u = (x + 0.5) / width  # 0..1 left to right
    v = (y + 0.5) / height  # 0..1 top to bottom
    result: NDArray[np.float32] = function(u, v, width / height).astype(np.float32)
    return result


def wipe_mask(
    times: NDArray[np.float32], progress: float, softness: float = 0.0
) -> NDArray[np.float32]:
    """Mask at ``progress`` (0: all outgoing, 1: all incoming) for arrival ``times``."""
    soft = max(softness, 1e-6)
    edge = progress * (1 + soft)  # so that at 1 even the softened edge has passed every pixel
    result: NDArray[np.float32] = np.clip((edge - times) / soft, 0.0, 1.0).astype(np.float32)
    return result


def wipe(
    a: Frame,
    b: Frame,
    times: NDArray[np.float32],
    progress: float,
    *,
    softness: float = 0.0,
    border_px: int = 0,
    border_colour: tuple[int, int, int] = (255, 255, 255),
) -> Frame:
    """``a`` wiped off by ``b`` at ``progress``, with a soft edge and an optional border."""
    mask = wipe_mask(times, progress, softness)[..., None]
    mixed = a.astype(np.float32) * (1 - mask) + b.astype(np.float32) * mask
    if border_px and 0 < progress < 1:
        span = border_px / max(a.shape[0], a.shape[1])
        edge = progress * (1 + max(softness, 1e-6))
        on_border = (np.abs(times - edge) < span)[..., None]
        mixed = np.where(on_border, np.array(border_colour, np.float32), mixed)
    result: Frame = np.rint(mixed).astype(np.uint8)
    return result
