"""Onset strength, streamed: sound in blocks in, a small 50 frames/s envelope out.

Sound is analysed mono at 8 kHz (as Ellis 2007: the beat lives below 4 kHz; half
the work of 16 kHz) in 64 ms Hann frames every 20 ms (frame k is
centred on k/50 s; librosa's default hop is 23 ms). Each frame's magnitude spectrum goes through 40 mel bands
(30 Hz-3.9 kHz) and a log (``log1p(1000 x)``, so a level change is a shift);
the onset strength is the spectral flux, the rise of every band since the last
frame summed over bands. Two more things are kept for bars: the flux of the
bass bands alone (kick and bass notes) and the mid bands' log spectrum averaged
over two frames (what chord is sounding). A block's frames need only the
previous block's last 512 - 160 samples and last spectrum, so memory does not
grow with the file; what grows is the envelope, about 50 x 20 floats a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray

#: The analysis rate (sound is resampled to it), frame length and hop.
SAMPLE_RATE = 8000
FRAME = 512
HOP = 160
FRAME_RATE = SAMPLE_RATE / HOP  # 50 frames/s
BANDS = 40
BASS_HZ = 160.0
MID_HZ = (110.0, 1800.0)
POOL = 2  # frames averaged into one harmony frame (25 a second)

Floats = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the tracker needs from the sound, at ``frame_rate`` frames a second."""

    strength: Floats  # onset strength (spectral flux), one per frame
    bass: Floats  # the flux of the bass bands only
    harmony: Floats  # (frames / POOL, bands) mid-band log spectrum
    frame_rate: float = FRAME_RATE

    @property
    def seconds(self) -> float:
        return self.strength.size / self.frame_rate


@dataclass(slots=True)
class OnsetStream:
    """Feed mono 8 kHz blocks with :meth:`feed`; :meth:`finish` gives the :class:`Envelope`."""

    _carry: Floats = field(default_factory=lambda: np.zeros(FRAME // 2, np.float32))
    _last: Floats | None = None
    _strength: list[Floats] = field(default_factory=list)
    _bass: list[Floats] = field(default_factory=list)
    _mid: list[Floats] = field(default_factory=list)

    def feed(self, block: NDArray[np.floating]) -> None:
        """Take the next samples (1-D, or ``(channels, n)`` which is averaged to mono)."""
        mono = np.asarray(block, np.float32)
        if mono.ndim == 2:
            mono = mono.mean(axis=0)
        buffer = np.concatenate([self._carry, mono])
        count = (buffer.size - FRAME) // HOP + 1
        if count <= 0:
            self._carry = buffer
            return
        frames = np.lib.stride_tricks.sliding_window_view(buffer, FRAME)[::HOP][:count]
        self._carry = buffer[count * HOP :]
        self._spectra(frames)

    def finish(self) -> Envelope:
        """Flush the last frames (zeros after the end) and return the envelope."""
        if self._carry.size > FRAME // 2:
            self.feed(np.zeros(FRAME // 2, np.float32))
        strength = _joined(self._strength)
        mid = _joined(self._mid).reshape(-1, _mid_bands().size)
        usable = mid.shape[0] // POOL * POOL
        harmony = mid[:usable].reshape(-1, POOL, mid.shape[1]).mean(axis=1)
        return Envelope(strength, _joined(self._bass), harmony.astype(np.float32))

    def _spectra(self, frames: NDArray[np.float32]) -> None:
        from scipy import fft as scipy_fft  # float32 in, complex64 out: half numpy's work

        windowed = frames * _window()
        magnitude = np.abs(scipy_fft.rfft(windowed, axis=1))
        mel = np.log1p(1000.0 * _mel_bands(magnitude))
        previous = mel[:1] if self._last is None else self._last[None, :]
        rise = np.maximum(0.0, np.diff(mel, axis=0, prepend=previous))
        self._last = mel[-1]
        bass = _bass_bands()
        self._strength.append(rise.sum(axis=1).astype(np.float32))
        self._bass.append(rise[:, :bass].sum(axis=1).astype(np.float32))
        self._mid.append(mel[:, _mid_bands()].astype(np.float32).ravel())


def _joined(parts: list[Floats]) -> Floats:
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


@cache
def _window() -> Floats:
    return np.hanning(FRAME).astype(np.float32)


@cache
def _centres_hz() -> NDArray[np.float64]:
    low, high = _mel(30.0), _mel(3900.0)
    return _hz(np.linspace(low, high, BANDS + 2))


@cache
def _filterbank() -> Floats:
    """Triangular mel filters, ``(FRAME // 2 + 1, BANDS)``, each summing to one."""
    edges = _centres_hz()
    bins = np.fft.rfftfreq(FRAME, 1 / SAMPLE_RATE)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    return weights.T.astype(np.float32)


@cache
def _sparse_filterbank() -> tuple[NDArray[np.intp], Floats, NDArray[np.intp]]:
    """The filterbank's non-zero weights: the bins (grouped by band), their weights and
    where each band's group starts. Every band holds at least one bin at this size."""
    bands, bins = np.nonzero(_filterbank().T)  # row-major: grouped by band already
    weights = _filterbank().T[bands, bins].astype(np.float32)
    starts = np.searchsorted(bands, np.arange(BANDS))
    return bins, weights, starts


def _mel_bands(magnitude: Floats) -> Floats:
    """``magnitude @ _filterbank()`` summed over the few bins each band holds: a dense
    product would do 20 times the work, and BLAS threads fight a busy machine."""
    bins, weights, starts = _sparse_filterbank()
    return np.add.reduceat(magnitude[:, bins] * weights, starts, axis=1)


@cache
def _bass_bands() -> int:
    return int(np.searchsorted(_centres_hz()[1:-1], BASS_HZ))


@cache
def _mid_bands() -> NDArray[np.intp]:
    centres = _centres_hz()[1:-1]
    return np.flatnonzero((centres >= MID_HZ[0]) & (centres <= MID_HZ[1]))


def _mel(hz: float) -> float:
    return float(2595.0 * np.log10(1.0 + hz / 700.0))


def _hz(mel: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(700.0 * (10 ** (mel / 2595.0) - 1.0), dtype=np.float64)


def envelope_of(samples: NDArray[np.floating], *, block: int = SAMPLE_RATE * 10) -> Envelope:
    """The envelope of mono 8 kHz ``samples`` held in memory (fed in blocks, as a file is)."""
    stream = OnsetStream()
    flat = np.asarray(samples, np.float32)
    flat = flat.mean(axis=0) if flat.ndim == 2 else flat
    for start in range(0, flat.size, block):
        stream.feed(flat[start : start + block])
    return stream.finish()
