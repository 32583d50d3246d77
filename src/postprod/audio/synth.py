"""Sound from scratch: the simplest building blocks (tones) on float32 arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


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
