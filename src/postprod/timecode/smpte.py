"""SMPTE ST 12-1 timecode: frame counts <-> ``HH:MM:SS:FF`` labels, exactly.

The counting arithmetic is written once, in integer operations that work the
same on Python ints and NumPy integer arrays, so the scalar API here and the
vectorised API in :mod:`postprod.timecode.vector` cannot disagree.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from postprod.errors import TimecodeError
from postprod.timecode.rate import FrameRate

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# The scalar API never needs NumPy, so it is imported only for arrays (start-up).
IntOrArray = TypeVar("IntOrArray", int, "NDArray[np.int64]")

_LABEL = re.compile(r"^\s*(\d{1,2})[:.;,](\d{1,2})[:.;,](\d{1,2})([:.;,])(\d{1,3})\s*$")
DROP_SEPARATORS = frozenset(";.,")


# -- the arithmetic, shared by scalars and arrays ---------------------------------------


def frames_to_fields(
    frames: IntOrArray, rate: FrameRate
) -> tuple[IntOrArray, IntOrArray, IntOrArray, IntOrArray]:
    """Split frame counts into (hours, minutes, seconds, frames) label fields.

    Counts past 24 hours wrap, as timecode does. Drop-frame skips the labels
    ``;00`` and ``;01`` (``;00``-``;03`` at 59.94) at the start of each minute
    except every tenth.
    """
    n = frames % rate.frames_per_day
    drop = rate.dropped_per_minute
    if drop:
        per_minute = 60 * rate.nominal - drop
        per_ten = 10 * per_minute + drop
        tens, rest = divmod(n, per_ten)
        skipped_in_ten = drop * (_not_below_zero(rest - drop) // per_minute)
        n = n + 9 * drop * tens + skipped_in_ten
    total_seconds, ff = divmod(n, rate.nominal)
    total_minutes, ss = divmod(total_seconds, 60)
    hh, mm = divmod(total_minutes, 60)
    return (
        _same_kind(hh, frames),
        _same_kind(mm, frames),
        _same_kind(ss, frames),
        _same_kind(ff, frames),
    )


def fields_to_frames(
    hh: IntOrArray, mm: IntOrArray, ss: IntOrArray, ff: IntOrArray, rate: FrameRate
) -> IntOrArray:
    """Frame count of label fields (the fields must already be valid)."""
    total_minutes = 60 * hh + mm
    frames = (60 * total_minutes + ss) * rate.nominal + ff
    drop = rate.dropped_per_minute
    if drop:
        frames = frames - drop * (total_minutes - total_minutes // 10)
    return frames


def invalid_fields(
    hh: IntOrArray, mm: IntOrArray, ss: IntOrArray, ff: IntOrArray, rate: FrameRate
) -> Any:
    """True where fields do not name a label at this rate (out of range or dropped)."""
    bad = (hh >= 24) | (mm >= 60) | (ss >= 60) | (ff >= rate.nominal)
    drop = rate.dropped_per_minute
    if drop:
        bad = bad | ((ss == 0) & (mm % 10 != 0) & (ff < drop))
    return bad


def _not_below_zero(value: Any) -> Any:
    """``max(value, 0)`` of an int, element by element of an array."""
    if isinstance(value, int):
        return max(value, 0)
    import numpy as np

    return np.maximum(value, 0)


def _same_kind(value: Any, like: IntOrArray) -> Any:
    return int(value) if isinstance(like, int) else value


# -- labels -----------------------------------------------------------------------------


def frames_to_label(frames: int, rate: FrameRate | str) -> str:
    """``HH:MM:SS:FF`` for a frame count; drop-frame labels use ``;`` before the frames."""
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    frames = _check_count(frames, rate)
    hh, mm, ss, ff = frames_to_fields(frames, rate)
    sep = ";" if rate.drop_frame else ":"
    return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"


def label_to_frames(label: str, rate: FrameRate | str) -> int:
    """Frame count of a label, refusing labels that do not exist at the rate.

    The rate decides the counting. A drop-frame separator (``;``, ``.`` or ``,``)
    at a non-drop rate is refused rather than guessed at.
    """
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    match = _LABEL.match(label) if isinstance(label, str) else None
    if not match:
        raise TimecodeError(
            f"timecode {label!r} is not a label",
            fix="write it as HH:MM:SS:FF (HH:MM:SS;FF for drop-frame)",
        )
    hh, mm, ss, ff = (int(match[i]) for i in (1, 2, 3, 5))
    if match[4] in DROP_SEPARATORS and not rate.drop_frame:
        raise TimecodeError(
            f"timecode {label!r} is drop-frame (';') but the rate {rate} is non-drop",
            fix=f"give a drop-frame rate such as {rate.with_drop_frame(True)}"
            if rate.fps.denominator == 1001 and rate.nominal in (30, 60)
            else "write the label with ':' separators",
        )
    if invalid_fields(hh, mm, ss, ff, rate):
        raise TimecodeError(
            f"timecode {label!r} does not exist at {rate}", fix=_why(mm, ss, ff, rate)
        )
    return fields_to_frames(hh, mm, ss, ff, rate)


def _why(mm: int, ss: int, ff: int, rate: FrameRate) -> str:
    if ff >= rate.nominal:
        return f"the frames field runs 00-{rate.nominal - 1:02d} at this rate"
    if rate.drop_frame and ss == 0 and mm % 10 and ff < rate.dropped_per_minute:
        return (
            f"drop-frame skips frames 00-{rate.dropped_per_minute - 1:02d} at the start of "
            "each minute not divisible by ten"
        )
    return "hours run 00-23, minutes and seconds 00-59"


def _check_count(frames: int, rate: FrameRate) -> int:
    if isinstance(frames, bool) or not isinstance(frames, numbers.Integral):
        raise TimecodeError(f"frame count {frames!r} is not a whole number of frames")
    if frames < 0:
        raise TimecodeError(
            f"frame count {frames} is negative", fix="timecode starts at 00:00:00:00"
        )
    return int(frames)


# -- seconds ----------------------------------------------------------------------------

Rounding = Literal["floor", "nearest", "ceil", "exact"]


def frames_to_seconds(frames: int, rate: FrameRate | str) -> Fraction:
    """Exact time of a frame count."""
    return Fraction(frames) / FrameRate.parse(rate).fps


def seconds_to_frames(
    seconds: Fraction | int | float | str, rate: FrameRate | str, rounding: Rounding = "nearest"
) -> int:
    """Frame count at a time; ``exact`` refuses times that fall between frames."""
    exact = Fraction(repr(seconds)) if isinstance(seconds, float) else Fraction(seconds)
    frames = exact * FrameRate.parse(rate).fps
    if rounding == "floor":
        return frames.numerator // frames.denominator
    if rounding == "ceil":
        return -(-frames.numerator // frames.denominator)
    if rounding == "exact":
        if frames.denominator != 1:
            raise TimecodeError(f"{seconds} s is not a whole number of frames at {rate}")
        return frames.numerator
    return int(frames + Fraction(1, 2)) if frames >= 0 else -int(-frames + Fraction(1, 2))


# -- film footage -----------------------------------------------------------------------

FRAMES_PER_FOOT_35MM = 16
_FEET = re.compile(r"^\s*(\d+)\+(\d{1,2})\s*$")


def frames_to_feet(frames: int, frames_per_foot: int = FRAMES_PER_FOOT_35MM) -> str:
    """35 mm 4-perf footage, ``feet+frames`` (``90+00`` is one minute at 24 fps)."""
    feet, rest = divmod(_check_count(frames, FrameRate(Fraction(24))), frames_per_foot)
    return f"{feet}+{rest:02d}"


def feet_to_frames(footage: str, frames_per_foot: int = FRAMES_PER_FOOT_35MM) -> int:
    """Frame count of a ``feet+frames`` footage label."""
    match = _FEET.match(footage)
    if not match or int(match[2]) >= frames_per_foot:
        raise TimecodeError(
            f"footage {footage!r} is not feet+frames",
            fix=f"write it as FEET+FF with FF below {frames_per_foot}",
        )
    return int(match[1]) * frames_per_foot + int(match[2])


# -- the value type ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timecode:
    """A frame count at a rate: a position or a duration, shown as a SMPTE label.

    Arithmetic stays in integer frames; adding or subtracting two timecodes
    requires the same rate, because mixing rates silently is how off-by-one
    labels happen.
    """

    frames: int
    rate: FrameRate

    def __post_init__(self) -> None:
        _check_count(self.frames, self.rate)
        self.rate.require_smpte()

    @classmethod
    def parse(cls, label: str, rate: FrameRate | str) -> Timecode:
        rate = FrameRate.parse(rate)
        return cls(label_to_frames(label, rate), rate)

    @classmethod
    def from_seconds(
        cls,
        seconds: Fraction | int | float | str,
        rate: FrameRate | str,
        rounding: Rounding = "nearest",
    ) -> Timecode:
        rate = FrameRate.parse(rate)
        return cls(seconds_to_frames(seconds, rate, rounding), rate)

    @property
    def label(self) -> str:
        return frames_to_label(self.frames, self.rate)

    @property
    def fields(self) -> tuple[int, int, int, int]:
        """(hours, minutes, seconds, frames) as the label shows them."""
        return frames_to_fields(self.frames, self.rate)

    @property
    def seconds(self) -> Fraction:
        return frames_to_seconds(self.frames, self.rate)

    @property
    def feet(self) -> str:
        return frames_to_feet(self.frames)

    def __str__(self) -> str:
        return self.label

    def _other_frames(self, other: object) -> int:
        if isinstance(other, Timecode):
            if other.rate != self.rate:
                raise TimecodeError(
                    f"cannot combine timecode at {self.rate} with timecode at {other.rate}",
                    fix="convert one of them to the other's rate first",
                )
            return other.frames
        if isinstance(other, numbers.Integral) and not isinstance(other, bool):
            return int(other)
        return NotImplemented  # type: ignore[no-any-return]

    def __add__(self, other: Timecode | int) -> Timecode:
        frames = self._other_frames(other)
        return (
            NotImplemented
            if frames is NotImplemented
            else Timecode(self.frames + frames, self.rate)
        )

    __radd__ = __add__

    def __sub__(self, other: Timecode | int) -> Timecode:
        frames = self._other_frames(other)
        if frames is NotImplemented:
            return NotImplemented
        if frames > self.frames:
            raise TimecodeError(f"{self} minus {other} is before 00:00:00:00")
        return Timecode(self.frames - frames, self.rate)

    def _compare(self, other: object) -> int:
        if not isinstance(other, Timecode):
            raise TypeError(f"cannot compare Timecode with {type(other).__name__}")
        return self.frames - self._other_frames(other)

    def __lt__(self, other: Timecode) -> bool:
        return self._compare(other) < 0

    def __le__(self, other: Timecode) -> bool:
        return self._compare(other) <= 0

    def __gt__(self, other: Timecode) -> bool:
        return self._compare(other) > 0

    def __ge__(self, other: Timecode) -> bool:
        return self._compare(other) >= 0


def to_frames(value: Timecode | str | int, rate: FrameRate | str) -> int:
    """A frame count from a label, a ``Timecode`` or a count, for APIs that take any."""
    if isinstance(value, Timecode):
        return value.frames
    if isinstance(value, str):
        return label_to_frames(value, rate)
    return _check_count(value, FrameRate.parse(rate))
