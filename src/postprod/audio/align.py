"""Double-system sync: where a separately recorded sound lines up with a reference, and its drift.

Coarse to fine, FFT-based, in memory bounded whatever the takes' length (each recording
is a :class:`SoundSource`: its sound at a low rate as a stream of blocks, and short
windows of it at the full rate):

1. Coarse: both signals band-limited to a low rate (2 kHz). Three chunks of
   the other (start, middle, end; up to a minute each) are kept, whitened
   (phase transform, GCC-PHAT) and found in the reference as it streams past
   in overlapping segments, so drift over a long take cannot smear the peak
   and only a segment of the reference is held at a time; a line through the
   three lags predicts the lag anywhere.
2. Fine: at several places along the overlap, a one-second window of the
   other recording is read at the full rate and correlated against the
   reference's window around the predicted lag; a parabola through the peak
   gives the sub-sample offset at that place.
3. Drift: a straight line through (place, offset) gives the offset at the
   other's first sample and the clock difference in parts per million.

Confidence is the fine windows' mean normalised correlation (1: identical).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from postprod.errors import AudioError

COARSE_RATE = 2000
FINE_WINDOW_S = 1.0
FINE_PLACES = 12
COARSE_CHUNK_S = 60.0


@dataclass(frozen=True, slots=True)
class SyncResult:
    """Where ``other`` belongs on ``reference``'s clock."""

    offset_s: float  # reference time of other's first sample (positive: other starts later)
    drift_ppm: float  # positive: other's clock runs slow (a second of it spans more reference time)
    confidence: float  # 0..1


class SoundSource(Protocol):
    """One recording as sync reads it: never more than a block or a window at a time."""

    @property
    def coarse_rate(self) -> float:
        """Samples per second of :meth:`coarse_blocks`."""
        ...

    def coarse_blocks(self) -> Iterator[NDArray[np.floating]]:
        """The mono sound, band-limited to :attr:`coarse_rate`, block after block."""
        ...

    def coarse_length(self) -> int | None:
        """How many samples :meth:`coarse_blocks` should give (from a header), or None."""
        ...

    def window(self, start: int, samples: int) -> NDArray[np.float64]:
        """Mono samples ``[start, start + samples)`` at the full rate (shorter past the end)."""
        ...


@dataclass(frozen=True, slots=True)
class ArraySource:
    """A recording already in memory (tests, short takes): decimated with a zero-phase FIR."""

    samples: NDArray[np.float64]
    sample_rate: int

    @property
    def coarse_rate(self) -> float:
        return self.sample_rate / self._down

    @property
    def _down(self) -> int:
        return max(1, self.sample_rate // COARSE_RATE)

    def coarse_blocks(self) -> Iterator[NDArray[np.floating]]:
        down = self._down
        low = self.samples
        if down > 1:
            low = signal.decimate(self.samples, down, ftype="fir", zero_phase=True)
        yield low

    def coarse_length(self) -> int | None:
        return -(-self.samples.size // self._down)

    def window(self, start: int, samples: int) -> NDArray[np.float64]:
        if start < 0:
            return np.zeros(0)
        return self.samples[start : start + samples]


def _mono(x: NDArray[np.floating]) -> NDArray[np.float64]:
    mono: NDArray[np.float64] = (
        np.asarray(x, dtype=np.float64).reshape(-1, np.shape(x)[-1]).mean(axis=0)
    )
    return mono


@dataclass(frozen=True, slots=True)
class _Pieces:
    """Chunks of the other at the low rate, where each starts, and the other's length."""

    starts: list[int]
    pieces: list[NDArray[np.float64]]
    total: int


def _pieces_of(
    blocks: Iterable[NDArray[np.floating]], low_rate: float, expected: int | None
) -> _Pieces:
    """Start, middle and end chunks of a stream, in one pass holding only those chunks.

    The chunk length and the middle's place come from ``expected`` (the length the
    file's header gives, or None: a first pass counts); the end chunk is exact.
    """
    blocks = list(blocks) if expected is None else blocks
    if expected is None:
        expected = sum(np.shape(b)[-1] for b in blocks)
    chunk = max(1, int(min(COARSE_CHUNK_S * low_rate, max(expected // 3, low_rate))))
    middle = max(0, (expected - chunk) // 2)
    head: list[NDArray[np.float64]] = []
    mid: list[NDArray[np.float64]] = []
    tail = np.zeros(0)
    done = 0
    for block in blocks:
        values = np.asarray(block, dtype=np.float64)
        end = done + values.size
        if done < chunk:
            head.append(values[: chunk - done])
        if done < middle + chunk and end > middle:
            mid.append(values[max(0, middle - done) : middle + chunk - done])
        tail = np.concatenate([tail, values])[-chunk:]
        done = end
    found = {0: np.concatenate(head) if head else np.zeros(0)}
    middle_piece = np.concatenate(mid) if mid else np.zeros(0)
    if middle + chunk <= done:
        found[middle] = middle_piece
    found[max(0, done - chunk)] = tail
    size = min(p.size for p in found.values())  # equal lengths when the take is short
    starts = sorted(found)
    return _Pieces(starts, [found[s][:size] for s in starts], done)


def _streamed_lags(
    reference: Iterable[NDArray[np.floating]], pieces: list[NDArray[np.float64]]
) -> tuple[list[int], int]:
    """Each piece's best whitened-correlation lag in the reference (in low-rate samples,
    negative: before its start), and the reference's length, reading it segment by segment.

    Segments of ``n`` samples overlap by twice the piece length, so every lag where the
    piece meets the reference is seen whole in one segment; outside the reference is
    silence, as in one correlation of the whole.
    """
    chunk = pieces[0].size
    n = 1 << max(16, int(np.ceil(np.log2(4 * chunk))))
    hop = n - 2 * chunk
    spectra = [np.conj(np.fft.rfft(p, n)) for p in pieces]
    best = [(-np.inf, 0)] * len(pieces)
    held = np.zeros(chunk)  # silence before the reference: lags down to -chunk
    origin = -chunk  # reference index of held[0]
    total = 0

    def search(segment: NDArray[np.float64], last: bool) -> None:
        spectrum = np.fft.rfft(segment, n)
        lags = origin + np.arange(n - chunk + 1)
        usable = lags < total if last else np.ones(lags.size, bool)
        for k, other in enumerate(spectra):
            cross = spectrum * other
            cross /= np.maximum(np.abs(cross), 1e-12)  # phase transform: every band counts
            correlation = np.fft.irfft(cross, n)[: n - chunk + 1]
            correlation[~usable] = -np.inf
            j = int(np.argmax(correlation))
            if correlation[j] > best[k][0]:
                best[k] = (float(correlation[j]), int(lags[j]))

    for block in reference:
        block = np.asarray(block, dtype=np.float64)
        total += block.size
        held = np.concatenate([held, block])
        while held.size >= n:
            search(held[:n], last=False)
            held = held[hop:]
            origin += hop
    search(np.pad(held, (0, n - held.size)), last=True)
    return [lag for _, lag in best], total


def _coarse(reference: SoundSource, other: SoundSource) -> tuple[float, float, int, int]:
    """(offset at other's start, slope, reference's and other's lengths in low-rate
    samples) from whitened cross-correlation of the low-rate signals.

    A line through the three chunks' lags predicts the lag anywhere along the take;
    when they disagree, the consensus (median) lag with no drift.
    """
    low_rate = other.coarse_rate
    found = _pieces_of(other.coarse_blocks(), low_rate, other.coarse_length())
    if found.total < low_rate:
        raise AudioError("sync needs at least a second of sound in each recording")
    lags_low, reference_total = _streamed_lags(reference.coarse_blocks(), found.pieces)
    if reference_total < low_rate:
        raise AudioError("sync needs at least a second of sound in each recording")
    places = [first / low_rate for first in found.starts]
    lags = [(lag - first) / low_rate for lag, first in zip(lags_low, found.starts, strict=True)]
    if len(lags) < 3:
        return float(np.median(lags)), 0.0, reference_total, found.total
    slope, intercept = np.polyfit(places, lags, 1)
    residual = np.abs(np.array(lags) - (intercept + slope * np.array(places)))
    if residual.max() > 0.005 or abs(slope) > 1e-3:  # chunks disagree: trust the consensus lag
        return float(np.median(lags)), 0.0, reference_total, found.total
    return float(intercept), float(slope), reference_total, found.total


def _fine(
    reference: SoundSource,
    other: SoundSource,
    sizes: tuple[int, int],
    rate: int,
    coarse_s: float,
    coarse_slope: float,
) -> tuple[list[tuple[float, float]], list[float]]:
    """(place in other, offset) pairs and their normalised peak correlations."""
    reference_size, other_size = sizes
    window = int(FINE_WINDOW_S * rate)
    search = int(0.02 * rate)  # +-20 ms around the coarse prediction
    lag0 = round(coarse_s * rate)
    drift_samples = int(abs(coarse_slope) * other_size) + 1
    first = max(0, -lag0) + search + drift_samples
    last = min(other_size, reference_size - lag0) - window - search - drift_samples
    if last <= first:
        raise AudioError("the recordings overlap by less than a second", fix="check the files")
    places = np.linspace(first, last, FINE_PLACES).astype(int)
    found, scores = [], []
    for start in places:
        piece = _mono(other.window(int(start), window))
        predicted = lag0 + round(coarse_slope * start)
        ref_start = int(start + predicted - search)
        region = _mono(reference.window(ref_start, window + 2 * search))
        if piece.size < window or region.size < window + 2 * search or not piece.any():
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


def sync_sources(
    reference: SoundSource,
    other: SoundSource,
    sample_rate: int,
    *,
    sizes: tuple[int, int] | None = None,
) -> SyncResult:
    """Offset, drift and confidence of ``other`` against ``reference`` (both read at
    ``sample_rate``); ``sizes`` (their lengths at that rate) when known exactly, else
    estimated from the low-rate streams."""
    coarse, coarse_slope, reference_low, other_low = _coarse(reference, other)
    if sizes is None:
        scale = sample_rate / other.coarse_rate
        sizes = (round(reference_low * scale), round(other_low * scale))
    if min(sizes) < sample_rate:
        raise AudioError("sync needs at least a second of sound in each recording")
    points, scores = _fine(reference, other, sizes, sample_rate, coarse, coarse_slope)
    if len(points) < 2:
        return SyncResult(coarse, 0.0, float(np.mean(scores)) if scores else 0.0)
    places = np.array([p for p, _ in points])
    offsets = np.array([o for _, o in points])
    weights = np.clip(np.array(scores), 1e-3, None)
    slope, intercept = np.polyfit(places, offsets, 1, w=weights)
    # offset(t) = intercept + slope * t: the other's second t sits at t + offset(t) on the
    # reference, so each of its seconds spans (1 + slope) reference seconds.
    return SyncResult(float(intercept), float(slope * 1e6), float(np.clip(np.mean(scores), 0, 1)))


def find_sync(
    reference: NDArray[np.floating], other: NDArray[np.floating], sample_rate: int
) -> SyncResult:
    """Offset, drift and confidence of ``other`` against ``reference`` (same sample rate),
    both in memory; files are synced by :func:`sync_sources` without reading them whole."""
    a, b = _mono(reference), _mono(other)
    if a.size < sample_rate or b.size < sample_rate:
        raise AudioError("sync needs at least a second of sound in each recording")
    return sync_sources(
        ArraySource(a, sample_rate),
        ArraySource(b, sample_rate),
        sample_rate,
        sizes=(a.size, b.size),
    )
