"""Fade and crossfade curves, as gain arrays computed at once (no per-sample loops).

With ``x`` the position through the fade from 0 to 1, sampled at sample
centres ``x = (n + 0.5) / N`` for an N-sample fade (or at exact positions
given by the caller), the fade-in gains are:

- ``linear``: ``g = x`` (-6.02 dB half way; a linear crossfade dips 3 dB on uncorrelated sound)
- ``equal-power``: ``g = sin(x * pi / 2)`` (-3.01 dB half way; fade-in² + fade-out² = 1)
- ``logarithmic``: ``g = 10 ** (60 * (x - 1) / 20)`` for x > 0, 0 at x = 0: even steps in
  dB over a 60 dB range (quick at the end, natural on a fade-out of a tail)
- ``s-curve``: ``g = (1 - cos(x * pi)) / 2`` (slow, fast, slow; -6.02 dB half way)

A fade-out is the fade-in reversed: ``g_out(x) = g_in(1 - x)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from postprod.errors import AudioError

FADE_CURVES = ("linear", "equal-power", "logarithmic", "s-curve")

#: The range of the logarithmic curve, dB.
LOG_RANGE_DB = 60.0


def fade_gain(x: NDArray[np.float64] | float, curve: str = "equal-power") -> NDArray[np.float64]:
    """The fade-in gain at positions ``x`` (0..1) for ``curve`` (formulas in the module doc)."""
    position = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    if curve == "linear":
        return position
    if curve == "equal-power":
        return np.sin(position * np.pi / 2)
    if curve == "logarithmic":
        return np.where(position > 0, 10.0 ** (LOG_RANGE_DB * (position - 1.0) / 20.0), 0.0)
    if curve == "s-curve":
        return (1.0 - np.cos(position * np.pi)) / 2.0
    raise AudioError(f"unknown fade curve {curve!r}", fix=f"use one of {', '.join(FADE_CURVES)}")


def _positions(length_samples: int) -> NDArray[np.float64]:
    return (np.arange(length_samples, dtype=np.float64) + 0.5) / max(length_samples, 1)


def fade_in(
    block: NDArray[np.float32], length_samples: int, curve: str = "equal-power"
) -> NDArray[np.float32]:
    """``block`` with its first ``length_samples`` faded in (a new array)."""
    out = block.copy()
    n = min(length_samples, block.shape[1])
    out[:, :n] *= fade_gain(_positions(length_samples)[:n], curve).astype(np.float32)
    return out


def fade_out(
    block: NDArray[np.float32], length_samples: int, curve: str = "equal-power"
) -> NDArray[np.float32]:
    """``block`` with its last ``length_samples`` faded out (a new array)."""
    out = block.copy()
    n = min(length_samples, block.shape[1])
    if n:
        gain = fade_gain(1.0 - _positions(length_samples)[-n:], curve).astype(np.float32)
        out[:, -n:] *= gain
    return out


def crossfade(
    outgoing: NDArray[np.float32], incoming: NDArray[np.float32], curve: str = "equal-power"
) -> NDArray[np.float32]:
    """The overlap of two equally long blocks: ``out * g(1 - x) + in * g(x)``.

    Equal power (the default) keeps the loudness of uncorrelated material
    constant through the transition; use ``linear`` for identical (correlated)
    material, where amplitudes, not powers, add.
    """
    if outgoing.shape != incoming.shape:
        raise AudioError(
            f"a crossfade needs two blocks of one shape, not {outgoing.shape} and {incoming.shape}",
            fix="trim both sides of the transition to the same length and channel count",
        )
    x = _positions(outgoing.shape[1])
    gain_in = fade_gain(x, curve).astype(np.float32)
    gain_out = fade_gain(1.0 - x, curve).astype(np.float32)
    result: NDArray[np.float32] = outgoing * gain_out + incoming * gain_in
    return result
