"""Gain smoothing for dynamics (ducking, the de-esser), vectorised with one-pole filters.

A one-pole low-pass ``y[n] = (1 - p) x[n] + p y[n-1]`` with ``p = exp(-1 / (tau * rate))``
runs through :func:`scipy.signal.lfilter` (C, not a Python loop), its state kept
from block to block. Attack and release are two such smoothers over the same
target gain reduction; taking the larger of the two gives a reduction that
rises at the attack rate and falls at the release rate.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def pole(time_ms: float, sample_rate: int) -> float:
    """The one-pole coefficient for a time constant (63 % of a step after ``time_ms``)."""
    return float(np.exp(-1.0 / (max(time_ms, 0.001) * 1e-3 * sample_rate)))


class OnePole:
    """A one-pole low-pass over a 1-D signal, state kept across blocks."""

    def __init__(self, time_ms: float, sample_rate: int, initial: float = 0.0) -> None:
        self.p = pole(time_ms, sample_rate)
        self._zi = np.array([initial * self.p])

    def __call__(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        from scipy import signal  # imported when first used: it takes ~0.8 s

        out, self._zi = signal.lfilter([1.0 - self.p], [1.0, -self.p], x, zi=self._zi)
        result: NDArray[np.float64] = out
        return result


class AttackRelease:
    """Smooths a gain reduction (dB, >= 0): up at the attack rate, down at the release rate."""

    def __init__(self, attack_ms: float, release_ms: float, sample_rate: int) -> None:
        self._attack = OnePole(attack_ms, sample_rate)
        self._release = OnePole(release_ms, sample_rate)

    def __call__(self, reduction_db: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.maximum(self._attack(reduction_db), self._release(reduction_db))


class LevelFollower:
    """Signal power (max over channels) smoothed over ``time_ms``, in dB."""

    def __init__(self, time_ms: float, sample_rate: int) -> None:
        self._smooth = OnePole(time_ms, sample_rate)

    def __call__(self, block: NDArray[np.float32]) -> NDArray[np.float64]:
        power = np.max(np.square(block, dtype=np.float64), axis=0)
        return 10.0 * np.log10(self._smooth(power) + 1e-30)
