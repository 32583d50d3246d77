"""Synthetic music with known beats and bars: drum patterns and chords on a tempo curve.

The beat tracker's tests, its benchmark and the demo's montage need music whose
beats, bar starts and tempo are known exactly. :func:`compose` lays a kick,
snare and hi-hat pattern and a chord (with a bass note) per bar on beat times
found by integrating a tempo curve, so tempo changes, ritardandi and swing come
out as exact ground truth in :class:`Score`. Optional pink noise and a
synthetic room (exponentially decaying noise as an impulse response) make it
less clean. Same seed, same samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from postprod.audio.synth import Signal, band, decay, noise, oscillator, times

#: A progression per bar (semitones above A2 of the chord's root), I-V-vi-IV in C.
_PROGRESSION = (3, 10, 0, 8)
_TRIAD = (0, 4, 7)


@dataclass(frozen=True, slots=True)
class Tempo:
    """A tempo curve: ``bpm`` until ``change_s``, then it moves to ``end_bpm``.

    ``ramp_s`` 0 is a sudden change (a new section); more is a linear glide over
    that many seconds (accelerando or ritardando).
    """

    bpm: float
    end_bpm: float | None = None
    change_s: float = 0.0
    ramp_s: float = 0.0

    def at(self, t_s: Signal) -> Signal:
        """The tempo (BPM) at each time in ``t_s``."""
        if self.end_bpm is None:
            return np.full_like(t_s, self.bpm, dtype=np.float64)
        ramp = max(self.ramp_s, 1e-9)
        share = np.clip((t_s - self.change_s) / ramp, 0.0, 1.0)
        return self.bpm + (self.end_bpm - self.bpm) * share


@dataclass(frozen=True, slots=True)
class Score:
    """What the music holds, exactly: beat and bar-start times, metre and the tempo."""

    beats_s: NDArray[np.float64]
    downbeats_s: NDArray[np.float64]
    metre: int
    tempo: Tempo


@dataclass(frozen=True, slots=True)
class Style:
    """How the piece is played: metre, swing (0 straight, 1/3 a triplet feel), dirt."""

    metre: int = 4
    swing: float = 0.0
    noise_db: float | None = None  # pink noise level below the music's peak, None for none
    reverb_s: float = 0.0  # the room's decay time (RT60), 0 for a dry mix
    seed: int = 0


def beat_times(tempo: Tempo, seconds: float, offset_s: float = 0.0) -> NDArray[np.float64]:
    """Where the beats fall: the first at ``offset_s``, then one each time the integral
    of tempo/60 passes a whole number (1 ms steps, then linear interpolation)."""
    step = 0.001
    grid = np.arange(offset_s, seconds + step, step)
    phase = np.concatenate([[0.0], np.cumsum(tempo.at(grid[:-1]) / 60.0 * step)])
    whole = np.arange(0, int(phase[-1]) + 1)
    beats: NDArray[np.float64] = np.interp(whole, phase, grid)
    return beats[beats < seconds - 0.05]


def compose(
    seconds: float,
    tempo: Tempo,
    style: Style = Style(),
    *,
    sample_rate: int = 22050,
    offset_s: float = 0.25,
) -> tuple[NDArray[np.float32], Score]:
    """A mono ``(1, n)`` float32 piece ``seconds`` long and its :class:`Score`."""
    rng = np.random.default_rng(style.seed)
    beats = beat_times(tempo, seconds, offset_s)
    metre = style.metre
    position = np.arange(beats.size) % metre
    out = np.zeros(round(seconds * sample_rate))
    kit = _Kit(sample_rate, rng)
    period = np.diff(beats, append=beats[-1] + (beats[-1] - beats[-2] if beats.size > 1 else 0.5))
    offbeats = beats + period * (0.5 + style.swing / 2)
    kicks = position == 0 if metre == 3 else (position % 2 == 0)
    snares = position != 0 if metre == 3 else (position % 2 == 1)
    _lay(out, kit.kick, beats[kicks], np.where(position[kicks] == 0, 1.0, 0.7), sample_rate)
    _lay(out, kit.snare, beats[snares], np.full(int(snares.sum()), 0.55), sample_rate)
    hats = np.concatenate([beats, offbeats])
    hat_level = np.concatenate([np.full(beats.size, 0.22), np.full(offbeats.size, 0.14)])
    _lay(out, kit.hat, hats, hat_level, sample_rate)
    bars = beats[position == 0]
    ends = np.append(bars[1:], seconds)
    for k, (start, end) in enumerate(zip(bars, ends, strict=True)):
        root = _PROGRESSION[k % len(_PROGRESSION)]
        _chord(out, start, end, root, sample_rate)
    out = _room(out, style, rng, sample_rate)
    peak = np.abs(out).max()
    out = out * (0.5 / peak) if peak > 0 else out
    score = Score(beats, bars, metre, tempo)
    return out.astype(np.float32)[None, :], score


class _Kit:
    """The drum sounds, made once per piece."""

    def __init__(self, sample_rate: int, rng: np.random.Generator) -> None:
        t = times(0.35, sample_rate)
        thump = oscillator("sine", 55 * (1 + 2.5 * decay(t, 0.02)), t) * decay(t, 0.12)
        beater = band(noise("white", t.size, rng), sample_rate, 1000, 6000) * decay(t, 0.008)
        self.kick = thump + 0.8 * beater
        body = oscillator("triangle", 190.0, t) * decay(t, 0.05)
        rattle = band(noise("white", t.size, rng), sample_rate, 1500, None) * decay(t, 0.07)
        self.snare = 0.5 * body + rattle
        short = times(0.08, sample_rate)
        self.hat = band(noise("white", short.size, rng), sample_rate, 6000, None) * decay(
            short, 0.015
        )


def _lay(
    out: Signal,
    sound: Signal,
    at_s: NDArray[np.float64],
    level: NDArray[np.float64],
    sample_rate: int,
) -> None:
    """Add ``sound`` at each time, scaled (one slice add per hit, no per-sample loop)."""
    for start_s, gain in zip(at_s, level, strict=True):
        start = round(start_s * sample_rate)
        piece = sound[: max(0, out.size - start)]
        out[start : start + piece.size] += gain * piece


def _chord(out: Signal, start_s: float, end_s: float, root: int, sample_rate: int) -> None:
    """A pad (three detuned saws, low-passed by their level) and a bass note for one bar."""
    first, last = round(start_s * sample_rate), min(out.size, round(end_s * sample_rate))
    if last <= first:
        return
    t = np.arange(last - first) / sample_rate
    fade = np.minimum(1.0, np.minimum(t / 0.01, (t[-1] - t + 1e-3) / 0.03))
    pad = np.zeros_like(t)
    for interval in _TRIAD:
        hz = 220.0 * 2 ** ((root + interval) / 12)
        pad += oscillator("triangle", hz, t) + 0.3 * oscillator("sine", 2 * hz, t)
    bass = oscillator("sine", 55.0 * 2 ** (root / 12), t) * (0.4 + 0.6 * decay(t, 0.4))
    out[first:last] += fade * (0.06 * pad + 0.25 * bass)


def _room(out: Signal, style: Style, rng: np.random.Generator, sample_rate: int) -> Signal:
    """The piece in a room (a decaying-noise impulse response) with noise under it."""
    if style.reverb_s > 0:
        from scipy.signal import fftconvolve

        t = times(style.reverb_s, sample_rate)
        tail = noise("white", t.size, rng) * np.exp(-6.9 * t / style.reverb_s)
        tail[0] = 1.0 / 0.35  # the direct sound stays on top
        wet = fftconvolve(out, tail * 0.35)[: out.size]
        out = wet
    if style.noise_db is not None:
        peak = np.abs(out).max()
        out = out + peak * 10 ** (-style.noise_db / 20) * noise("pink", out.size, rng)
    return out


__all__ = ["Score", "Style", "Tempo", "beat_times", "compose"]
