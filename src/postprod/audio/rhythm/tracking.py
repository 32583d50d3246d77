"""Beats by dynamic programming (Ellis 2007), with a beat period that follows the tempo path.

The best sequence of beats maximises the onset strength at its beats minus a
penalty for every interval that differs from the local beat period ``P``:
``C(t) = o(t) + max_d (C(t - d) - TIGHTNESS * log(d / P(t))^2)`` over
``P/2 <= d <= 2P``. Because every ``d`` is at least half the shortest period,
a block of that many frames depends only on frames before it, so ``C`` is
computed a block at a time as one array operation (no per-frame Python). The
beats are read back from the best last beat; each is then moved to the top of
its onset peak by a parabola through three frames (sub-frame time), less the
envelope's known lead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

TIGHTNESS = 100.0
#: The envelope's peak comes this long after the sound's onset (negative: before; the
#: flux of a 64 ms centred window rises as the hit enters it); measured on the synthetic set.
LAG_S = -0.009

Floats = NDArray[np.float64]


def track(onset: Floats, period: Floats, frame_rate: float) -> Floats:
    """Beat times (seconds) in the normalised envelope ``onset``, ``period`` frames per beat
    at each frame."""
    n = onset.size
    if n < 4:
        return np.zeros(0)
    period = np.maximum(np.asarray(period, np.float64), 4.0)
    score = np.zeros(n)
    back = np.full(n, -1, np.intp)
    half = np.round(period / 2)
    double = np.round(2 * period)
    start = 0
    while start < n:
        # a block no longer than half the shortest period in it: it needs only frames before it
        block = max(1, int(period[start : start + int(period[start] // 2) + 1].min() // 2))
        stop = min(n, start + block)
        t = np.arange(start, stop)
        spans = np.arange(max(1, int(half[start:stop].min())), int(double[start:stop].max()) + 1)
        p = period[start:stop, None]
        reach = spans[None, :]
        allowed = (reach >= half[start:stop, None]) & (reach <= double[start:stop, None])
        allowed &= t[:, None] >= reach
        source = np.maximum(t[:, None] - reach, 0)
        gain = np.where(allowed, score[source] - TIGHTNESS * np.log(reach / p) ** 2, -np.inf)
        pick = np.argmax(gain, axis=1)
        best = gain[np.arange(t.size), pick]
        has = np.isfinite(best) & (best > 0)
        score[start:stop] = onset[start:stop] + np.where(has, best, 0.0)
        back[start:stop] = np.where(has, t - spans[pick], -1)
        start = stop
    beats = _backtrack(score, back, period)
    return _refined(beats, onset) / frame_rate - LAG_S


def _backtrack(score: Floats, back: NDArray[np.intp], period: Floats) -> NDArray[np.intp]:
    """The chain of beats ending at the best last beat: the highest cumulative score in
    the last two periods (a late weak onset adds less than its interval costs)."""
    tail = min(score.size, max(2, round(2 * period[-1])))
    end = score.size - tail + int(np.argmax(score[-tail:]))
    chain = [end]
    while back[chain[-1]] >= 0:
        chain.append(int(back[chain[-1]]))
    return np.asarray(chain[::-1], np.intp)


def _refined(beats: NDArray[np.intp], onset: Floats) -> Floats:
    """Each beat moved to its onset peak (within a frame) and to sub-frame by a parabola."""
    n = onset.size
    at = beats.copy()
    for step in (-1, 1):
        neighbour = np.clip(at + step, 0, n - 1)
        better = onset[neighbour] > onset[at]
        at = np.where(better, neighbour, at)
    left = onset[np.clip(at - 1, 0, n - 1)]
    centre = onset[at]
    right = onset[np.clip(at + 1, 0, n - 1)]
    curve = left - 2 * centre + right
    shift = np.where(curve < 0, 0.5 * (left - right) / np.where(curve < 0, curve, -1.0), 0.0)
    return np.asarray(at + np.clip(shift, -0.5, 0.5), dtype=np.float64)
