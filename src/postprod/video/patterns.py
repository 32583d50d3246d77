"""Synthetic pictures: test cards that say which frame they are.

A card is a flat colour with a bar that moves one step per frame and, in the
top-left corner, the frame index as a row of black and white cells (bit 0 on
the left). Tests and the demo read the cells back to check that every output
frame is the source frame it should be.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]

#: Cells of the frame-index barcode, and each cell's size in pixels.
BARCODE_BITS = 12
CELL_PX = 8


def test_card(width: int, height: int, index: int, colour: tuple[int, int, int]) -> Frame:
    """Frame ``index`` of a card of ``colour`` (RGB 0-255)."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = colour
    bar_x = (index * 4) % max(1, width - 16)
    frame[height // 3 : 2 * height // 3, bar_x : bar_x + 16] = 235
    bits = (index >> np.arange(BARCODE_BITS)) & 1
    cells = np.repeat(np.where(bits, 235, 16).astype(np.uint8), CELL_PX)
    frame[:CELL_PX, : cells.size] = cells[None, :, None]
    return frame


def read_barcode(frame: Frame) -> int:
    """The frame index a card carries (the inverse of :func:`test_card`'s cells)."""
    row = frame[CELL_PX // 2, : BARCODE_BITS * CELL_PX].mean(axis=1)
    centres = row[CELL_PX // 2 :: CELL_PX][:BARCODE_BITS]
    bits = (centres > 128).astype(np.int64)
    return int((bits << np.arange(BARCODE_BITS)).sum())
