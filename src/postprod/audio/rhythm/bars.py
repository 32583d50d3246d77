"""Bars from beats: which beats start a bar, and how many beats a bar has.

A bar starts where the harmony changes and the bass lands: for every beat,
how far the mid-band spectrum over the beat differs from the beat before it
(1 - cosine similarity) and the bass flux at the beat, each standardised, are
added into a downbeat score. The metre (3 or 4) is the one whose best phase
sets its downbeats furthest above the other beats. Then a Viterbi decoding over
the beats' positions in the bar (each beat moves one on; a jump costs a lot)
places the bar lines, so a beat lost or gained at a tempo change shifts the
bar lines once and not the whole piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from postprod.audio.rhythm.onsets import POOL, Envelope

METRES = (3, 4)
JUMP_COST = 6.0
BASS_WEIGHT = 1.0

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Bars:
    """The beats that start bars (indices into the beats) and the beats per bar."""

    downbeats: NDArray[np.intp]
    metre: int
    confidence: float  # the chosen metre's contrast less the other's, in standard deviations


def bars(beats_s: Floats, envelope: Envelope, metre: int | None = None) -> Bars:
    """Downbeats and metre of ``beats_s`` in ``envelope``; ``metre`` given skips choosing one."""
    if beats_s.size < 4:
        return Bars(np.arange(min(1, beats_s.size), dtype=np.intp), metre or 4, 0.0)
    score = _downbeat_score(beats_s, envelope)
    contrasts = {m: _contrast(score, m) for m in METRES}
    chosen = metre or max(METRES, key=lambda m: contrasts.get(m, 0.0))
    other = max((v for m, v in contrasts.items() if m != chosen), default=0.0)
    return Bars(_viterbi(score, chosen), chosen, contrasts.get(chosen, 0.0) - other)


def _downbeat_score(beats_s: Floats, envelope: Envelope) -> Floats:
    rate = envelope.frame_rate
    frames = np.clip(np.round(beats_s * rate).astype(int), 0, envelope.bass.size - 1)
    reach = np.arange(-round(0.02 * rate), round(0.02 * rate) + 1)
    near = np.clip(frames[:, None] + reach[None, :], 0, envelope.bass.size - 1)
    bass = envelope.bass[near].max(axis=1).astype(np.float64)
    harmony = envelope.harmony.astype(np.float64)
    cells = np.clip(np.round(beats_s * rate / POOL).astype(int), 0, max(0, harmony.shape[0] - 1))
    edges = np.append(cells, harmony.shape[0])
    summed = np.cumsum(np.vstack([np.zeros((1, harmony.shape[1])), harmony]), axis=0)
    counts = np.maximum(np.diff(edges), 1)[:, None]
    means = (summed[np.minimum(edges[1:], harmony.shape[0])] - summed[edges[:-1]]) / counts
    means -= means.mean(axis=1, keepdims=True)
    norms = np.maximum(np.linalg.norm(means, axis=1), 1e-9)
    similarity = np.sum(means[1:] * means[:-1], axis=1) / (norms[1:] * norms[:-1])
    change = np.concatenate([[np.nan], 1.0 - similarity])
    change[0] = np.nanmax(change) if change.size > 1 else 0.0
    return _standard(change) + BASS_WEIGHT * _standard(bass)


def _standard(x: Floats) -> Floats:
    spread = x.std()
    return (x - x.mean()) / spread if spread > 0 else np.zeros_like(x)


def _contrast(score: Floats, metre: int) -> float:
    """How far the best phase's beats stand above the rest, in the score's units."""
    usable = score.size // metre * metre
    if usable < 2 * metre:
        return 0.0
    grid = score[:usable].reshape(-1, metre)
    means = grid.mean(axis=0)
    phase = int(np.argmax(means))
    rest = np.delete(means, phase).mean()
    return float(means[phase] - rest)


def _viterbi(score: Floats, metre: int) -> NDArray[np.intp]:
    """The beats at bar position 0 of the best path through positions 0..metre-1."""
    n = score.size
    emit = np.zeros((n, metre))
    emit[:, 0] = score
    emit[:, 1:] = -score[:, None] / (metre - 1)
    step = np.full((metre, metre), -JUMP_COST)
    step[np.arange(metre), (np.arange(metre) + 1) % metre] = 0.0
    best = emit[0].copy()
    back = np.zeros((n, metre), np.intp)
    for k in range(1, n):
        options = best[:, None] + step
        back[k] = np.argmax(options, axis=0)
        best = options[back[k], np.arange(metre)] + emit[k]
    state = np.zeros(n, np.intp)
    state[-1] = int(np.argmax(best))
    for k in range(n - 1, 0, -1):
        state[k - 1] = back[k, state[k]]
    return np.flatnonzero(state == 0)
