"""Loudness of a file: decode in blocks, meter as it goes (memory does not grow with length)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.qc.loudness import LoudnessMeter, LoudnessResult

#: Seconds of sound per block: big enough that per-block overhead vanishes, small enough
#: to stay in the cache.
BLOCK_S = 4

_Block = TypeVar("_Block")


def measure_file(path: str | os.PathLike[str], *, true_peak: bool = True) -> LoudnessResult:
    """BS.1770-4 / EBU R 128 figures of a file's first audio stream."""
    info = audio_info(path)
    meter = LoudnessMeter(info.sample_rate, info.channels, true_peak=true_peak)
    blocks = iter_audio_blocks(path, block_samples=info.sample_rate * BLOCK_S)
    for block in read_ahead(blocks):
        meter.feed(block)
    return meter.result()


def read_ahead(blocks: Iterable[_Block]) -> Iterator[_Block]:
    """The same blocks, the next one decoded on another thread while this one is used.

    Decoding and metering then overlap (both release the GIL in their C parts).
    """
    iterator = iter(blocks)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as reader:
        upcoming = reader.submit(next, iterator, None)
        while (block := upcoming.result()) is not None:
            upcoming = reader.submit(next, iterator, None)
            yield block
