"""Dubbing (ADR): make a replacement take follow the guide track's timing, as VocALign does.

1. Features: log-mel spectra every 10 ms, each band's mean removed, so a
   different microphone, room or level does not look like different words.
2. Dynamic time warping inside a band around the diagonal (compiled with
   Numba, memory linear in the take's length) finds which replacement frame
   matches each guide frame.
3. The path becomes a smooth, monotonic time map, and Rubber Band (through
   pedalboard) stretches the replacement with a stretch factor that varies
   along it, so each syllable lands where the guide has it; pitch is kept.

The sync error is measured the same way before and after: a fresh warp of
the guide against the take gives, at every voiced guide frame, how far the
take's matching sound is from it in time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.errors import AudioError

HOP_S = 0.01
WINDOW_S = 0.025
MEL_BANDS = 40
MAX_SHIFT_S = 2.0  # how far a syllable may sit from where the guide has it
SMOOTH_S = 0.06  # the time map is averaged over this much, so the stretch does not flutter
SPEED_LIMITS = (0.25, 4.0)  # a replacement is never squeezed or stretched beyond these
KNOT_TOLERANCE_S = 0.004  # the straight pieces stay this close to the time map
CONTEXT_S = 0.05  # Rubber Band hears this much either side of a piece
CROSSFADE_S = 0.005  # pieces overlap by twice this at their joins


@dataclass(frozen=True, slots=True)
class SyncError:
    """How far the take's sounds sit from the guide's, over the guide's voiced frames."""

    median_ms: float
    p95_ms: float

    def to_json(self) -> dict[str, float]:
        return {"median": round(self.median_ms, 2), "p95": round(self.p95_ms, 2)}


@dataclass(frozen=True, slots=True)
class Alignment:
    """An aligned take (the guide's length) and what the alignment achieved."""

    audio: NDArray[np.float32]  # (channels, guide samples)
    error_before: SyncError
    error_after: SyncError
    guide_s: NDArray[np.float64]  # the time map: guide times ...
    replacement_s: NDArray[np.float64]  # ... and the replacement times that belong there


def align_take(
    guide: NDArray[np.floating],
    replacement: NDArray[np.floating],
    sample_rate: int,
    *,
    max_shift_s: float = MAX_SHIFT_S,
) -> Alignment:
    """Stretch ``replacement`` (channels, n) so it follows ``guide``'s timing; guide length out."""
    guide_mono, take_mono = _mono(guide), _mono(replacement)
    for name, x in (("guide", guide_mono), ("replacement", take_mono)):
        if x.size < 4 * _window(sample_rate) or not np.any(x):
            raise AudioError(f"the {name} is silent or shorter than a syllable; nothing to align")
    guide_features, voiced = features(guide_mono, sample_rate)
    take_features, _ = features(take_mono, sample_rate)
    guide_s, take_s = time_map(guide_features, take_features, max_shift_s=max_shift_s)
    before = _error(guide_s, take_s, voiced)
    aligned = stretch_to_map(
        np.atleast_2d(np.asarray(replacement, dtype=np.float32)),
        sample_rate,
        guide_s,
        take_s,
        samples=guide_mono.size,
    )
    check_s, check_take_s = time_map(
        guide_features, features(_mono(aligned), sample_rate)[0], max_shift_s=max_shift_s
    )
    return Alignment(aligned, before, _error(check_s, check_take_s, voiced), guide_s, take_s)


def features(
    x: NDArray[np.float64], sample_rate: int
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Mean-removed log-mel frames (frames, bands) every 10 ms, and which frames are voiced."""
    window, hop = _window(sample_rate), round(HOP_S * sample_rate)
    padded = np.pad(x, (window // 2, window // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop]
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(window), axis=1)) ** 2
    mel = spectrum @ _mel_bank(window, sample_rate).T
    energy_db = 10 * np.log10(mel.sum(axis=1) + 1e-12)
    voiced = energy_db > energy_db.max() - 40.0
    log_mel = np.log(mel + 1e-10 * max(float(mel.max()), 1e-20))
    log_mel -= log_mel[voiced].mean(axis=0) if voiced.any() else log_mel.mean(axis=0)
    return log_mel.astype(np.float32), voiced


def time_map(
    guide: NDArray[np.float32],
    take: NDArray[np.float32],
    *,
    max_shift_s: float = MAX_SHIFT_S,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(guide times, take times) in seconds, one per guide frame: smooth and non-decreasing."""
    band = max(2, round(max_shift_s / HOP_S))
    lo = _band_starts(guide.shape[0], take.shape[0], band)
    path_i, path_j = _warp(guide, take, lo, 2 * band + 1)
    counts = np.bincount(path_i, minlength=guide.shape[0])
    matched = np.bincount(path_i, weights=path_j, minlength=guide.shape[0]) / np.maximum(counts, 1)
    width = max(1, round(SMOOTH_S / HOP_S))
    smooth = np.convolve(np.pad(matched, width, mode="edge"), np.ones(width) / width, mode="same")
    smooth = np.maximum.accumulate(smooth[width:-width])
    guide_s: NDArray[np.float64] = np.arange(guide.shape[0], dtype=np.float64) * HOP_S
    take_s: NDArray[np.float64] = np.asarray(smooth * HOP_S, dtype=np.float64)
    return guide_s, take_s


def stretch_to_map(
    take: NDArray[np.float32],
    sample_rate: int,
    guide_s: NDArray[np.float64],
    take_s: NDArray[np.float64],
    *,
    samples: int,
) -> NDArray[np.float32]:
    """The take stretched so the sound at ``take_s[k]`` plays at ``guide_s[k]``; ``samples`` long.

    The map is simplified to straight pieces (within ``KNOT_TOLERANCE_S``) and
    each piece is stretched by Rubber Band at its own constant ratio, with
    context either side, then the pieces are cross-faded at their joins.
    Rubber Band's time-varying ratio lags its changes by tens of
    milliseconds; constant ratios land within a millisecond or two.
    """
    from pedalboard import time_stretch  # the native library loads when used

    channels, length = take.shape
    knots = _knots(guide_s, take_s, KNOT_TOLERANCE_S)
    at_guide = np.round(guide_s[knots] * sample_rate).astype(np.int64)
    at_take = np.round(take_s[knots] * sample_rate).astype(np.int64)
    at_guide[-1] = samples  # the last piece runs to the guide's end
    margin, fade = round(CONTEXT_S * sample_rate), round(CROSSFADE_S * sample_rate)
    pieces = []
    for k in range(knots.size - 1):
        g0, g1, t0, t1 = at_guide[k], at_guide[k + 1], at_take[k], at_take[k + 1]
        lo, hi = max(0, t0 - margin), min(length, t1 + margin)
        if g1 > g0 and hi > lo and np.any(take[:, lo:hi]):
            pieces.append((k, g0, g1, t0, lo, hi))

    def stretched(piece: tuple[int, ...]) -> NDArray[np.float32]:
        k, g0, g1, t0, lo, hi = piece
        ratio = float(np.clip((at_take[k + 1] - t0) / (g1 - g0), *SPEED_LIMITS))
        result = time_stretch(np.ascontiguousarray(take[:, lo:hi]), float(sample_rate), ratio)
        first = round((t0 - lo) / ratio) - fade  # output sample that plays at g0 - fade
        return _slice(result, first, (g1 - g0) + 2 * fade)

    out = np.zeros((channels, samples + 2 * fade), np.float32)  # offset by ``fade``
    with ThreadPoolExecutor(os.cpu_count()) as pool:  # Rubber Band lets go of the GIL
        for (k, g0, g1, *_), part in zip(pieces, pool.map(stretched, pieces), strict=True):
            out[:, g0 : g1 + 2 * fade] += part * _joins(g1 - g0, fade, k == 0, k == knots.size - 2)
    aligned: NDArray[np.float32] = out[:, fade : fade + samples]
    return aligned


def _knots(x: NDArray[np.float64], y: NDArray[np.float64], tolerance: float) -> NDArray[np.int64]:
    """Indices of the points a straight-line simplification keeps (Ramer-Douglas-Peucker)."""
    keep = {0, x.size - 1}
    pending = [(0, x.size - 1)]
    while pending:
        a, b = pending.pop()
        if b - a < 2:
            continue
        line = np.interp(x[a + 1 : b], (x[a], x[b]), (y[a], y[b]))
        worst = int(np.argmax(np.abs(y[a + 1 : b] - line)))
        if abs(y[a + 1 + worst] - line[worst]) > tolerance:
            keep.add(a + 1 + worst)
            pending += [(a, a + 1 + worst), (a + 1 + worst, b)]
    return np.array(sorted(keep), dtype=np.int64)


def _slice(x: NDArray[np.float32], first: int, count: int) -> NDArray[np.float32]:
    """``x[:, first:first + count]``, zeros where that reaches outside ``x``."""
    part = np.zeros((x.shape[0], count), np.float32)
    lo, hi = max(first, 0), min(first + count, x.shape[1])
    if hi > lo:
        part[:, lo - first : hi - first] = x[:, lo:hi]
    return part


def _joins(inside: int, fade: int, first: bool, last: bool) -> NDArray[np.float32]:
    """A piece's weight: raised-cosine ramps over ``2 * fade`` at each join, summing to one."""
    ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(2 * fade) + 0.5) / (2 * fade))).astype(np.float32)
    weight = np.ones(inside + 2 * fade, np.float32)
    weight[: 2 * fade] = 1.0 if first else ramp
    weight[-2 * fade :] = np.minimum(weight[-2 * fade :], 1.0 if last else ramp[::-1])
    return weight


def _error(
    guide_s: NDArray[np.float64], take_s: NDArray[np.float64], voiced: NDArray[np.bool_]
) -> SyncError:
    off_ms = np.abs(take_s - guide_s)[voiced[: guide_s.size]] * 1000.0
    if off_ms.size == 0:
        return SyncError(0.0, 0.0)
    return SyncError(float(np.median(off_ms)), float(np.percentile(off_ms, 95)))


def _mono(x: NDArray[np.floating]) -> NDArray[np.float64]:
    a = np.asarray(x, dtype=np.float64)
    mono: NDArray[np.float64] = a.reshape(-1, a.shape[-1]).mean(axis=0)
    return mono


def _window(sample_rate: int) -> int:
    return round(WINDOW_S * sample_rate)


@functools.cache
def _mel_bank(window: int, sample_rate: int) -> NDArray[np.float64]:
    """Triangular mel filters from 80 Hz to 8 kHz (speech), (bands, bins)."""

    def mel(hz: NDArray[np.float64]) -> NDArray[np.float64]:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    top = min(8000.0, sample_rate / 2)
    edges_mel = np.linspace(mel(np.array(80.0)), mel(np.array(top)), MEL_BANDS + 2)
    edges_hz = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(window, 1 / sample_rate)
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    bank: NDArray[np.float64] = np.clip(np.minimum(rising, falling), 0.0, None)
    return bank


def _band_starts(rows: int, columns: int, band: int) -> NDArray[np.int64]:
    """First column of each row's band, centred on the diagonal from corner to corner."""
    centre = np.round(np.arange(rows) * (columns - 1) / max(rows - 1, 1)).astype(np.int64)
    return centre - band


def _warp(
    guide: NDArray[np.float32], take: NDArray[np.float32], lo: NDArray[np.int64], width: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The cheapest monotonic path from (0, 0) to the last frames, as (guide, take) indices."""
    cost = np.full((guide.shape[0], width), np.inf, dtype=np.float32)
    step = np.zeros((guide.shape[0], width), dtype=np.int8)
    _dtw_kernel()(guide, take, lo, cost, step)
    if not np.isfinite(cost[-1, take.shape[0] - 1 - lo[-1]]):
        raise AudioError("the takes are too different in length to align; trim the replacement")
    path = np.empty((guide.shape[0] + take.shape[0], 2), dtype=np.int64)
    length = _backtrack_kernel()(step, lo, take.shape[0], path)
    reversed_path = path[:length][::-1]
    return reversed_path[:, 0], reversed_path[:, 1]


@functools.cache
def _dtw_kernel() -> Callable[..., Any]:
    import numba  # only an alignment pays for the compiler

    compiled: Callable[..., Any] = numba.njit(cache=True, nogil=True)(_accumulate)
    return compiled


@functools.cache
def _backtrack_kernel() -> Callable[..., Any]:
    import numba

    compiled: Callable[..., Any] = numba.njit(cache=True, nogil=True)(_backtrack)
    return compiled


def _accumulate(
    guide: NDArray[np.float32],
    take: NDArray[np.float32],
    lo: NDArray[np.int64],
    cost: NDArray[np.float32],
    step: NDArray[np.int8],
) -> None:
    """Banded DTW: ``cost[i, k]`` for take frame ``lo[i] + k``; ``step`` 0 diagonal, 1 up, 2 left."""
    rows, bands = guide.shape
    columns = take.shape[0]
    width = cost.shape[1]
    for i in range(rows):
        for k in range(width):
            j = lo[i] + k
            if j < 0 or j >= columns:
                continue
            d = 0.0
            for b in range(bands):
                diff = guide[i, b] - take[j, b]
                d += diff * diff
            d = np.sqrt(d)
            if i == 0 and j == 0:
                cost[i, k] = d
                continue
            best = np.inf
            move = 0
            if i > 0:
                kd = j - 1 - lo[i - 1]  # (i-1, j-1)
                if j > 0 and 0 <= kd < width and cost[i - 1, kd] < best:
                    best = cost[i - 1, kd]
                    move = 0
                ku = j - lo[i - 1]  # (i-1, j)
                if 0 <= ku < width and cost[i - 1, ku] < best:
                    best = cost[i - 1, ku]
                    move = 1
            if k > 0 and j > 0 and cost[i, k - 1] < best:  # (i, j-1)
                best = cost[i, k - 1]
                move = 2
            if best < np.inf:
                cost[i, k] = best + d
                step[i, k] = move


def _backtrack(
    step: NDArray[np.int8], lo: NDArray[np.int64], columns: int, path: NDArray[np.int64]
) -> int:
    """Walk the steps back from the last cell; fills ``path`` end first, returns its length."""
    i = step.shape[0] - 1
    j = columns - 1
    n = 0
    while True:
        path[n, 0] = i
        path[n, 1] = j
        n += 1
        if i == 0 and j == 0:
            return n
        move = step[i, j - lo[i]]
        if i == 0:
            j -= 1
        elif j == 0 or move == 1:
            i -= 1
        elif move == 0:
            i -= 1
            j -= 1
        else:
            j -= 1
