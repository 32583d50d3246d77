"""Automation: breakpoint envelopes in timeline time, evaluated for a block of samples at once.

Each breakpoint says the value at its time and the curve that leads to the
next one: ``linear``, ``hold`` (a step at the next point), ``s-curve``
(smoothstep, for gentle moves) or ``exponential`` (even steps in dB for a
gain envelope given in linear terms; for values already in dB use linear).
Before the first point the first value holds, after the last the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from postprod.errors import AudioError

CURVES = ("linear", "hold", "s-curve", "exponential")


@dataclass(frozen=True, slots=True)
class Breakpoint:
    """A value at a time, and the shape of the move to the next breakpoint."""

    time_s: float
    value: float
    curve: str = "linear"


@dataclass(frozen=True, slots=True)
class Envelope:
    """Breakpoints in time order."""

    points: tuple[Breakpoint, ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise AudioError("an automation envelope needs at least one breakpoint")
        times = [p.time_s for p in self.points]
        if times != sorted(times):
            raise AudioError("automation breakpoints must be in time order", fix="sort them")
        for point in self.points:
            if point.curve not in CURVES:
                raise AudioError(
                    f"unknown automation curve {point.curve!r}",
                    fix=f"use one of {', '.join(CURVES)}",
                )

    def values(self, start: int, count: int, sample_rate: int) -> NDArray[np.float64]:
        """The envelope at samples ``start`` .. ``start + count`` (sample-accurate)."""
        t = (start + np.arange(count)) / sample_rate
        times = np.array([p.time_s for p in self.points])
        values = np.array([p.value for p in self.points])
        segment = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 1)
        nxt = np.minimum(segment + 1, len(times) - 1)
        span = times[nxt] - times[segment]
        x = np.where(span > 0, (t - times[segment]) / np.where(span > 0, span, 1), 0.0)
        x = np.clip(x, 0.0, 1.0)
        curves = np.array([CURVES.index(p.curve) for p in self.points])[segment]
        shaped = np.select(
            [curves == 1, curves == 2],
            [np.zeros_like(x), x * x * (3 - 2 * x)],
            default=x,
        )
        a, b = values[segment], values[nxt]
        result: NDArray[np.float64] = a + (b - a) * shaped
        exponential = (curves == 3) & (a > 0) & (b > 0)
        if exponential.any():
            ratio = np.where(exponential, b / np.where(a > 0, a, 1), 1.0)
            result = np.where(exponential, a * ratio**x, result)
        return result
