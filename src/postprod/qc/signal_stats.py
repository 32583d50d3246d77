"""Signal checks for QC, streaming: clipping, silence and drop-outs, DC offset, phase.

One pass over ``(channels, samples)`` blocks; kept per 100 ms step are each
channel's minimum and maximum (for a waveform overview), nothing else grows
with length. Runs (of full-scale samples, of silence) are followed across
block edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

#: A sample at or above this magnitude counts as full scale (clipped).
FULL_SCALE = 0.999
#: Consecutive full-scale samples that make a clip.
CLIP_RUN_SAMPLES = 3
#: Below this level a sample counts as silent (-90 dBFS).
SILENCE_LEVEL = 10 ** (-90 / 20)


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of samples, ``start`` to ``start + length`` (in samples, on any channel)."""

    start: int
    length: int


@dataclass(slots=True)
class SignalStats:
    """Accumulates the QC figures of a stream of blocks."""

    sample_rate: int
    channels: int
    samples: int = 0
    clips: list[Run] = field(default_factory=list)
    silences: list[Run] = field(default_factory=list)
    min_silence_s: float = 0.5
    _sum: NDArray[np.float64] = field(init=False)
    _products: NDArray[np.float64] = field(init=False)  # sum of x_i * x_j
    _clip_open: int | None = field(default=None, init=False)
    _silence_open: int | None = field(default=None, init=False)
    _overview: list[NDArray[np.float32]] = field(default_factory=list, init=False)
    _partial: NDArray[np.float32] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._sum = np.zeros(self.channels)
        self._products = np.zeros((self.channels, self.channels))

    def feed(self, block: NDArray[np.floating]) -> None:
        """Add ``(channels, n)`` samples."""
        x = block.astype(np.float64, copy=False)
        self._sum += x.sum(axis=1)
        self._products += x @ x.T
        magnitude = np.abs(block).max(axis=0)
        self._clip_open = self._runs(
            magnitude >= FULL_SCALE, self._clip_open, CLIP_RUN_SAMPLES, self.clips
        )
        silence_samples = round(self.min_silence_s * self.sample_rate)
        self._silence_open = self._runs(
            magnitude < SILENCE_LEVEL, self._silence_open, silence_samples, self.silences
        )
        self._extend_overview(block)
        self.samples += block.shape[1]

    def _runs(
        self, flags: NDArray[np.bool_], open_at: int | None, minimum: int, found: list[Run]
    ) -> int | None:
        """Close the runs of ``flags`` that end in this block; returns where one is still open."""
        edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
        starts = (np.flatnonzero(edges == 1) + self.samples).tolist()
        ends = (np.flatnonzero(edges == -1) + self.samples).tolist()
        if open_at is not None and starts and starts[0] == self.samples:
            starts[0] = open_at  # the run from the last block goes on
        elif open_at is not None:
            length = self.samples - open_at
            if length >= minimum:
                found.append(Run(open_at, length))
        still_open = None
        if ends and ends[-1] == self.samples + flags.size:
            still_open = starts.pop()
            ends.pop()
        found.extend(Run(s, e - s) for s, e in zip(starts, ends, strict=True) if e - s >= minimum)
        return still_open

    def finish(self) -> None:
        """Close the runs still open at the end of the stream."""
        for open_at, minimum, found in (
            (self._clip_open, CLIP_RUN_SAMPLES, self.clips),
            (self._silence_open, round(self.min_silence_s * self.sample_rate), self.silences),
        ):
            if open_at is not None and self.samples - open_at >= minimum:
                found.append(Run(open_at, self.samples - open_at))
        self._clip_open = self._silence_open = None

    def _extend_overview(self, block: NDArray[np.floating]) -> None:
        step = self.sample_rate // 10
        data = block.astype(np.float32, copy=False)
        if self._partial is not None:
            data = np.concatenate([self._partial, data], axis=1)
        whole = data.shape[1] // step * step
        if whole:
            shaped = data[:, :whole].reshape(self.channels, -1, step)
            self._overview.append(np.stack([shaped.min(axis=2), shaped.max(axis=2)]))
        self._partial = data[:, whole:]

    @property
    def dc_offset(self) -> NDArray[np.float64]:
        """Each channel's mean."""
        result: NDArray[np.float64] = self._sum / max(1, self.samples)
        return result

    def correlation(self, a: int = 0, b: int = 1) -> float:
        """Phase correlation of channels ``a`` and ``b`` over the whole stream (-1 to +1)."""
        denominator = np.sqrt(self._products[a, a] * self._products[b, b])
        return float(self._products[a, b] / denominator) if denominator > 0 else 1.0

    def mono_loss_db(self, a: int = 0, b: int = 1) -> float:
        """How much quieter (L+R)/2 is than the mean of L and R, in dB (0 when in phase)."""
        paa, pbb, pab = self._products[a, a], self._products[b, b], self._products[a, b]
        mono = (paa + pbb + 2 * pab) / 4
        stereo = (paa + pbb) / 2
        if stereo <= 0:
            return 0.0
        return float(-10 * np.log10(max(mono, 1e-300) / stereo))

    @property
    def overview(self) -> NDArray[np.float32]:
        """``(2, channels, steps)``: minimum and maximum of each channel per 100 ms."""
        if not self._overview:
            return np.zeros((2, self.channels, 0), np.float32)
        return np.concatenate(self._overview, axis=2)
