"""Word-length reduction with TPDF dither (the last thing before a 16- or 24-bit file).

Triangular-PDF dither of +-1 LSB (the difference of two uniform variables)
makes the quantisation error independent of the signal: no distortion on
fades and quiet passages, a constant noise floor instead. It is seeded, so
a master renders the same bytes twice. Noise shaping is not offered yet: an
error-feedback quantiser is a per-sample recursion, which NumPy cannot
vectorise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import NDArray


def tpdf_dither(
    blocks: Iterable[NDArray[np.float32]], bits: int, *, seed: int = 0
) -> Iterator[NDArray[np.float32]]:
    """The blocks with TPDF dither at the LSB of a ``bits``-bit integer format added."""
    lsb = 2.0 ** -(bits - 1)
    rng = np.random.default_rng(seed)
    for block in blocks:
        noise = rng.random(block.shape, dtype=np.float32) - rng.random(
            block.shape, dtype=np.float32
        )
        yield (block + noise * np.float32(lsb)).astype(np.float32)
