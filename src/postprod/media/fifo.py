"""A queue of samples: blocks go in at the back in any length, and come out at the front."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class Fifo:
    """Samples waiting to be used, ``(channels, n)``; appended and taken from the front."""

    def __init__(self, channels: int) -> None:
        self._held = np.zeros((channels, 0), np.float32)

    def __len__(self) -> int:
        return int(self._held.shape[1])

    def put(self, block: NDArray[np.float32]) -> None:
        self._held = np.concatenate([self._held, block], axis=1) if len(self) else block

    def take(self, count: int) -> NDArray[np.float32]:
        taken, self._held = self._held[:, :count], self._held[:, count:]
        return taken
