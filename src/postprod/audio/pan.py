"""Pan laws and channel layouts.

Mono sources pan with the constant-power law (sin/cos): at centre each side
gets -3.01 dB, and the power is the same wherever the source sits. Stereo
sources use balance: the far side is turned down, the near side untouched.
5.1 is L R C LFE Ls Rs (SMPTE/ITU order); its stereo downmix is ITU-R BS.775:
``Lo = L + 0.707 C + 0.707 Ls``, ``Ro = R + 0.707 C + 0.707 Rs``, LFE dropped.

In a 5.1 mix a mono source pans across the front L-C-R, constant power
between neighbours (centre pan is the centre speaker alone, as film dialogue
is), and ``pan_rear`` (0 front .. 1 rear) moves it constant-power towards
the surrounds, where it pans between Ls and Rs with the sin/cos law. A
stereo source keeps L and R (balance) and sends the same share rearwards;
a 5.1 source passes through as it is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from postprod.errors import AudioError

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


LAYOUTS = {"stereo": 2, "5.1": 6}


def layout_channels(layout: str) -> int:
    """How many channels a layout has."""
    if layout not in LAYOUTS:
        raise AudioError(f"unknown layout {layout!r}", fix=f"use one of {', '.join(LAYOUTS)}")
    return LAYOUTS[layout]


def place(
    block: NDArray[np.float32],
    pan: NDArray[np.float64] | float,
    layout: str = "stereo",
    pan_rear: float = 0.0,
) -> NDArray[np.float32]:
    """A mono, stereo or 5.1 block placed in ``layout`` (see the module doc for the laws)."""
    if layout == "stereo":
        if block.shape[0] == 6:
            block = downmix_51(block)
        return pan_block(block, pan)
    if block.shape[0] == 6:
        return block
    n = block.shape[1]
    position = np.clip(np.asarray(pan, dtype=np.float64), -1.0, 1.0)
    rear_angle = np.clip(pan_rear, 0.0, 1.0) * np.pi / 2
    front, rear = np.cos(rear_angle), np.sin(rear_angle)
    out = np.zeros((6, n), np.float32)
    if block.shape[0] >= 2:
        left, right = pan_gains(position, stereo_source=True)
        out[0], out[1] = block[0] * (left * front), block[1] * (right * front)
        if rear > 0:
            out[4], out[5] = block[0] * (left * rear), block[1] * (right * rear)
        return out
    mono = block[0]
    angle = np.where(position < 0, (position + 1.0), position) * np.pi / 2
    near, far = np.cos(angle), np.sin(angle)  # left side: L=near, C=far; right: C=near, R=far
    on_left = position < 0
    out[0] = mono * (np.where(on_left, near, 0.0) * front)
    out[2] = mono * (np.where(on_left, far, near) * front)
    out[1] = mono * (np.where(on_left, 0.0, far) * front)
    if rear > 0:
        left, right = pan_gains(position, stereo_source=False)
        out[4], out[5] = mono * (left * rear), mono * (right * rear)
    return out


def downmix_51(block: NDArray[np.float32]) -> NDArray[np.float32]:
    """ITU-R BS.775 stereo from 5.1 (L R C LFE Ls Rs)."""
    result: NDArray[np.float32] = (BS775_DOWNMIX @ block).astype(np.float32)
    return result
