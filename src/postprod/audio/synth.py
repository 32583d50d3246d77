"""Sound from scratch: building blocks on float32 arrays (oscillators, noise, envelopes, sweeps).

Every random thing takes a NumPy ``Generator``, so a seed gives the same
samples every time. Mono blocks are ``(1, n)`` like every other signal in
postprod; the helpers here work on 1-D arrays and :func:`as_block` wraps them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal

Signal = NDArray[np.float64]


def as_block(x: Signal, level: float = 1.0) -> NDArray[np.float32]:
    """A 1-D signal as a mono ``(1, n)`` float32 block, scaled by ``level``."""
    block: NDArray[np.float32] = (np.asarray(x) * level).astype(np.float32)[None, :]
    return block


def sine(
    frequency_hz: float,
    samples: int,
    sample_rate: int,
    *,
    level_dbfs: float = -18.0,
    channels: int = 1,
    start_sample: int = 0,
) -> NDArray[np.float32]:
    """A sine at ``level_dbfs`` peak, ``(channels, samples)``; phase continues from ``start_sample``."""
    n = np.arange(start_sample, start_sample + samples, dtype=np.float64)
    wave = 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * frequency_hz * n / sample_rate)
    return np.tile(wave.astype(np.float32), (channels, 1))


def times(seconds: float, sample_rate: int) -> Signal:
    """Sample times for ``seconds`` of sound."""
    return np.arange(round(seconds * sample_rate)) / sample_rate


def oscillator(shape: str, frequency_hz: Signal | float, t: Signal) -> Signal:
    """``sine``, ``saw``, ``square`` or ``triangle`` at a fixed or time-varying frequency."""
    frequency = np.broadcast_to(np.asarray(frequency_hz, dtype=np.float64), t.shape)
    step = np.diff(t, prepend=t[0] - (t[1] - t[0] if t.size > 1 else 0.0))
    phase = 2 * np.pi * np.cumsum(frequency * step)  # integrates a changing pitch smoothly
    if shape == "sine":
        return np.sin(phase)
    if shape == "saw":
        return np.asarray(signal.sawtooth(phase), dtype=np.float64)
    if shape == "square":
        return np.asarray(signal.square(phase), dtype=np.float64)
    if shape == "triangle":
        return np.asarray(signal.sawtooth(phase, width=0.5), dtype=np.float64)
    raise ValueError(f"unknown oscillator shape {shape!r}")


def fm(carrier_hz: float, modulator_hz: float, index: float, t: Signal) -> Signal:
    """Frequency modulation: a sine carrier whose phase is pushed by a sine modulator."""
    return np.sin(2 * np.pi * carrier_hz * t + index * np.sin(2 * np.pi * modulator_hz * t))


def noise(colour: str, samples: int, rng: np.random.Generator) -> Signal:
    """``white``, ``pink`` (-3 dB/octave) or ``brown`` (-6 dB/octave) noise, peak-normalised."""
    white = rng.standard_normal(samples)
    if colour == "white":
        shaped = white
    elif colour in ("pink", "brown"):
        spectrum = np.fft.rfft(white)
        frequency = np.fft.rfftfreq(samples)
        frequency[0] = frequency[1] if samples > 1 else 1.0
        spectrum /= np.sqrt(frequency) if colour == "pink" else frequency
        shaped = np.fft.irfft(spectrum, samples)
        shaped -= shaped.mean()
    else:
        raise ValueError(f"unknown noise colour {colour!r}")
    peak = np.abs(shaped).max()
    return shaped / peak if peak > 0 else shaped


def adsr(
    samples: int,
    sample_rate: int,
    attack_s: float,
    decay_s: float,
    sustain: float,
    release_s: float,
) -> Signal:
    """Attack, decay, sustain level, release: an envelope ``samples`` long."""
    a, d, r = (round(x * sample_rate) for x in (attack_s, decay_s, release_s))
    s = max(0, samples - a - d - r)
    parts = [
        np.linspace(0, 1, a, endpoint=False),
        np.linspace(1, sustain, d, endpoint=False),
        np.full(s, sustain),
        np.linspace(sustain, 0, r),
    ]
    return np.concatenate(parts)[:samples] if samples else np.zeros(0)


def decay(t: Signal, time_constant_s: float) -> Signal:
    """An exponential decay from 1 with the given time constant."""
    return np.exp(-t / max(time_constant_s, 1e-6))


def sweep_filter(
    x: Signal, sample_rate: int, start_hz: float, end_hz: float, *, q: float = 2.0
) -> Signal:
    """A band-pass whose centre glides from ``start_hz`` to ``end_hz`` (log), in 10 ms steps."""
    step = max(1, sample_rate // 100)
    pieces = []
    state = np.zeros((1, 2))
    count = max(1, -(-x.size // step))
    centres = np.geomspace(max(start_hz, 20), max(end_hz, 20), count)
    for k, centre in enumerate(centres):
        low = max(10.0, centre / (1 + 1 / q))
        high = min(0.45 * sample_rate, centre * (1 + 1 / q))
        sos = signal.butter(1, [low, high], btype="bandpass", fs=sample_rate, output="sos")
        piece, state = signal.sosfilt(sos, x[k * step : (k + 1) * step], zi=state)
        pieces.append(piece)
    return np.concatenate(pieces)


def band(x: Signal, sample_rate: int, low_hz: float | None, high_hz: float | None) -> Signal:
    """A fixed high-pass, low-pass or band-pass (4th order)."""
    nyquist = 0.49 * sample_rate
    if low_hz and high_hz:
        sos = signal.butter(
            4, [low_hz, min(high_hz, nyquist)], btype="bandpass", fs=sample_rate, output="sos"
        )
    elif low_hz:
        sos = signal.butter(4, low_hz, btype="highpass", fs=sample_rate, output="sos")
    elif high_hz:
        sos = signal.butter(4, min(high_hz, nyquist), btype="lowpass", fs=sample_rate, output="sos")
    else:
        return x
    return np.asarray(signal.sosfilt(sos, x), dtype=np.float64)


def place(events: list[tuple[float, Signal]], seconds: float, sample_rate: int) -> Signal:
    """Lay sounds at times (seconds) on a silent track ``seconds`` long, summing overlaps."""
    out = np.zeros(round(seconds * sample_rate))
    for at_s, sound in events:
        start = round(at_s * sample_rate)
        if start >= out.size:
            continue
        piece = sound[: out.size - start]
        out[start : start + piece.size] += piece
    return out


VOWEL_FORMANTS_HZ = {
    "a": (800.0, 1200.0, 2500.0),
    "e": (400.0, 2000.0, 2600.0),
    "i": (300.0, 2300.0, 3000.0),
    "o": (500.0, 900.0, 2400.0),
    "u": (350.0, 700.0, 2300.0),
}


def voice(
    syllables: list[tuple[float, float, str]],
    seconds: float,
    sample_rate: int,
    *,
    f0_hz: float = 120.0,
    rng: np.random.Generator,
) -> Signal:
    """Speech-like sound: ``(start_s, duration_s, vowel)`` syllables, each a consonant then a vowel.

    The vowel is a glottal buzz (a saw at ``f0_hz`` with a little vibrato and
    a falling intonation) through three formant resonators; the consonant is
    a 30 ms burst of high band noise. Good enough for a dialogue line whose
    timing matters, as in dubbing tests and the demo.
    """
    events: list[tuple[float, Signal]] = []
    for start_s, duration_s, vowel in syllables:
        t = times(duration_s, sample_rate)
        pitch = (
            f0_hz
            * (1.05 - 0.1 * t / max(duration_s, 1e-3))
            * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))
        )
        buzz = oscillator("saw", pitch, t)
        vocal = sum(
            band(buzz, sample_rate, f / 1.15, f * 1.15) / (k + 1)
            for k, f in enumerate(VOWEL_FORMANTS_HZ[vowel])
        )
        envelope = adsr(t.size, sample_rate, 0.02, 0.05, 0.7, min(0.06, duration_s / 3))
        burst = band(noise("white", round(0.03 * sample_rate), rng), sample_rate, 2500.0, 7000.0)
        events += [(start_s, np.asarray(vocal) * envelope), (start_s - 0.03, 0.3 * burst)]
    line = place([(max(0.0, at), x) for at, x in events], seconds, sample_rate)
    peak = np.abs(line).max()
    return line / peak * 0.5 if peak > 0 else line
