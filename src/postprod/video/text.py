"""Text on pictures (titles, timecode burn-in), drawn with Pillow.

The bundled FFmpeg has no drawtext filter, so text is rasterised with Pillow
in DejaVu Sans Mono (a font matplotlib ships, so it is on every machine that
has postprod) and alpha-blended onto the frame array.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Graphic:
    """A picture with an alpha channel, keyed over whatever is below it: a lower third or a
    title over picture. Only the box that holds something is kept and blended."""

    top: int
    left: int
    colour: NDArray[np.float32]  # (h, w, 3), already multiplied by alpha
    alpha: NDArray[np.float32]  # (h, w, 1)

    def over(self, below: Frame) -> Frame:
        """``below`` with the graphic keyed over it."""
        out = below.copy()
        h, w = self.alpha.shape[:2]
        region = out[self.top : self.top + h, self.left : self.left + w].astype(np.float32)
        region = region * (1.0 - self.alpha) + self.colour
        out[self.top : self.top + h, self.left : self.left + w] = np.rint(region).astype(np.uint8)
        return out


def _graphic(
    width: int,
    height: int,
    box: tuple[int, int, int, int],
    band: float,
    lines: list[tuple[str, int]],
) -> Graphic:
    """White ``lines`` (text, size) from the box's left, on a dark band of opacity ``band``."""
    top, left, box_h, box_w = box
    box_h, box_w = min(box_h, height - top), min(box_w, width - left)
    alpha = np.full((box_h, box_w), band, np.float32)
    white = np.zeros((box_h, box_w), np.float32)  # how much white text covers each pixel
    pad = max(2, height // 60)
    y = pad
    for text, size in lines:
        glyphs = text_image(text or " ", size)
        h, w = min(glyphs.shape[0], box_h - y), min(glyphs.shape[1], box_w - 2 * pad)
        if h > 0 and w > 0:
            white[y : y + h, 2 * pad : 2 * pad + w] = glyphs[:h, :w]
        y += glyphs.shape[0] + pad
    alpha = alpha + (1.0 - alpha) * white  # text over the band
    colour = (255.0 * white)[..., None].repeat(3, axis=2)
    return Graphic(top, left, colour, alpha[..., None])


def lower_third(width: int, height: int, text: str) -> Graphic:
    """A name (the first line) and what follows (smaller) on a translucent band in the lower
    third, from the left title-safe edge (10% of the width in)."""
    first, *rest = text.split("\n")
    name_px, role_px = max(12, height // 16), max(10, height // 26)
    lines = [(first, name_px), *((line, role_px) for line in rest)]
    pad = max(2, height // 60)
    box_h = sum(text_image(t or " ", size).shape[0] + pad for t, size in lines) + pad
    box_w = max(text_image(t or " ", size).shape[1] for t, size in lines) + 4 * pad
    top = round(height * 0.9) - box_h  # the bottom of the band on the title-safe line
    return _graphic(width, height, (max(0, top), round(width * 0.1), box_h, box_w), 0.55, lines)


def centred_title(width: int, height: int, text: str) -> Graphic:
    """Lines of white text centred on the picture (no band: the picture shows around them)."""
    card = title_card(width, height, text)  # white text on black: its level is the key
    alpha = card[..., :1].astype(np.float32) / 255.0
    rows = np.flatnonzero(alpha.any(axis=(1, 2)))
    cols = np.flatnonzero(alpha.any(axis=(0, 2)))
    if rows.size == 0:
        return Graphic(0, 0, np.zeros((1, 1, 3), np.float32), np.zeros((1, 1, 1), np.float32))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    alpha = alpha[y0:y1, x0:x1]
    return Graphic(int(y0), int(x0), (255.0 * alpha).repeat(3, axis=2), alpha)
