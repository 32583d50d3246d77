"""Frame rates as exact fractions, with the SMPTE ST 12-1 drop-frame flag.

A rate is never a float: 29.97 means 30000/1001 exactly, and 23.976 means
24000/1001. Drop-frame counting exists only at 30000/1001 and 60000/1001.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from postprod.errors import TimecodeError

#: The rates SMPTE ST 12-1 timecode is written at, by nominal frames per second.
SMPTE_RATES: tuple[Fraction, ...] = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(48000, 1001),
    Fraction(48),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
)

#: Rates where drop-frame counting exists, and how many labels each minute drops.
_DROPPED_PER_MINUTE = {Fraction(30000, 1001): 2, Fraction(60000, 1001): 4}

_RATE_TEXT = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)(?:/(?P<den>\d+))?\s*(?P<mode>df|ndf|drop|nondrop)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FrameRate:
    """An exact frame rate and whether timecode at it counts drop-frame."""

    fps: Fraction
    drop_frame: bool = False

    def __post_init__(self) -> None:
        if self.fps <= 0:
            raise TimecodeError(f"frame rate {self.fps} is not positive", fix="give a rate > 0")
        if self.drop_frame and self.fps not in _DROPPED_PER_MINUTE:
            raise TimecodeError(
                f"drop-frame timecode does not exist at {_display(self.fps)} fps",
                fix="drop-frame is only defined at 29.97 and 59.94; use a non-drop rate",
            )

    @classmethod
    def parse(cls, value: str | int | float | Fraction | FrameRate) -> FrameRate:
        """Read ``29.97``, ``29.97df``, ``30000/1001``, ``25``, ``59.94ndf`` and the like.

        Decimal NTSC spellings (23.976, 23.98, 29.97, 47.952, 59.94) mean the
        exact N*1000/1001 rate. 29.97 and 59.94 count drop-frame unless the
        text says ``ndf``, as broadcast practice expects.
        """
        if isinstance(value, FrameRate):
            return value
        mode: str | None = None
        if isinstance(value, str):
            match = _RATE_TEXT.match(value)
            if not match:
                raise TimecodeError(
                    f"frame rate {value!r} is not a rate",
                    fix="write it as 25, 29.97, 29.97df, 29.97ndf or 30000/1001",
                )
            den = match["den"]
            if den and Fraction(den) == 0:
                raise TimecodeError(
                    f"frame rate {value!r} divides by zero", fix="write it as 30000/1001 or 25"
                )
            fps = Fraction(match["num"]) / (Fraction(den) if den else 1)
            mode = (match["mode"] or "").lower() or None
        elif isinstance(value, float):
            fps = Fraction(repr(value))
        else:
            fps = Fraction(value)
        fps = _snap_ntsc(fps)
        drop = fps in _DROPPED_PER_MINUTE if mode is None else mode in ("df", "drop")
        return cls(fps, drop)

    @property
    def nominal(self) -> int:
        """Frames per timecode second: 30 for 29.97, 24 for 23.976."""
        return round(self.fps)

    @property
    def is_smpte(self) -> bool:
        """Whether SMPTE ST 12-1 timecode is defined at this rate."""
        return self.fps in SMPTE_RATES

    @property
    def dropped_per_minute(self) -> int:
        """Labels skipped at the start of each minute not divisible by ten (0 for non-drop)."""
        return _DROPPED_PER_MINUTE[self.fps] if self.drop_frame else 0

    @property
    def frames_per_day(self) -> int:
        """Frame count of 24 hours of timecode; labels wrap after it."""
        return 24 * 6 * (600 * self.nominal - 9 * self.dropped_per_minute)

    def require_smpte(self) -> None:
        """Refuse rates at which SMPTE timecode labels are not defined."""
        if not self.is_smpte:
            allowed = ", ".join(_display(r) for r in SMPTE_RATES)
            raise TimecodeError(
                f"SMPTE timecode is not defined at {_display(self.fps)} fps",
                fix=f"use one of {allowed}",
            )

    def with_drop_frame(self, drop_frame: bool) -> FrameRate:
        return FrameRate(self.fps, drop_frame)

    def __str__(self) -> str:
        text = _display(self.fps)
        if self.fps in _DROPPED_PER_MINUTE:
            text += "df" if self.drop_frame else "ndf"
        return text


def _snap_ntsc(fps: Fraction) -> Fraction:
    """Map a rounded decimal NTSC rate (29.97, 23.976, 23.98) to N*1000/1001."""
    if fps.denominator == 1 or fps.denominator == 1001:
        return fps
    nominal = round(fps)
    ntsc = Fraction(nominal * 1000, 1001)
    if nominal in (24, 30, 48, 60) and abs(fps - ntsc) < Fraction(1, 100):
        return ntsc
    return fps


def _display(fps: Fraction) -> str:
    if fps.denominator == 1:
        return str(fps.numerator)
    if fps.denominator == 1001:
        return f"{float(fps):.3f}".rstrip("0")
    return f"{fps.numerator}/{fps.denominator}"
