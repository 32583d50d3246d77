"""Bringing a programme to its loudness target when a limiter stands between gain and level.

Gain before a limiter does not raise the loudness dB for dB: the limiter
takes back part of it, so one measured correction lands short (a punchy
programme normalised to -14 LUFS with a -1 dBTP ceiling came out at -15.3).
:func:`converge_gain` measures again after each correction and steps by the
secant through the last two measurements (the loudness gained per dB of
gain, kept between 0.2 and 1) until the programme is within ``aim_lu`` of
the target, or says it could not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: How close a delivery aims: well inside every preset's tolerance, and above the meter's noise.
AIM_LU = 0.1
MAX_PASSES = 6


@dataclass(frozen=True, slots=True)
class Converged:
    """The gain found, what it measured, and how many measuring passes it took."""

    gain_db: float
    measured_lufs: float
    passes: int
    within: bool


def converge_gain(
    measure: Callable[[float], float],
    target_lufs: float,
    first_gain_db: float,
    *,
    aim_lu: float = AIM_LU,
    max_passes: int = MAX_PASSES,
) -> Converged:
    """The gain (dB) at which ``measure(gain_db)`` (integrated LUFS) is within ``aim_lu`` of
    ``target_lufs``, starting from ``first_gain_db``."""
    gain = first_gain_db
    measured = measure(gain)
    previous: tuple[float, float] | None = None
    passes = 1
    while abs(target_lufs - measured) > aim_lu and passes < max_passes:
        slope = 1.0
        if previous is not None and gain != previous[0]:
            slope = min(1.0, max(0.2, (measured - previous[1]) / (gain - previous[0])))
        previous = (gain, measured)
        gain += (target_lufs - measured) / slope
        measured = measure(gain)
        passes += 1
    return Converged(gain, measured, passes, abs(target_lufs - measured) <= aim_lu)
