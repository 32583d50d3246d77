"""Vectorised timecode: arrays of frame counts <-> arrays of labels.

For logs, burn-ins and EDLs of thousands of events. Labels are written and
read as a ``(n, 11)`` grid of UCS-4 code points viewed as ``<U11`` strings, so
no Python code runs per label. Writing uses a table of the ten-minute block
(``M:SS;FF``), built with the same arithmetic as the scalar API: timecode
repeats exactly every ten minutes, drop-frame included.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from postprod.errors import TimecodeError
from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import fields_to_frames, frames_to_fields, label_to_frames

_WIDTH = 11  # HH:MM:SS:FF
_ZERO = ord("0")
_COLON = ord(":")
_DROP_CODES = (ord(";"), ord("."), ord(","))


def frames_to_labels(frames: ArrayLike, rate: FrameRate | str) -> NDArray[np.str_]:
    """Labels (``<U11``) for an array of non-negative frame counts, any shape."""
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    counts = np.asarray(frames)
    if counts.dtype.kind not in "iu":
        raise TimecodeError(f"frame counts must be integers, not {counts.dtype}")
    flat = counts.ravel()
    if flat.size and flat.min() < 0:
        first = int(np.flatnonzero(flat < 0)[0])
        raise TimecodeError(f"frame count {flat[first]} at index {first} is negative")
    per_ten = _frames_per_ten_minutes(rate)
    blocks, within = np.divmod(flat.astype(np.int64, copy=False) % rate.frames_per_day, per_ten)
    hours, ten_minutes = np.divmod(blocks, 6)
    grid = np.empty((flat.size, _WIDTH), dtype=np.uint32)
    grid[:, 0] = hours // 10 + _ZERO
    grid[:, 1] = hours % 10 + _ZERO
    grid[:, 2] = _COLON
    grid[:, 3] = ten_minutes + _ZERO
    grid[:, 4:] = _ten_minute_table(rate)[within]
    return grid.view(f"U{_WIDTH}").reshape(counts.shape)


def labels_to_frames(labels: ArrayLike, rate: FrameRate | str) -> NDArray[np.int64]:
    """Frame counts for an array of labels; refuses the first label that does not exist.

    Canonical ``HH:MM:SS:FF`` labels are read in one vectorised pass; any other
    spelling the scalar parser accepts (``1:00:00:00``) is read one by one.
    """
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    text = np.asarray(labels)
    if text.dtype.kind not in "US":
        raise TimecodeError(f"timecode labels must be strings, not {text.dtype}")
    flat = np.ascontiguousarray(text.ravel(), dtype=f"U{_WIDTH}")
    codes = flat.view(np.uint32).reshape(flat.size, _WIDTH)
    digit = [codes[:, i] - np.uint32(_ZERO) for i in (0, 1, 3, 4, 6, 7, 9, 10)]
    separator = codes[:, 8]
    canonical = (codes[:, 2] == _COLON) & (codes[:, 5] == _COLON)
    canonical &= np.isin(separator, (_COLON, *_DROP_CODES))
    canonical &= np.char.str_len(text.ravel().astype(str)) == _WIDTH
    for value in digit:
        canonical &= value < 10  # unsigned: also catches codes below '0'
    hh, mm, ss, ff = ((digit[i] * 10 + digit[i + 1]).astype(np.int64) for i in range(0, 8, 2))
    bad = (hh >= 24) | (mm >= 60) | (ss >= 60) | (ff >= rate.nominal)
    if rate.drop_frame:
        bad |= (ss == 0) & (mm % 10 != 0) & (ff < rate.dropped_per_minute)
    else:
        bad |= separator != _COLON
    bad &= canonical
    if bad.any():
        label_to_frames(str(flat[np.argmax(bad)]), rate)  # raises the precise error
    frames = fields_to_frames(hh, mm, ss, ff, rate)
    for index in np.flatnonzero(~canonical):
        label = str(text.ravel()[index])
        try:
            frames[index] = label_to_frames(label, rate)
        except TimecodeError as error:
            raise TimecodeError(error.what, where=f"label {index}", fix=error.fix) from None
    return frames.reshape(text.shape)


def _frames_per_ten_minutes(rate: FrameRate) -> int:
    return 600 * rate.nominal - 9 * rate.dropped_per_minute


def _ten_minute_table(rate: FrameRate) -> NDArray[np.uint32]:
    """Code points of ``M:SS;FF`` for every frame of one ten-minute block."""
    _, mm, ss, ff = frames_to_fields(np.arange(_frames_per_ten_minutes(rate), dtype=np.int64), rate)
    table = np.empty((mm.size, 7), dtype=np.uint32)
    table[:, 0] = mm % 10 + _ZERO
    table[:, 1] = _COLON
    table[:, 2] = ss // 10 + _ZERO
    table[:, 3] = ss % 10 + _ZERO
    table[:, 4] = ord(";") if rate.drop_frame else _COLON
    table[:, 5] = ff // 10 + _ZERO
    table[:, 6] = ff % 10 + _ZERO
    return table
