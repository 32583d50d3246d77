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

from postprod.qc.runs import Run, RunFinder

#: A sample at or above this magnitude counts as full scale (clipped).
FULL_SCALE = 0.999
#: Consecutive full-scale samples that make a clip.
CLIP_RUN_SAMPLES = 3
#: Below this level a sample counts as silent (-90 dBFS).
SILENCE_LEVEL = 10 ** (-90 / 20)


@dataclass(slots=True)
class SignalStats:
    """Accumulates the QC figures of a stream of blocks."""

    sample_rate: int
    channels: int
    samples: int = 0
    min_silence_s: float = 0.5
    _sum: NDArray[np.float64] = field(init=False)
    _products: NDArray[np.float64] = field(init=False)  # sum of x_i * x_j
    _clips: RunFinder = field(init=False)
    _silences: RunFinder = field(init=False)
    _overview: list[NDArray[np.float32]] = field(default_factory=list, init=False)
    _partial: NDArray[np.float32] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._sum = np.zeros(self.channels)
        self._products = np.zeros((self.channels, self.channels))
        self._clips = RunFinder(CLIP_RUN_SAMPLES)
        self._silences = RunFinder(round(self.min_silence_s * self.sample_rate))

    @property
    def clips(self) -> list[Run]:
        """Runs of full-scale samples found so far."""
        return self._clips.found

    @property
    def silences(self) -> list[Run]:
        """Runs of digital silence found so far."""
        return self._silences.found

    def feed(self, block: NDArray[np.floating]) -> None:
        """Add ``(channels, n)`` samples."""
        x = block.astype(np.float64, copy=False)
        self._sum += x.sum(axis=1)
        self._products += x @ x.T
        magnitude = np.abs(block).max(axis=0)
        self._clips.feed(magnitude >= FULL_SCALE)
        self._silences.feed(magnitude < SILENCE_LEVEL)
        self._extend_overview(block)
        self.samples += block.shape[1]

    def finish(self) -> None:
        """Close the runs still open at the end of the stream."""
        self._clips.finish()
        self._silences.finish()

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
