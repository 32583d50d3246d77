"""Text on pictures (titles, timecode burn-in), drawn with Pillow.

The bundled FFmpeg has no drawtext filter, so text is rasterised with Pillow
in DejaVu Sans Mono (a font matplotlib ships, so it is on every machine that
has postprod) and alpha-blended onto the frame array.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

Frame = NDArray[np.uint8]


def font_path() -> Path:
    """DejaVu Sans Mono from matplotlib's data folder (fixed width: timecode does not jitter)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSansMono.ttf"


@lru_cache(maxsize=8)
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size_px)


def text_image(text: str, size_px: int) -> NDArray[np.float32]:
    """White text on transparent, as float32 alpha ``(height, width)`` in 0..1."""
    font = _font(size_px)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (int(right - left) + 2, int(bottom - top) + 2), 0)
    ImageDraw.Draw(image).text((1 - left, 1 - top), text, fill=255, font=font)
    return np.asarray(image, dtype=np.float32) / 255.0


def burn_in(
    frame: Frame, text: str, *, size_px: int | None = None, position: str = "bottom"
) -> Frame:
    """``frame`` with ``text`` in white on a dark box, centred at the bottom (or top)."""
    height, width = frame.shape[:2]
    alpha = text_image(text, size_px or max(10, height // 14))
    pad = max(2, alpha.shape[0] // 4)
    box_h, box_w = alpha.shape[0] + 2 * pad, alpha.shape[1] + 2 * pad
    y0 = height - box_h - pad if position == "bottom" else pad
    x0 = max(0, (width - box_w) // 2)
    out = frame.copy()
    region = out[y0 : y0 + box_h, x0 : x0 + box_w].astype(np.float32)
    region *= 0.35  # darken the box so the text reads on any picture
    inner = region[pad : pad + alpha.shape[0], pad : pad + alpha.shape[1]]
    a = alpha[: inner.shape[0], : inner.shape[1], None]
    inner[:] = inner * (1 - a) + 255.0 * a
    out[y0 : y0 + box_h, x0 : x0 + box_w] = np.rint(region).astype(np.uint8)
    return out


def title_card(
    width: int, height: int, text: str, *, background: tuple[int, int, int] = (0, 0, 0)
) -> Frame:
    """A full-frame title: white text centred on a plain background, a line per ``\\n``."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = background
    lines = text.split("\n") or [""]
    size = max(12, height // 10)
    images = [text_image(line or " ", size) for line in lines]
    total = sum(i.shape[0] for i in images) + (len(images) - 1) * size // 3
    y = max(0, (height - total) // 2)
    canvas = frame.astype(np.float32)
    for alpha in images:
        h, w = min(alpha.shape[0], height - y), min(alpha.shape[1], width)
        x = max(0, (width - w) // 2)
        a = alpha[:h, :w, None]
        region = canvas[y : y + h, x : x + w]
        region[:] = region * (1 - a) + 255.0 * a
        y += alpha.shape[0] + size // 3
    result: Frame = np.rint(canvas).astype(np.uint8)
    return result


def offline_slate(width: int, height: int, clip_name: str) -> Frame:
    """What an editing system shows for a clip whose media is missing: MEDIA OFFLINE on red."""
    return title_card(width, height, f"MEDIA OFFLINE\n{clip_name}", background=(160, 0, 0))
