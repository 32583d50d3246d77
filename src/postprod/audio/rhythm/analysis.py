"""From an onset envelope to beats, bars and a tempo map: the tracker's one entry point.

Steps (each in its own module): the tempo path (``tempo``), beats by dynamic
programming along it (``tracking``), downbeats and metre (``bars``). The
tempo map is read off the beats themselves: each beat's tempo is the slope of
the least-squares line through the eight beats around it (or, where one of
the other eight-beat lines that hold it is four times straighter, that one: a
sudden change is not smeared across it), and the map holds one
entry per stretch whose tempo stays within half a BPM of its median, so a
steady piece has one entry, a new section two and a ritardando one every beat
or two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.audio.rhythm.bars import bars
from postprod.audio.rhythm.onsets import Envelope
from postprod.audio.rhythm.tempo import normalised, tempo_path
from postprod.audio.rhythm.tracking import track

SPAN_BEATS = 8
EQUAL = 0.6  # neighbouring beats this alike (weaker/stronger) are one level
UNEQUAL = 0.45  # this unlike: the weak ones are off-beats, the beat is twice as long
DOUBT = 0.1
LEVEL_WINDOW_S = 12.0
STEADY_BPM = 0.5

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TempoPoint:
    """The tempo from ``time_s`` on."""

    time_s: float
    bpm: float


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A piece's beats and bars (seconds), metre, tempo map and the tracker's doubts."""

    beats_s: tuple[float, ...]
    downbeats_s: tuple[float, ...]
    metre: int
    tempo: tuple[TempoPoint, ...]
    ambiguous: bool = False
    alternative_bpm: float | None = None
    onsets_s: tuple[float, ...] = field(default=())
    energy: tuple[float, ...] = field(default=())  # onset strength per beat, 0-1

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``beats``, ``downbeats``, ``tempo``, ``metre`` and the rest."""
        return {
            "beats": [round(t, 4) for t in self.beats_s],
            "downbeats": [round(t, 4) for t in self.downbeats_s],
            "tempo": [{"time_s": round(p.time_s, 4), "bpm": round(p.bpm, 2)} for p in self.tempo],
            "metre": self.metre,
            "ambiguous": self.ambiguous,
            "alternative_bpm": self.alternative_bpm,
            "onsets": [round(t, 4) for t in self.onsets_s],
            "energy": [round(e, 3) for e in self.energy],
        }


def analyse(
    envelope: Envelope,
    *,
    bpm_range: tuple[float, float] | None = None,
    metre: int | None = None,
) -> Rhythm:
    """Beats, downbeats, metre and tempo map of ``envelope``."""
    rate = envelope.frame_rate
    onset = normalised(envelope.strength, rate)
    if onset.size < rate * 2:
        return Rhythm((), (), metre or 4, ())
    path = tempo_path(onset, rate, bpm_range)
    frame_times = np.arange(onset.size) / rate
    period = 60.0 * rate / path.at(frame_times)
    level = metrical_level(onset, period, rate, path.at(frame_times), bpm_range)
    beats = level.beats_s
    found = bars(beats, envelope, metre)
    return Rhythm(
        tuple(float(t) for t in beats),
        tuple(float(t) for t in beats[found.downbeats]),
        found.metre,
        tempo_map(beats),
        level.ambiguous,
        level.alternative_bpm,
        tuple(float(t) for t in onset_times(onset, rate)),
        tuple(float(e) for e in beat_energy(beats, envelope)),
    )


@dataclass(frozen=True, slots=True)
class Level:
    """The beats at the chosen metrical level and whether another was nearly as good."""

    beats_s: Floats
    ambiguous: bool
    alternative_bpm: float | None


def metrical_level(
    onset: Floats,
    period: Floats,
    rate: float,
    bpm: Floats,
    bpm_range: tuple[float, float] | None,
) -> Level:
    """Beats at the tempo path, at twice it or at half it: the level whose neighbouring
    beats are about equally strong (a backbeat's kick and snare), not one strong and one
    weak (a beat and the eighth note after it). Chosen per 12 s window (every 6 s, each
    deciding its middle), so a long file of several pieces gets each piece's level."""
    low, high = bpm_range or (30.0, 300.0)
    beats = track(onset, period, rate)
    width, hop = round(LEVEL_WINDOW_S * rate), round(LEVEL_WINDOW_S * rate / 2)
    starts = list(range(0, max(1, onset.size - width + 1), hop))
    factor = np.ones(onset.size)
    doubts: list[float] = []
    for k, start in enumerate(starts):
        lo, hi = start / rate, (start + width) / rate
        tempo = float(np.median(bpm[start : start + width]))
        choice, doubt = _level_here(_within(beats, lo, hi), onset, rate, tempo, low, high)
        first = 0 if k == 0 else start + width // 4
        last = onset.size if k == len(starts) - 1 else start + 3 * width // 4
        factor[first:last] = choice
        if doubt is not None:
            doubts.append(doubt)
    alternative = doubts[0] if doubts else None
    levels = np.unique(factor)
    if levels.size == 1 and levels[0] == 1.0:
        return Level(beats, bool(doubts), alternative)
    return Level(track(onset, period * factor, rate), bool(doubts), alternative)


def _within(beats_s: Floats, lo: float, hi: float) -> Floats:
    return beats_s[(beats_s >= lo) & (beats_s < hi)]


def _level_here(
    beats: Floats,
    onset: Floats,
    rate: float,
    tempo: float,
    low: float,
    high: float,
) -> tuple[float, float | None]:
    """The period factor for one window (0.5: twice the tempo, 2: half) and, when the
    other level was nearly as good, its tempo."""
    ratio = alternation(beats, onset, rate)
    if tempo * 2 <= high:
        quick = halfway(beats, onset, rate)
        if quick >= EQUAL:
            return 0.5, round(tempo, 1) if quick < EQUAL + DOUBT else None
        if ratio >= EQUAL and quick >= EQUAL - DOUBT:
            return 1.0, round(2 * tempo, 1)
    if ratio < UNEQUAL and tempo / 2 >= low:
        return 2.0, round(tempo, 1) if ratio > UNEQUAL - DOUBT else None
    near = UNEQUAL <= ratio < UNEQUAL + DOUBT and tempo / 2 >= low
    return 1.0, round(tempo / 2, 1) if near else None


def halfway(beats_s: Floats, onset: Floats, rate: float) -> float:
    """What :func:`alternation` would say of beats at twice the tempo, without tracking
    them: the weaker over the stronger of the mean onset strengths at the beats and
    between them (the strongest onset from 30 % to 70 % of the way, so a swung
    off-beat counts)."""
    if beats_s.size < 3:
        return 0.0
    frames = np.round(beats_s * rate)
    share = np.linspace(0.3, 0.7, 9)
    between = frames[:-1, None] + (frames[1:] - frames[:-1])[:, None] * share[None, :]
    between = np.clip(np.round(between).astype(int), 0, onset.size - 1)
    offbeat = onset[between].max(axis=1).mean()
    reach = np.arange(-round(0.03 * rate), round(0.01 * rate) + 1)
    near = np.clip(frames.astype(int)[:, None] + reach[None, :], 0, onset.size - 1)
    onbeat = onset[near].max(axis=1).mean()
    top = max(offbeat, onbeat)
    return float(min(offbeat, onbeat) / top) if top > 0 else 1.0


def alternation(beats_s: Floats, onset: Floats, rate: float) -> float:
    """The weaker over the stronger of the mean onset strengths at odd and even beats."""
    if beats_s.size < 4:
        return 1.0
    frames = np.clip(np.round(beats_s * rate).astype(int), 0, onset.size - 1)
    reach = np.arange(-round(0.03 * rate), round(0.01 * rate) + 1)  # the peak is before the beat
    near = np.clip(frames[:, None] + reach[None, :], 0, onset.size - 1)
    strength = onset[near].max(axis=1)
    even, odd = strength[0::2].mean(), strength[1::2].mean()
    top = max(even, odd)
    return float(min(even, odd) / top) if top > 0 else 1.0


def tempo_map(beats_s: Floats) -> tuple[TempoPoint, ...]:
    """Stretches of steady tempo read from the beats (see the module's note)."""
    bpm = beat_tempi(beats_s)
    points: list[TempoPoint] = []
    start = 0
    for k in range(1, bpm.size + 1):
        stretch = bpm[start:k]
        if k == bpm.size or abs(bpm[k] - np.median(np.append(stretch, bpm[k]))) > STEADY_BPM:
            points.append(TempoPoint(float(beats_s[start]), float(np.median(stretch))))
            start = k
    return tuple(points)


def beat_tempi(beats_s: Floats) -> Floats:
    """Each beat's tempo: the slope of the line through the ``SPAN_BEATS`` beats around it,
    or through a much straighter run of them that includes it (see the module's note)."""
    n = beats_s.size
    if n < 3:
        return np.zeros(0)
    span = min(SPAN_BEATS, n)
    x = np.arange(span, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(beats_s, span)
    xm = x.mean()
    ym = windows.mean(axis=1, keepdims=True)
    slope = ((windows - ym) @ (x - xm)) / np.sum((x - xm) ** 2)
    fit = ym + slope[:, None] * (x - xm)[None, :]
    residual = np.sum((windows - fit) ** 2, axis=1)
    starts = np.arange(n)[:, None] - np.arange(span)[None, :]
    valid = (starts >= 0) & (starts < windows.shape[0])
    cost = np.where(valid, residual[np.clip(starts, 0, windows.shape[0] - 1)], np.inf)
    straightest = starts[np.arange(n), np.argmin(cost, axis=1)]
    centred = np.clip(np.arange(n) - span // 2 + 1, 0, windows.shape[0] - 1)
    bent = cost.min(axis=1) < 0.03 * residual[centred]
    best = np.where(bent, straightest, centred)
    return np.asarray(60.0 / np.maximum(slope[best], 1e-3), dtype=np.float64)


def onset_times(onset: Floats, frame_rate: float, threshold: float = 1.5) -> Floats:
    """Strong onsets: local maxima of the normalised envelope above ``threshold`` standard
    deviations, at least 50 ms apart."""
    gap = max(1, round(0.05 * frame_rate))
    inner = onset[1:-1]
    top = (inner >= onset[:-2]) & (inner > onset[2:]) & (inner >= threshold)
    candidates = np.flatnonzero(top) + 1
    # of peaks closer than ``gap``, keep the stronger (a running maximum over the window)
    keep = onset[candidates] >= moving_max(onset, 2 * gap + 1)[candidates]
    peaks = candidates[keep]
    return np.asarray(peaks, np.float64) / frame_rate


def beat_energy(beats_s: Floats, envelope: Envelope) -> Floats:
    """How busy the music is around each beat: the onset strength summed over the two
    seconds around it, scaled to 0-1 over the piece."""
    rate = envelope.frame_rate
    if beats_s.size == 0 or envelope.strength.size == 0:
        return np.zeros(0)
    smooth = moving_mean(envelope.strength.astype(np.float64), round(2 * rate))
    at = smooth[np.clip(np.round(beats_s * rate).astype(int), 0, smooth.size - 1)]
    low, high = at.min(), at.max()
    return (at - low) / (high - low) if high > low else np.ones_like(at)


def moving_mean(x: Floats, width: int) -> Floats:
    """The mean of ``width`` values centred on each (edges repeat the end values)."""
    width = max(1, width)
    padded = np.pad(x, (width // 2, width - 1 - width // 2), mode="edge")
    total = np.concatenate([[0.0], np.cumsum(padded)])
    return np.asarray((total[width:] - total[:-width]) / width, dtype=np.float64)


def moving_max(x: Floats, width: int) -> Floats:
    """The maximum of ``width`` values centred on each."""
    padded = np.pad(x, (width // 2, width // 2), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return np.asarray(windows.max(axis=1), dtype=np.float64)
