"""Vectorised timecode: arrays of frame counts <-> arrays of labels.

For logs, burn-ins and EDLs of thousands of events. Labels are written and
read as a ``(n, 11)`` grid of UCS-4 code points viewed as ``<U11`` strings, so
no Python code runs per label. Writing gathers whole rows from a table of one
hour (``00:MM:SS;FF``), built with the same arithmetic as the scalar API
(timecode repeats exactly every hour, drop-frame included), then adds the hours.
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
_DIGIT_COLUMNS = np.array([0, 1, 3, 4, 6, 7, 9, 10])  # HH MM SS FF


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
    table = _hour_table(rate)
    hours, within = np.divmod(flat.astype(np.int64, copy=False) % rate.frames_per_day, len(table))
    grid = np.empty((flat.size, _WIDTH), dtype=np.uint32)
    np.take(table, within, axis=0, out=grid, mode="clip")  # in range; "clip" skips a buffer
    grid[:, 0] += (hours // 10).astype(np.uint32)
    grid[:, 1] += (hours % 10).astype(np.uint32)
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
    if text.dtype.kind == "S" or text.dtype.itemsize < 4 * _WIDTH:
        text = text.astype(f"U{max(_WIDTH, text.dtype.itemsize // text.dtype.alignment)}")
    flat = np.ascontiguousarray(text.ravel())
    width = flat.dtype.itemsize // 4
    codes = flat.view(np.uint32).reshape(flat.size, width)
    canonical = codes[:, _WIDTH - 1] != 0  # exactly eleven characters: none short...
    if width > _WIDTH:
        canonical &= ~codes[:, _WIDTH:].any(axis=1)  # ...and none long
    codes = codes[:, :_WIDTH]
    digits = codes[:, _DIGIT_COLUMNS] - np.uint32(_ZERO)  # one gather: (n, 8)
    canonical &= (digits < 10).all(axis=1)  # unsigned: codes below '0' wrap high
    separator = codes[:, 8]
    canonical &= (codes[:, 2] == _COLON) & (codes[:, 5] == _COLON)
    canonical &= (separator == _COLON) | np.isin(separator, _DROP_CODES)
    pairs = digits.astype(np.int32).reshape(-1, 4, 2)  # a day's frames fit in int32
    hh, mm, ss, ff = np.ascontiguousarray((pairs[:, :, 0] * 10 + pairs[:, :, 1]).T)
    bad = (hh >= 24) | (mm >= 60) | (ss >= 60) | (ff >= rate.nominal)
    if rate.drop_frame:
        bad |= (ss == 0) & (mm % 10 != 0) & (ff < rate.dropped_per_minute)
    else:
        bad |= separator != _COLON
    bad &= canonical
    if bad.any():
        label_to_frames(str(flat[np.argmax(bad)]), rate)  # raises the precise error
    frames: NDArray[np.int64] = np.asarray(fields_to_frames(hh, mm, ss, ff, rate), dtype=np.int64)
    for index in np.flatnonzero(~canonical):
        label = str(flat[index])
        try:
            frames[index] = label_to_frames(label, rate)
        except TimecodeError as error:
            raise TimecodeError(error.what, where=f"label {index}", fix=error.fix) from None
    return frames.reshape(text.shape)


def _hour_table(rate: FrameRate) -> NDArray[np.uint32]:
    """Code points of ``00:MM:SS;FF`` for every frame of one hour (timecode repeats hourly)."""
    _, mm, ss, ff = frames_to_fields(np.arange(rate.frames_per_day // 24, dtype=np.int64), rate)
    table = np.empty((mm.size, _WIDTH), dtype=np.uint32)
    table[:, 0:2] = _ZERO
    table[:, 2] = _COLON
    table[:, 3] = mm // 10 + _ZERO
    table[:, 4] = mm % 10 + _ZERO
    table[:, 5] = _COLON
    table[:, 6] = ss // 10 + _ZERO
    table[:, 7] = ss % 10 + _ZERO
    table[:, 8] = ord(";") if rate.drop_frame else _COLON
    table[:, 9] = ff // 10 + _ZERO
    table[:, 10] = ff % 10 + _ZERO
    return table
