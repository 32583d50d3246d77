"""Band checks for physical media, streaming: what a cutting lathe or a cassette cannot take.

- Low-frequency stereo: the side signal (L-R)/2 below 150 Hz against the mid
  (L+R)/2 below 150 Hz. A lathe cuts side as vertical groove motion; strong
  out-of-phase bass throws the stylus out of the groove, so vinyl masters keep
  the bass nearly mono.
- Sibilance: the peak of the 4-12 kHz band (10 ms RMS), where "s" sounds
  distort on vinyl and tape.
- High-frequency energy: the share of energy above 12 kHz, which cassette
  tape saturates on and loses.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal

LF_SPLIT_HZ = 150.0
SIBILANCE_BAND_HZ = (4000.0, 12000.0)
HF_SPLIT_HZ = 12000.0


class BandStats:
    """Accumulates the band figures over a stream of ``(channels, n)`` blocks."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate, self.channels = sample_rate, channels
        nyquist = sample_rate / 2
        self._low = signal.butter(4, LF_SPLIT_HZ, btype="lowpass", fs=sample_rate, output="sos")
        high_edge = min(SIBILANCE_BAND_HZ[1], 0.95 * nyquist)
        self._sib = signal.butter(
            4, [SIBILANCE_BAND_HZ[0], high_edge], btype="bandpass", fs=sample_rate, output="sos"
        )
        self._hf = signal.butter(
            4, min(HF_SPLIT_HZ, 0.9 * nyquist), btype="highpass", fs=sample_rate, output="sos"
        )
        self._states = {
            name: np.zeros((sos.shape[0], 2, 2))
            for name, sos in (("low", self._low), ("sib", self._sib), ("hf", self._hf))
        }
        self._mid_low = self._side_low = self._hf_energy = self._total = 0.0
        self._sibilance_peak = 0.0
        self._window = max(1, sample_rate // 100)  # 10 ms
        self._carry = np.zeros(0)

    def feed(self, block: NDArray[np.floating]) -> None:
        x = block.astype(np.float64)
        left, right = x[0], x[min(1, x.shape[0] - 1)]
        pair = np.stack([(left + right) / 2, (left - right) / 2])  # mid, side
        low, self._states["low"] = signal.sosfilt(self._low, pair, axis=1, zi=self._states["low"])
        self._mid_low += float(np.sum(low[0] ** 2))
        self._side_low += float(np.sum(low[1] ** 2))
        sib, self._states["sib"] = signal.sosfilt(self._sib, pair, axis=1, zi=self._states["sib"])
        power = np.concatenate([self._carry, sib[0] ** 2 + sib[1] ** 2])
        whole = power.size // self._window * self._window
        if whole:
            rms = np.sqrt(power[:whole].reshape(-1, self._window).mean(axis=1))
            self._sibilance_peak = max(self._sibilance_peak, float(rms.max()))
        self._carry = power[whole:]
        hf, self._states["hf"] = signal.sosfilt(self._hf, pair, axis=1, zi=self._states["hf"])
        self._hf_energy += float(np.sum(hf**2))
        self._total += float(np.sum(pair**2))

    @property
    def lf_side_db(self) -> float:
        """Side below 150 Hz relative to mid below 150 Hz, dB (-inf: perfectly mono bass)."""
        if self._side_low <= 0:
            return -np.inf
        return float(10 * np.log10(self._side_low / max(self._mid_low, 1e-30)))

    @property
    def sibilance_peak_dbfs(self) -> float:
        """Loudest 10 ms of the 4-12 kHz band, dBFS (RMS of a full-scale sine = -3 dBFS)."""
        return float(20 * np.log10(self._sibilance_peak)) if self._sibilance_peak > 0 else -np.inf

    @property
    def hf_energy_db(self) -> float:
        """Energy above 12 kHz relative to all the energy, dB."""
        if self._hf_energy <= 0:
            return -np.inf
        return float(10 * np.log10(self._hf_energy / max(self._total, 1e-30)))
