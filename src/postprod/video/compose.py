"""Picture operations on RGB uint8 ``(height, width, 3)`` frames.

Mixing is done in float32 and rounded once, so a dissolve's middle frame is
the exact mean of its two sources (to the nearest level).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]


def black(width: int, height: int, colour: tuple[int, int, int] = (0, 0, 0)) -> Frame:
    """A flat frame (black unless another colour is given)."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = colour
    return frame


def dissolve(a: Frame, b: Frame, amount: float) -> Frame:
    """``a`` dissolving into ``b``: ``amount`` 0 is all ``a``, 1 is all ``b``."""
    if amount <= 0.0:
        return a
    if amount >= 1.0:
        return b
    mixed = a.astype(np.float32)
    mixed += (b.astype(np.float32) - mixed) * np.float32(amount)
    result: Frame = np.rint(mixed).astype(np.uint8)
    return result
