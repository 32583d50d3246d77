"""SMPTE-style wipes as masks: where the incoming picture shows at a point of the transition.

A mask is float32 ``(height, width)`` from 0 (outgoing) to 1 (incoming),
computed for the whole frame at once from a per-pixel "arrival time" in
0..1 (when the wipe edge reaches that pixel) and the transition's progress,
with a soft edge of ``softness`` (a fraction of the move) and an optional
border in a colour.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from postprod.errors import RenderError

PATTERNS = ("horizontal", "vertical", "diagonal", "barn-door", "box", "iris", "clock")

Frame = NDArray[np.uint8]


def arrival(pattern: str, width: int, height: int) -> NDArray[np.float32]:
    """For each pixel, the progress (0..1) at which the wipe edge passes it."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u = (x + 0.5) / width  # 0..1 left to right
    v = (y + 0.5) / height  # 0..1 top to bottom
    if pattern == "horizontal":
        t = u  # left to right
    elif pattern == "vertical":
        t = v  # top to bottom
    elif pattern == "diagonal":
        t = (u + v) / 2
    elif pattern == "barn-door":
        t = np.abs(u - 0.5) * 2  # opens from the centre line outwards
    elif pattern == "box":
        t = np.maximum(np.abs(u - 0.5), np.abs(v - 0.5)) * 2
    elif pattern == "iris":
        aspect = width / height
        t = np.hypot((u - 0.5) * aspect, v - 0.5) / np.hypot(0.5 * aspect, 0.5)
    elif pattern == "clock":
        t = (np.arctan2(u - 0.5, -(v - 0.5)) / (2 * np.pi)) % 1.0  # from 12 o'clock, clockwise
    else:
        raise RenderError(
            f"unknown wipe pattern {pattern!r}", fix=f"use one of {', '.join(PATTERNS)}"
        )
    result: NDArray[np.float32] = t.astype(np.float32)
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
