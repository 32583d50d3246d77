"""Pan laws and channel layouts.

Mono sources pan with the constant-power law (sin/cos): at centre each side
gets -3.01 dB, and the power is the same wherever the source sits. Stereo
sources use balance: the far side is turned down, the near side untouched.
5.1 is L R C LFE Ls Rs (SMPTE/ITU order); its stereo downmix is ITU-R BS.775.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: ITU-R BS.775 downmix of L R C LFE Ls Rs to Lo Ro (LFE left out).
BS775_DOWNMIX = np.array(
    [
        [1.0, 0.0, np.sqrt(0.5), 0.0, np.sqrt(0.5), 0.0],
        [0.0, 1.0, np.sqrt(0.5), 0.0, 0.0, np.sqrt(0.5)],
    ]
)


def pan_gains(
    pan: NDArray[np.float64] | float, stereo_source: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Left and right gains for pan positions from -1 (left) to +1 (right)."""
    position = np.clip(np.asarray(pan, dtype=np.float64), -1.0, 1.0)
    if stereo_source:
        return np.minimum(1.0, 1.0 - position), np.minimum(1.0, 1.0 + position)
    angle = (position + 1.0) * np.pi / 4
    return np.cos(angle), np.sin(angle)


def pan_block(block: NDArray[np.float32], pan: NDArray[np.float64] | float) -> NDArray[np.float32]:
    """A mono or stereo block placed in stereo."""
    left, right = pan_gains(pan, stereo_source=block.shape[0] >= 2)
    out = np.empty((2, block.shape[1]), np.float32)
    out[0] = block[0] * left
    out[1] = block[min(1, block.shape[0] - 1)] * right
    return out


def downmix_51(block: NDArray[np.float32]) -> NDArray[np.float32]:
    """ITU-R BS.775 stereo from 5.1 (L R C LFE Ls Rs)."""
    result: NDArray[np.float32] = (BS775_DOWNMIX @ block).astype(np.float32)
    return result
