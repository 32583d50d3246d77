"""Automation: breakpoint envelopes in timeline time, evaluated for a block of samples at once.

A breakpoint sits at a sample (``sample``) or a time (``time_s``, placed at
``round(time_s * rate)``), says the value there and the curve that leads to
the next one: ``linear``, ``hold`` (a step at the next point), ``s-curve``
(smoothstep ``3x² - 2x³``, for gentle moves) or ``exponential`` (geometric:
``a * (b / a) ** x`` when both values have one sign, else linear; for values
already in dB, linear *is* exponential in amplitude). Before the first point
the first value holds, after the last the last. Evaluation is vectorised
(``searchsorted`` over the block), so gain and pan are sample-accurate, and
the value at a breakpoint's sample is exactly its value.

The console's settings (``effects.console``) hold automation as plain
``(time_s, value, curve)`` breakpoints; :func:`envelope_of` and
:meth:`ParamAutomation.of` make the engine's envelopes from them, so there is
one stored format and this module only evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from postprod.effects.console import AUTOMATION_CURVES as CURVES
from postprod.effects.console import InsertAutomation, Points
from postprod.errors import AudioError

__all__ = ["CURVES", "Breakpoint", "Envelope", "ParamAutomation", "envelope_of"]


@dataclass(frozen=True, slots=True)
class Breakpoint:
    """A value at a time (or an exact sample), and the shape of the move to the next one."""

    time_s: float
    value: float
    curve: str = "linear"
    sample: int | None = None  # when given, the exact position (time_s is then ignored)

    @staticmethod
    def at_sample(sample: int, value: float, curve: str = "linear") -> Breakpoint:
        """A breakpoint at an exact sample."""
        return Breakpoint(0.0, value, curve, sample)

    def position(self, sample_rate: int) -> int:
        """The breakpoint's sample at ``sample_rate``."""
        return self.sample if self.sample is not None else round(self.time_s * sample_rate)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Breakpoints in time order."""

    points: tuple[Breakpoint, ...]

    def __post_init__(self) -> None:
        if not self.points:
            raise AudioError("an automation envelope needs at least one breakpoint")
        for kind in ("time", "sample"):
            keys = [
                p.time_s if kind == "time" else p.sample
                for p in self.points
                if (p.sample is None) == (kind == "time")
            ]
            if keys != sorted(keys):  # type: ignore[type-var]
                raise AudioError("automation breakpoints must be in time order", fix="sort them")
        for point in self.points:
            if point.curve not in CURVES:
                raise AudioError(
                    f"unknown automation curve {point.curve!r}",
                    fix=f"use one of {', '.join(CURVES)}",
                )

    def values(self, start: int, count: int, sample_rate: int) -> NDArray[np.float64]:
        """The envelope at samples ``start`` .. ``start + count`` (sample-accurate)."""
        positions = np.array([p.position(sample_rate) for p in self.points], dtype=np.int64)
        if np.any(np.diff(positions) < 0):
            raise AudioError("automation breakpoints must be in time order", fix="sort them")
        values = np.array([p.value for p in self.points])
        t = start + np.arange(count, dtype=np.int64)
        segment = np.clip(np.searchsorted(positions, t, side="right") - 1, 0, len(positions) - 1)
        nxt = np.minimum(segment + 1, len(positions) - 1)
        span = (positions[nxt] - positions[segment]).astype(np.float64)
        offset = (t - positions[segment]).astype(np.float64)
        x = np.clip(np.where(span > 0, offset / np.where(span > 0, span, 1.0), 0.0), 0.0, 1.0)
        curves = np.array([CURVES.index(p.curve) for p in self.points])[segment]
        shaped = np.select(
            [curves == 1, curves == 2], [np.zeros_like(x), x * x * (3 - 2 * x)], default=x
        )
        a, b = values[segment], values[nxt]
        result: NDArray[np.float64] = a + (b - a) * shaped
        exponential = (curves == 3) & (a * b > 0)
        if exponential.any():  # in the log domain, so tiny or huge values cannot overflow
            log_a = np.log(np.where(exponential, np.abs(a), 1.0))
            log_b = np.log(np.where(exponential, np.abs(b), 1.0))
            geometric = np.sign(a) * np.exp(log_a + (log_b - log_a) * x)
            result = np.where(exponential, geometric, result)
        return result

    def value_range(self) -> tuple[float, float]:
        """The lowest and highest value the envelope takes."""
        values = [p.value for p in self.points]
        return min(values), max(values)


def envelope_of(points: Points) -> Envelope | None:
    """The envelope of a setting's breakpoints (``None`` when there are none)."""
    return Envelope(_breakpoints(points)) if points else None


def _breakpoints(points: Points) -> tuple[Breakpoint, ...]:
    return tuple(Breakpoint(time_s, value, curve) for time_s, value, curve in points)


@dataclass(frozen=True, slots=True)
class ParamAutomation:
    """An envelope on one parameter of one insert (by its index in the chain)."""

    insert_index: int
    param: str
    envelope: Envelope

    @staticmethod
    def of(ride: InsertAutomation) -> ParamAutomation:
        """The engine's form of a setting's insert automation."""
        return ParamAutomation(ride.insert_index, ride.param, Envelope(_breakpoints(ride.points)))
