"""Tempo over time from the onset envelope: a tempogram and the likeliest tempo path.

The envelope is cut into 8 s windows every second (whole windows only: the
path is held flat over the first and last 4 s); each window's
autocorrelation (by FFT, all windows at once) says how strongly the music
repeats at each lag. A tempo's salience sums the autocorrelation at its beat
period and, with less weight, at two beats and at half a beat (a metre
reinforces its beat), times a log-normal preference around 120 BPM an octave
wide. The path through the windows is a Viterbi decoding that pays for a tempo
change by its size in octaves, so a steady piece keeps its tempo, a new section
can jump and a ritardando glides. The user's ``--bpm LO-HI`` range limits the
grid. Where half or double the chosen tempo is nearly as salient the result
says so (``ambiguous``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

WINDOW_S = 8.0
HOP_S = 1.0
DEFAULT_BPM = (40.0, 240.0)
PRIOR_BPM = 120.0
PRIOR_OCTAVES = 1.0
CHANGE_COST = 30.0  # per octave of tempo change between neighbouring windows
AMBIGUOUS_RATIO = 0.75

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TempoPath:
    """The tempo at each window centre and what else it might have been."""

    times_s: Floats
    bpm: Floats
    ambiguous: bool
    alternative_bpm: float | None

    def at(self, t_s: Floats) -> Floats:
        """The tempo at times ``t_s`` (held flat before the first and after the last)."""
        return np.asarray(np.interp(t_s, self.times_s, self.bpm), dtype=np.float64)


def normalised(strength: NDArray[np.floating], frame_rate: float) -> Floats:
    """The envelope minus its local mean (1 s), over its standard deviation."""
    e = np.asarray(strength, np.float64)
    if e.size == 0:
        return e
    width = max(1, round(frame_rate))
    padded = np.pad(e, (width // 2, width - 1 - width // 2), mode="edge")
    total = np.concatenate([[0.0], np.cumsum(padded)])
    e = np.maximum(0.0, e - (total[width:] - total[:-width]) / width)
    spread = e.std()
    return np.asarray(e / spread if spread > 0 else e, dtype=np.float64)


def tempo_path(
    onset: Floats, frame_rate: float, bpm_range: tuple[float, float] | None = None
) -> TempoPath:
    """The likeliest tempo over time of the normalised envelope ``onset``."""
    low, high = bpm_range or DEFAULT_BPM
    grid = np.exp(np.linspace(np.log(low), np.log(high), max(2, int(np.log2(high / low) * 96))))
    acf, centres = _autocorrelation(onset, frame_rate)
    lag = 60.0 * frame_rate / grid
    salience = (
        _sample(acf, lag) + 0.5 * _sample(acf, 2 * lag) + 0.25 * _sample(acf, lag / 2)
    ) / 1.75
    if bpm_range is None:
        prior = np.exp(-0.5 * (np.log2(grid / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
        salience = salience * prior[None, :]
    path = _viterbi(np.maximum(salience, 0.0), np.log2(grid))
    bpm = grid[path]
    alternative = _alternative(salience, grid, path)
    return TempoPath(centres, bpm, alternative is not None, alternative)


def _autocorrelation(onset: Floats, frame_rate: float) -> tuple[Floats, Floats]:
    """Each window's autocorrelation (rows, lags in frames, normalised at lag 0) and the
    windows' centres in seconds."""
    width = min(round(WINDOW_S * frame_rate), onset.size)
    hop = round(HOP_S * frame_rate)
    windows = np.lib.stride_tricks.sliding_window_view(onset, width)[::hop]
    windows = windows * np.hanning(width)[None, :]
    spectrum = np.fft.rfft(windows, n=2 * width, axis=1)
    acf = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :width]
    acf /= np.maximum(acf[:, :1], 1e-12)
    acf /= np.maximum(1.0 - np.arange(width) / width, 0.25)[None, :]  # fewer overlapping frames
    centres = (np.arange(windows.shape[0]) * hop + width / 2) / frame_rate
    return np.asarray(acf, np.float64), np.asarray(centres, np.float64)


def _sample(acf: Floats, lag: Floats) -> Floats:
    """The autocorrelation at fractional lags (linear interpolation, the peak of 3 taps)."""
    top = acf.shape[1] - 2
    lag = np.clip(lag, 1.0, top)
    base = np.floor(lag).astype(int)
    share = lag - base
    values = acf[:, base] * (1 - share) + acf[:, base + 1] * share
    near = np.maximum(acf[:, np.maximum(base - 1, 0)], acf[:, np.minimum(base + 2, top + 1)])
    return np.asarray(np.maximum(values, 0.8 * near), dtype=np.float64)


def _viterbi(salience: Floats, octaves: Floats) -> NDArray[np.intp]:
    """The path through ``salience`` (windows x tempi) that best trades salience for change."""
    score = np.log(salience + 1e-3)
    cost = CHANGE_COST * np.abs(octaves[:, None] - octaves[None, :])
    best = score[0].copy()
    back = np.zeros(score.shape, np.intp)
    for k in range(1, score.shape[0]):
        options = best[:, None] - cost
        back[k] = np.argmax(options, axis=0)
        best = options[back[k], np.arange(octaves.size)] + score[k]
    path = np.zeros(score.shape[0], np.intp)
    path[-1] = int(np.argmax(best))
    for k in range(score.shape[0] - 1, 0, -1):
        path[k - 1] = back[k, path[k]]
    return path


def _alternative(salience: Floats, grid: Floats, path: NDArray[np.intp]) -> float | None:
    """Half or double the typical chosen tempo, if it is nearly as salient over the piece."""
    mean = salience.mean(axis=0)
    chosen = float(np.median(grid[path]))
    here = float(np.interp(chosen, grid, mean))
    for other in (chosen / 2, chosen * 2):
        if grid[0] <= other <= grid[-1]:
            near = np.abs(np.log2(grid / other)) < 0.03
            if near.any() and float(mean[near].max()) >= AMBIGUOUS_RATIO * here:
                return round(other, 1)
    return None
