"""Loudness per ITU-R BS.1770-4 and EBU R 128 (Tech 3341, Tech 3342), streaming.

Feed float32 ``(channels, samples)`` blocks of any size to a :class:`LoudnessMeter`;
it keeps only the K-weighted energy of each 100 ms step per channel (36,000
numbers per channel for an hour), from which every measure follows:

- momentary loudness: 400 ms windows, every 100 ms;
- short-term loudness: 3 s windows, every 100 ms;
- integrated loudness: the 400 ms windows (75 % overlap) gated at -70 LUFS,
  then at 10 LU below the loudness of what passed the first gate;
- loudness range (Tech 3342): the short-term values gated at -70 LUFS and
  20 LU below their mean power, from the 10th to the 95th percentile;
- true peak (BS.1770-4 Annex 2): the signal oversampled 4x below 96 kHz
  (2x below 192 kHz) by a polyphase interpolator; only stretches that could
  hold the peak are oversampled (a bound on the interpolator's gain proves
  the others cannot), which makes it cheap on programme material.

Channel weights follow BS.1770-4: 1.0 for left, right and centre, 1.41
(+1.5 dB) for the surrounds, and the LFE is left out (5.1 in L R C LFE Ls Rs
order).
"""

from __future__ import annotations

import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from postprod.errors import AudioError

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
_OFFSET = -0.691  # BS.1770: the K-weighting's gain at 1 kHz made up
#: Taps per phase of the true-peak interpolator (BS.1770-4 Annex 2's example has 12).
_TAPS_PER_PHASE = 16
#: Weights for 5.1 in SMPTE/ITU order (L R C LFE Ls Rs): LFE out, surrounds +1.5 dB.
SURROUND_WEIGHTS = (1.0, 1.0, 1.0, 0.0, 1.41, 1.41)


def k_weighting(sample_rate: int) -> NDArray[np.float64]:
    """The two K-weighting biquads (pre-filter shelf, RLB high-pass) at ``sample_rate``, as SOS.

    Derived from their analogue prototypes (as libebur128 does), so any rate
    works; at 48 kHz they equal the coefficients printed in BS.1770-4.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / sample_rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2 * (k * k - 1) / a0,
        (1 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / sample_rate)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def channel_weights(channels: int) -> NDArray[np.float64]:
    """BS.1770-4 weights for 1, 2 or 6 (5.1) channels."""
    if channels == 6:
        return np.array(SURROUND_WEIGHTS)
    if channels in (1, 2):
        return np.ones(channels)
    raise AudioError(
        f"no loudness channel weights for {channels} channels",
        fix="give mono, stereo or 5.1 (L R C LFE Ls Rs)",
    )


@dataclass(frozen=True, slots=True)
class LoudnessResult:
    """The figures of one measurement, and the series behind them (one value per 100 ms)."""

    integrated_lufs: float
    loudness_range_lu: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    max_momentary_lufs: float
    max_short_term_lufs: float
    momentary_lufs: NDArray[np.float64] = field(repr=False)
    short_term_lufs: NDArray[np.float64] = field(repr=False)
    step_s: float = 0.1

    def figures(self) -> dict[str, float]:
        """The six headline figures (the ``loudness --json`` contract)."""
        return {
            "integrated_lufs": _round(self.integrated_lufs),
            "loudness_range_lu": _round(self.loudness_range_lu),
            "true_peak_dbtp": _round(self.true_peak_dbtp),
            "sample_peak_dbfs": _round(self.sample_peak_dbfs),
            "max_momentary_lufs": _round(self.max_momentary_lufs),
            "max_short_term_lufs": _round(self.max_short_term_lufs),
        }


def _round(value: float) -> float:
    return round(value, 3) if np.isfinite(value) else value


class LoudnessMeter:
    """Measures a stream of blocks; :meth:`result` at any time gives the figures so far."""

    def __init__(self, sample_rate: int, channels: int, *, true_peak: bool = True) -> None:
        self.sample_rate, self.channels = sample_rate, channels
        self._weights = channel_weights(channels)
        # The filter runs in float32 (twice as fast; the energy differs by under 1e-5 dB);
        # energies are summed in float64.
        self._sos = k_weighting(sample_rate).astype(np.float32)
        self._state = np.zeros((self._sos.shape[0], channels, 2), np.float32)
        self._steps: list[NDArray[np.float64]] = []  # per 100 ms: weighted sum of channel energies
        self._pending = np.zeros(channels)  # energy of the unfinished step
        self._position = 0  # samples fed
        self._step_index = 0
        self._sample_peak = 0.0
        self._true_peak = _TruePeak(sample_rate, channels) if true_peak else None
        self._workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="loudness")
        weakref.finalize(self, self._workers.shutdown, wait=False)

    def feed(self, block: NDArray[np.floating]) -> None:
        """Add ``(channels, n)`` samples."""
        if block.ndim != 2 or block.shape[0] != self.channels:
            raise AudioError(
                f"expected ({self.channels}, n) samples, got {block.shape}",
                fix="feed blocks in the (channels, samples) layout",
            )
        if block.shape[1] == 0:
            return
        self._sample_peak = max(self._sample_peak, float(np.abs(block).max()))
        samples = block.astype(np.float32, copy=False)
        # Split at the exact 100 ms boundaries (round(k * rate / 10)) inside this block.
        start = self._position
        end = start + block.shape[1]
        boundaries = []
        k = self._step_index + 1
        while (edge := _step_edge(k, self.sample_rate)) <= end:
            boundaries.append(edge - start)
            k += 1
        cuts = np.array([0, *boundaries, block.shape[1]])
        # Channels are filtered, and true peaks found, on two threads (SciPy releases the GIL).
        jobs = [
            self._workers.submit(self._channel_energy, channel, samples[channel], cuts)
            for channel in range(self.channels)
        ]
        if self._true_peak is not None:
            self._true_peak.feed(block)
        sums = np.stack([job.result() for job in jobs])
        for piece in range(len(cuts) - 1):
            self._pending += sums[:, piece]
            if piece < len(boundaries):
                self._close_step()
        self._position = end

    def _channel_energy(
        self, channel: int, samples: NDArray[np.float32], cuts: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """K-weighted energy of one channel in each piece between ``cuts``."""
        filtered, self._state[:, channel] = signal.sosfilt(
            self._sos, samples, zi=self._state[:, channel]
        )
        starts, ends = cuts[:-1], cuts[1:]
        sums = np.zeros(starts.size)
        filled = starts < ends  # reduceat cannot express an empty piece
        sums[filled] = np.add.reduceat(np.square(filtered), starts[filled], dtype=np.float64)
        return sums

    def _close_step(self) -> None:
        """Store the mean-square energy of the 100 ms step just completed."""
        k = self._step_index
        length = _step_edge(k + 1, self.sample_rate) - _step_edge(k, self.sample_rate)
        self._steps.append(self._pending / length)
        self._pending = np.zeros(self.channels)
        self._step_index += 1

    def result(self) -> LoudnessResult:
        """The figures for everything fed so far."""
        steps = np.array(self._steps).reshape(-1, self.channels)
        weighted = steps @ self._weights
        momentary = _windowed(weighted, 4)
        short_term = _windowed(weighted, 30)
        true_peak = self._true_peak.peak if self._true_peak is not None else self._sample_peak
        return LoudnessResult(
            integrated_lufs=integrated(momentary),
            loudness_range_lu=loudness_range(short_term),
            true_peak_dbtp=_db(max(true_peak, self._sample_peak)),
            sample_peak_dbfs=_db(self._sample_peak),
            max_momentary_lufs=float(_lufs(momentary.max())) if momentary.size else -np.inf,
            max_short_term_lufs=float(_lufs(short_term.max())) if short_term.size else -np.inf,
            momentary_lufs=_lufs(momentary),
            short_term_lufs=_lufs(short_term),
        )


def measure(samples: NDArray[np.floating], sample_rate: int) -> LoudnessResult:
    """Loudness of a whole ``(channels, samples)`` array (for clips and tests)."""
    meter = LoudnessMeter(sample_rate, samples.shape[0])
    meter.feed(samples)
    return meter.result()


def integrated(momentary_power: NDArray[np.float64]) -> float:
    """Gated integrated loudness from the mean-square power of the 400 ms windows."""
    if momentary_power.size == 0:
        return -np.inf
    loud = momentary_power[_lufs(momentary_power) > ABSOLUTE_GATE_LUFS]
    if loud.size == 0:
        return -np.inf
    gate = _lufs(loud.mean()) + RELATIVE_GATE_LU
    kept = loud[_lufs(loud) > gate]
    return float(_lufs(kept.mean())) if kept.size else -np.inf


def loudness_range(short_term_power: NDArray[np.float64]) -> float:
    """Loudness range (EBU Tech 3342) from the mean-square power of the 3 s windows."""
    loud = short_term_power[_lufs(short_term_power) > ABSOLUTE_GATE_LUFS]
    if loud.size == 0:
        return 0.0
    gate = _lufs(loud.mean()) + LRA_RELATIVE_GATE_LU
    kept = _lufs(loud[_lufs(loud) > gate])
    if kept.size == 0:
        return 0.0
    low, high = np.percentile(kept, [10, 95])
    return float(high - low)


def _windowed(step_power: NDArray[np.float64], steps: int) -> NDArray[np.float64]:
    """Mean power of each window of ``steps`` consecutive 100 ms steps, one per step."""
    if step_power.size < steps:
        return np.zeros(0)
    cumulative = np.concatenate([[0.0], np.cumsum(step_power)])
    result: NDArray[np.float64] = (cumulative[steps:] - cumulative[:-steps]) / steps
    return result


def _lufs(power: NDArray[np.float64] | float) -> NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        result: NDArray[np.float64] = _OFFSET + 10 * np.log10(power)
    return result


def _db(linear: float) -> float:
    return float(20 * np.log10(linear)) if linear > 0 else -np.inf


def _step_edge(k: int, sample_rate: int) -> int:
    """The first sample of 100 ms step ``k``."""
    return round(Fraction(k * sample_rate, 10))


class _TruePeak:
    """The largest absolute value of the signal oversampled (BS.1770-4 Annex 2), streaming.

    Each sample is interpolated only once its neighbours on both sides have
    arrived (the last few wait for the next block, or for the end), so block
    edges add nothing. Oversampling every sample is the costly part of a
    meter, so a stretch is only oversampled if its largest sample, times the
    interpolator's largest possible gain (the sum of the absolute taps of its
    worst phase), could exceed the peak found so far.
    """

    _STRETCH = 1024

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.factor = 4 if sample_rate < 96000 else 2 if sample_rate < 192000 else 1
        if self.factor > 1:
            taps = signal.firwin(
                self.factor * _TAPS_PER_PHASE, 1 / self.factor, window=("kaiser", 6.0)
            )
            self._taps = taps * self.factor
        else:
            self._taps = np.ones(1)
        phases = np.pad(self._taps, (0, -len(self._taps) % self.factor))
        self._gain_bound = float(np.abs(phases.reshape(-1, self.factor)).sum(axis=0).max())
        self._context = len(self._taps) // self.factor + 1  # input samples each side of an output
        self._buffer = np.zeros((channels, 0), np.float32)  # the last samples, for their neighbours
        self._waiting = 0  # samples at the end of the buffer not yet interpolated
        self._peak = 0.0

    def feed(self, block: NDArray[np.floating]) -> None:
        joined = np.concatenate([self._buffer, block.astype(np.float32, copy=False)], axis=1)
        first = joined.shape[1] - block.shape[1] - self._waiting
        last = max(first, joined.shape[1] - self._context)
        self._scan(joined, first, last)
        self._buffer = joined[:, -2 * self._context :]
        self._waiting = joined.shape[1] - last

    @property
    def peak(self) -> float:
        """The true peak so far, the samples still waiting included (as if the signal ended)."""
        waiting = self._buffer.shape[1] - self._waiting
        tail = np.pad(self._buffer, ((0, 0), (0, self._context)))
        return max(self._peak, self._scan_peak(tail, waiting, self._buffer.shape[1]))

    def _scan(self, joined: NDArray[np.float32], first: int, last: int) -> None:
        self._peak = max(self._peak, self._scan_peak(joined, first, last))

    def _scan_peak(self, joined: NDArray[np.float32], first: int, last: int) -> float:
        """The interpolated peak of samples ``first:last`` of ``joined``."""
        if last <= first:
            return 0.0
        region = np.abs(joined[:, first:last]).max(axis=0)
        if self.factor == 1:
            return float(region.max())
        peak = self._peak
        pieces = -(-region.size // self._STRETCH)
        padded = np.pad(region, (0, pieces * self._STRETCH - region.size))
        local = padded.reshape(pieces, self._STRETCH).max(axis=1)
        threshold = max(peak, float(region.max())) / self._gain_bound
        delay = (len(self._taps) - 1) // 2  # input n comes out at n * factor + delay
        for piece in np.flatnonzero(local >= threshold).tolist():
            a = first + piece * self._STRETCH
            b = min(last, a + self._STRETCH)
            lo, hi = a - self._context, b + self._context
            chunk = joined[:, max(0, lo) : hi].astype(np.float64)
            chunk = np.pad(chunk, ((0, 0), (max(0, -lo), 0)))  # silence before the start
            up = signal.upfirdn(self._taps, chunk, up=self.factor, axis=1)
            centre = up[:, self._context * self.factor + delay : (b - lo) * self.factor + delay]
            peak = max(peak, float(np.abs(centre).max()))
        return peak
