"""Double-system sync: where a separately recorded sound lines up with a reference, and its drift.

Coarse to fine, FFT-based:

1. Coarse: both signals band-limited and decimated to 2 kHz, whitened
   (phase transform, GCC-PHAT) and cross-correlated over their whole length:
   the peak gives the offset to a millisecond or so, whatever the content.
2. Fine: at several places along the overlap, a one-second window of the
   other recording is correlated at the full rate against the reference
   around the coarse lag; a parabola through the peak gives the sub-sample
   offset at that place.
3. Drift: a straight line through (place, offset) gives the offset at the
   other's first sample and the clock difference in parts per million.

Confidence is the fine windows' mean normalised correlation (1: identical).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from postprod.errors import AudioError

COARSE_RATE = 2000
FINE_WINDOW_S = 1.0
FINE_PLACES = 12


@dataclass(frozen=True, slots=True)
class SyncResult:
    """Where ``other`` belongs on ``reference``'s clock."""

    offset_s: float  # reference time of other's first sample (positive: other starts later)
    drift_ppm: float  # positive: other's clock runs slow (a second of it spans more reference time)
    confidence: float  # 0..1


def _mono(x: NDArray[np.floating]) -> NDArray[np.float64]:
    mono: NDArray[np.float64] = (
        np.asarray(x, dtype=np.float64).reshape(-1, np.shape(x)[-1]).mean(axis=0)
    )
    return mono


def _coarse(reference: NDArray[np.float64], other: NDArray[np.float64], rate: int) -> float:
    """Offset in seconds from whitened cross-correlation of decimated signals."""
    down = max(1, rate // COARSE_RATE)
    a = signal.decimate(reference, down, ftype="fir", zero_phase=True) if down > 1 else reference
    b = signal.decimate(other, down, ftype="fir", zero_phase=True) if down > 1 else other
    n = 1 << int(np.ceil(np.log2(a.size + b.size)))
    spectrum = np.fft.rfft(a, n) * np.conj(np.fft.rfft(b, n))
    spectrum /= np.maximum(np.abs(spectrum), 1e-12)  # phase transform: every band counts
    correlation = np.fft.irfft(spectrum, n)
    lag = int(np.argmax(correlation))
    if lag > n // 2:
        lag -= n
    return lag * down / rate


def _fine(
    reference: NDArray[np.float64], other: NDArray[np.float64], rate: int, coarse_s: float
) -> tuple[list[tuple[float, float]], list[float]]:
    """(place in other, offset) pairs and their normalised peak correlations."""
    window = int(FINE_WINDOW_S * rate)
    search = int(0.02 * rate)  # +-20 ms around the coarse lag (covers drift over a long take)
    lag0 = round(coarse_s * rate)
    first = max(0, -lag0) + search
    last = min(other.size, reference.size - lag0) - window - search
    if last <= first:
        raise AudioError("the recordings overlap by less than a second", fix="check the files")
    places = np.linspace(first, last, FINE_PLACES).astype(int)
    found, scores = [], []
    for start in places:
        piece = other[start : start + window]
        ref_start = start + lag0 - search
        region = reference[ref_start : ref_start + window + 2 * search]
        if region.size < window + 2 * search or not piece.any():
            continue
        corr = signal.correlate(region, piece, mode="valid", method="fft")
        energy = np.sqrt(np.convolve(region**2, np.ones(window), mode="valid") * np.sum(piece**2))
        norm = corr / np.maximum(energy, 1e-12)
        k = int(np.argmax(norm))
        delta = 0.0
        if 0 < k < norm.size - 1:  # parabola through the peak and its neighbours
            y0, y1, y2 = norm[k - 1], norm[k], norm[k + 1]
            denominator = y0 - 2 * y1 + y2
            delta = 0.5 * (y0 - y2) / denominator if denominator else 0.0
        lag = ref_start + k + delta - start
        found.append((start / rate, lag / rate))
        scores.append(float(norm[k]))
    return found, scores


def find_sync(
    reference: NDArray[np.floating], other: NDArray[np.floating], sample_rate: int
) -> SyncResult:
    """Offset, drift and confidence of ``other`` against ``reference`` (same sample rate)."""
    a, b = _mono(reference), _mono(other)
    if a.size < sample_rate or b.size < sample_rate:
        raise AudioError("sync needs at least a second of sound in each recording")
    coarse = _coarse(a, b, sample_rate)
    points, scores = _fine(a, b, sample_rate, coarse)
    if len(points) < 2:
        return SyncResult(coarse, 0.0, float(np.mean(scores)) if scores else 0.0)
    places = np.array([p for p, _ in points])
    offsets = np.array([o for _, o in points])
    weights = np.clip(np.array(scores), 1e-3, None)
    slope, intercept = np.polyfit(places, offsets, 1, w=weights)
    # offset(t) = intercept + slope * t: the other's second t sits at t + offset(t) on the
    # reference, so each of its seconds spans (1 + slope) reference seconds.
    return SyncResult(float(intercept), float(slope * 1e6), float(np.clip(np.mean(scores), 0, 1)))
