"""Sound files as console sources: samples on request, decoded forward, re-seeked on a jump."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.media.audio import audio_info, iter_audio_blocks


class FileSource:
    """A file's sound at a session's sample rate, as a :class:`~postprod.audio.mixer.BlockSource`."""

    def __init__(self, path: str | os.PathLike[str], sample_rate: int) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = audio_info(self.path).channels
        self._blocks: Iterator[NDArray[np.float32]] | None = None
        self._held = np.zeros((self.channels, 0), np.float32)
        self._position = 0  # file sample at the start of _held
        self._ended = False

    def read(self, start: int, count: int) -> NDArray[np.float32]:
        out = np.zeros((self.channels, count), np.float32)
        lo = max(0, start)
        if lo >= start + count:
            return out
        if self._blocks is None or lo != self._position:
            self._open(lo)
        need = start + count - lo
        while self._held.shape[1] < need and not self._ended:
            block = next(self._blocks, None) if self._blocks is not None else None
            if block is None:
                self._ended = True
                break
            self._held = np.concatenate([self._held, block], axis=1)
        got = self._held[:, :need]
        out[:, lo - start : lo - start + got.shape[1]] = got
        self._held = self._held[:, need:]
        self._position = lo + need
        return out

    def _open(self, start: int) -> None:
        self._blocks = iter_audio_blocks(
            self.path, block_samples=65536, sample_rate=self.sample_rate, start_sample=start
        )
        self._held = np.zeros((self.channels, 0), np.float32)
        self._position = start
        self._ended = False
