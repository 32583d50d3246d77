"""Dialogue clean-up: broadband noise reduction, hum removal and de-clicking, in blocks.

* **Noise**: spectral gating. A noise profile (each frequency's mean and
  spread in dB) comes from a noise print, or is learned from the recording's
  own quietest two seconds (its pauses: room tone). A time-frequency cell
  well above the profile passes, one near it is turned down by
  ``reduction_db``; the gate is smoothed over time and frequency so it does
  not chirp (no "musical noise").
* **Hum**: narrow notches at the mains frequency and its harmonics.
* **Clicks**: samples the recent past cannot predict (a linear predictor's
  residual, far beyond its typical size) are replaced by interpolation.

Everything streams: blocks go in, blocks come out, each processed with
enough context either side that the joins do not show.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, ndimage, signal

from postprod.errors import AudioError

Block = NDArray[np.float32]

FFT_S = 0.04  # about 2048 samples at 48 kHz: fine enough in frequency for speech harmonics
QUIET_S = 2.0  # how much of the quietest sound makes a learned noise profile
HUM_HARMONICS = 8


@dataclass(frozen=True, slots=True)
class NoiseProfile:
    """Each frequency bin's noise power (dB), for one FFT size."""

    level_db: NDArray[np.float64]
    fft_size: int

    @classmethod
    def from_frames(cls, power: NDArray[np.float64], fft_size: int) -> NoiseProfile:
        """From ``(frames, bins)`` power spectra of noise alone."""
        if power.shape[0] == 0:
            raise AudioError(
                "the noise print is too short to learn from", fix="give a second or more"
            )
        return cls(10 * np.log10(power.mean(axis=0) + 1e-20), fft_size)


@dataclass(frozen=True, slots=True)
class CleanSettings:
    """What to clean and how hard."""

    denoise: bool = True
    reduction_db: float = 18.0  # how far noise-only cells are turned down
    threshold_db: float = 4.0  # a cell is signal this far above the noise (smoothed power)
    hum_hz: float | None = None  # 50 or 60
    declick: bool = False
    click_threshold: float = 8.0  # a click's residual exceeds this many typical residuals


def fft_size(sample_rate: int) -> int:
    return 1 << round(math.log2(FFT_S * sample_rate))


def clean_blocks(
    blocks: Iterable[Block],
    sample_rate: int,
    settings: CleanSettings,
    noise: NoiseProfile | None = None,
) -> Iterator[Block]:
    """Clean a stream of ``(channels, n)`` blocks; the output has the input's length."""
    stream: Iterator[Block] = iter(blocks)
    if settings.declick:
        stream = _with_context(
            stream, 1024, lambda x: declick(x, sample_rate, settings.click_threshold)
        )
    if settings.hum_hz:
        hum_hz = settings.hum_hz
        stream = _with_context(stream, sample_rate, lambda x: remove_hum(x, sample_rate, hum_hz))
    if settings.denoise:
        if noise is None:
            raise AudioError("noise reduction needs a noise profile", fix="learn one first")
        size = noise.fft_size
        stream = _with_context(stream, 4 * size, lambda x: gate(x, noise, settings), size // 4)
    yield from stream


def spectra(x: NDArray[np.floating], size: int) -> NDArray[np.complex128]:
    """STFT of each channel, Hann window, 75 % overlap: ``(channels, bins, frames)``."""
    _, _, z = signal.stft(x, window="hann", nperseg=size, noverlap=size * 3 // 4, boundary="even")
    return np.asarray(z)


def learn_noise(blocks: Iterable[Block], sample_rate: int) -> NoiseProfile:
    """The profile of the quietest ``QUIET_S`` of a recording (its pauses), in one pass."""
    size = fft_size(sample_rate)
    keep = max(8, round(QUIET_S * sample_rate / (size // 4)))
    pool = np.zeros((0, size // 2 + 1))
    for block in blocks:
        if block.shape[1] < size:
            continue
        power = (np.abs(spectra(block.mean(axis=0), size)) ** 2).T  # (frames, bins)
        pool = np.concatenate([pool, power[1:-1]])  # the edge frames see padding
        pool = pool[np.argsort(pool.sum(axis=1))[:keep]]
    return NoiseProfile.from_frames(pool, size)


def gate(x: Block, noise: NoiseProfile, settings: CleanSettings) -> Block:
    """Spectral gating of ``(channels, n)``: cells near the noise profile turned down.

    Power is first averaged over 3 bins and 5 frames (50 ms), so noise alone
    rarely pokes above the threshold; the gate opens over the 6 dB above it.
    """
    size = noise.fft_size
    z = spectra(x, size)
    power = ndimage.uniform_filter(np.abs(z) ** 2, size=(1, 3, 5), mode="nearest")
    above_db = 10 * np.log10(power + 1e-20) - noise.level_db[None, :, None] - settings.threshold_db
    opening = np.clip(above_db / 6.0, 0.0, 1.0)
    floor = 10 ** (-settings.reduction_db / 20)
    gain = ndimage.uniform_filter(floor + (1 - floor) * opening, size=(1, 3, 3), mode="nearest")
    _, y = signal.istft(
        z * gain, window="hann", nperseg=size, noverlap=size * 3 // 4, boundary=True
    )
    out: Block = np.asarray(y[:, : x.shape[1]], dtype=np.float32)
    return out


def remove_hum(x: Block, sample_rate: int, hum_hz: float) -> Block:
    """Notch the mains frequency and its harmonics, 2 Hz wide, forwards and backwards.

    Run both ways the notches shift no phase, so the voice around them is untouched.
    """
    out: Block = signal.sosfiltfilt(_notches(sample_rate, hum_hz), x, axis=1).astype(np.float32)
    return out


@functools.cache
def _notches(sample_rate: int, hum_hz: float) -> NDArray[np.float64]:
    sections = []
    for harmonic in range(1, HUM_HARMONICS + 1):
        frequency = harmonic * hum_hz
        if frequency >= 0.45 * sample_rate:
            break
        b, a = signal.iirnotch(frequency, Q=frequency / 2.0, fs=sample_rate)
        sections.append(signal.tf2sos(b, a))
    return np.concatenate(sections)


def declick(x: Block, sample_rate: int, threshold: float = 8.0) -> Block:
    """Replace clicks (samples a 16th-order predictor misses by far, alone) by interpolation."""
    order = 16
    out = x.copy()
    for channel, samples in enumerate(x.astype(np.float64)):
        if not np.any(samples):
            continue
        correlation = np.array(
            [np.dot(samples[: samples.size - lag], samples[lag:]) for lag in range(order + 1)]
        )
        correlation[0] *= 1.0 + 1e-6  # keep the system well conditioned on pure tones
        try:
            coefficients = linalg.solve_toeplitz(correlation[:order], correlation[1 : order + 1])
        except (linalg.LinAlgError, ValueError):
            continue
        predicted = signal.lfilter(np.concatenate([[0.0], coefficients]), [1.0], samples)
        residual = np.abs(samples - predicted)
        typical = np.median(residual) / 0.6745 + 1e-12
        # a click stands out from the residual around it; glottal pulses have neighbours
        near, span = round(0.001 * sample_rate), round(0.015 * sample_rate)
        around = ndimage.maximum_filter1d(residual, span, mode="nearest")
        left = np.concatenate([np.zeros(near + span // 2), around])[: samples.size]
        right = np.concatenate([around[near + span // 2 :], np.zeros(near + span // 2)])
        spikes = (residual > threshold * typical) & (residual > 2.5 * np.maximum(left, right))
        clicks = ndimage.binary_dilation(spikes, iterations=3)
        if clicks.any():
            good = ~clicks
            index = np.arange(samples.size)
            out[channel, clicks] = np.interp(index[clicks], index[good], samples[good])
    return out


def _with_context(
    blocks: Iterator[Block], context: int, process: Callable[[Block], Block], grain: int = 1
) -> Iterator[Block]:
    """Apply ``process`` to each block with ``context`` samples of its neighbours either side.

    Every piece processed starts a whole number of ``grain`` samples into the
    stream, so an STFT's frames fall in the same places whatever the block sizes.
    """
    pending: list[Block] = []
    held = 0
    previous: Block | None = None  # the tail of what came before, for the left context
    for block in blocks:
        pending.append(block)
        held += block.shape[1]
        if held >= 4 * context:
            ready = np.concatenate(pending, axis=1)
            cut = (held - context) // grain * grain
            body, ahead = ready[:, :cut], ready[:, cut:]
            left = previous if previous is not None else np.zeros((ready.shape[0], 0), np.float32)
            done = process(np.concatenate([left, ready], axis=1))
            yield done[:, left.shape[1] : left.shape[1] + cut]
            previous = body[:, -context:]
            pending, held = [ahead], ahead.shape[1]
    if pending:
        rest = np.concatenate(pending, axis=1)
        left = previous if previous is not None else np.zeros((rest.shape[0], 0), np.float32)
        done = process(np.concatenate([left, rest], axis=1))
        yield done[:, left.shape[1] :]
