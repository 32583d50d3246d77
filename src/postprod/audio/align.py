"""Double-system sync: where a separately recorded sound lines up with a reference, and its drift.

Coarse to fine, FFT-based:

1. Coarse: both signals band-limited and decimated to 2 kHz; three chunks
   of the other (start, middle, end) are whitened (phase transform,
   GCC-PHAT) and found in the whole reference, so drift over a long take
   cannot smear the peak; a line through them predicts the lag anywhere.
2. Fine: at several places along the overlap, a one-second window of the
   other recording is correlated at the full rate against the reference
   around the predicted lag; a parabola through the peak gives the
   sub-sample offset at that place.
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


def _coarse(
    reference: NDArray[np.float64], other: NDArray[np.float64], rate: int
) -> tuple[float, float]:
    """(offset at other's start, slope) from whitened cross-correlation of decimated signals.

    Three chunks of the other (start, middle, end; up to a minute each) are found in the
    whole reference, so clock drift over a long take does not smear the correlation peak;
    a line through their lags predicts the lag anywhere along the take.
    """
    down = max(1, rate // COARSE_RATE)
    a = signal.decimate(reference, down, ftype="fir", zero_phase=True) if down > 1 else reference
    b = signal.decimate(other, down, ftype="fir", zero_phase=True) if down > 1 else other
    low_rate = rate / down
    chunk = int(min(60 * low_rate, max(b.size // 3, low_rate)))
    starts = sorted({0, max(0, (b.size - chunk) // 2), max(0, b.size - chunk)})
    n = 1 << int(np.ceil(np.log2(a.size + chunk)))
    reference_spectrum = np.fft.rfft(a, n)
    places, lags = [], []
    for first in starts:
        piece = b[first : first + chunk]
        spectrum = reference_spectrum * np.conj(np.fft.rfft(piece, n))
        spectrum /= np.maximum(np.abs(spectrum), 1e-12)  # phase transform: every band counts
        correlation = np.fft.irfft(spectrum, n)
        lag = int(np.argmax(correlation))
        if lag >= a.size:  # circular: lags past the reference's end are negative ones
            lag -= n
        places.append(first / low_rate)
        lags.append((lag - first) / low_rate)  # offset of other's first sample, from this chunk
    if len(lags) < 3:
        return float(np.median(lags)), 0.0
    slope, intercept = np.polyfit(places, lags, 1)
    residual = np.abs(np.array(lags) - (intercept + slope * np.array(places)))
    if residual.max() > 0.005 or abs(slope) > 1e-3:  # chunks disagree: trust the consensus lag
        return float(np.median(lags)), 0.0
    return float(intercept), float(slope)


def _fine(
    reference: NDArray[np.float64],
    other: NDArray[np.float64],
    rate: int,
    coarse_s: float,
    coarse_slope: float,
) -> tuple[list[tuple[float, float]], list[float]]:
    """(place in other, offset) pairs and their normalised peak correlations."""
    window = int(FINE_WINDOW_S * rate)
    search = int(0.02 * rate)  # +-20 ms around the coarse prediction
    lag0 = round(coarse_s * rate)
    drift_samples = int(abs(coarse_slope) * other.size) + 1
    first = max(0, -lag0) + search + drift_samples
    last = min(other.size, reference.size - lag0) - window - search - drift_samples
    if last <= first:
        raise AudioError("the recordings overlap by less than a second", fix="check the files")
    places = np.linspace(first, last, FINE_PLACES).astype(int)
    found, scores = [], []
    for start in places:
        piece = other[start : start + window]
        predicted = lag0 + round(coarse_slope * start)
        ref_start = start + predicted - search
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
    coarse, coarse_slope = _coarse(a, b, sample_rate)
    points, scores = _fine(a, b, sample_rate, coarse, coarse_slope)
    if len(points) < 2:
        return SyncResult(coarse, 0.0, float(np.mean(scores)) if scores else 0.0)
    places = np.array([p for p, _ in points])
    offsets = np.array([o for _, o in points])
    weights = np.clip(np.array(scores), 1e-3, None)
    slope, intercept = np.polyfit(places, offsets, 1, w=weights)
    # offset(t) = intercept + slope * t: the other's second t sits at t + offset(t) on the
    # reference, so each of its seconds spans (1 + slope) reference seconds.
    return SyncResult(float(intercept), float(slope * 1e6), float(np.clip(np.mean(scores), 0, 1)))
