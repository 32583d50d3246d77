"""A picture placed on the frame: cropped, scaled, moved, and laid over what is below.

Split screens and picture-in-picture are this, one source per video track:
the upper track's picture, transformed, over the lower. Positions are
fractions of the frame, so a layout reads the same at any resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

Frame = NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Transform:
    """Crop (a fraction of each side), scale, centre offset (fractions of the frame), opacity."""

    scale: float = 1.0
    x: float = 0.0  # +0.25: the picture's centre a quarter of the frame right of the frame's
    y: float = 0.0  # +0.25: a quarter down
    crop_left: float = 0.0
    crop_right: float = 0.0
    crop_top: float = 0.0
    crop_bottom: float = 0.0
    opacity: float = 1.0

    @property
    def is_identity(self) -> bool:
        return self == Transform()


def place(picture: Frame, below: Frame, transform: Transform) -> Frame:
    """``picture`` (the frame's size) cropped, scaled and moved by ``transform``, over ``below``."""
    height, width = below.shape[:2]
    t = transform
    top, bottom = round(t.crop_top * height), height - round(t.crop_bottom * height)
    left, right = round(t.crop_left * width), width - round(t.crop_right * width)
    cropped = picture[top:bottom, left:right]
    size = (max(1, round(cropped.shape[1] * t.scale)), max(1, round(cropped.shape[0] * t.scale)))
    if size != (cropped.shape[1], cropped.shape[0]):
        cropped = np.asarray(Image.fromarray(cropped).resize(size, Image.Resampling.BILINEAR))
    x0 = round(width * (0.5 + t.x) - size[0] / 2)
    y0 = round(height * (0.5 + t.y) - size[1] / 2)
    # the part of the picture that falls inside the frame
    fx0, fy0 = max(0, x0), max(0, y0)
    fx1, fy1 = min(width, x0 + size[0]), min(height, y0 + size[1])
    out = below.copy()
    if fx1 <= fx0 or fy1 <= fy0:
        return out
    part = cropped[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0]
    if t.opacity >= 1.0:
        out[fy0:fy1, fx0:fx1] = part
    else:
        under = out[fy0:fy1, fx0:fx1].astype(np.float32)
        mixed = under + (part.astype(np.float32) - under) * max(0.0, t.opacity)
        out[fy0:fy1, fx0:fx1] = np.rint(mixed).astype(np.uint8)
    return out
