"""Run an effect chain over a whole file, streaming, and let its tail ring out."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.audio.effects import Chain
from postprod.effects.registry import EffectSpec
from postprod.errors import AudioError, refuse_overwriting
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.audio_write import write_audio

#: A tail has ended when a block's peak is below this (-120 dBFS).
TAIL_FLOOR = 1e-6


def apply_chain(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    chain: Sequence[EffectSpec],
    *,
    max_tail_s: float = 10.0,
    bit_depth: str = "24",
) -> Path:
    """Write ``source`` through ``chain`` to ``output``, the tail included (up to ``max_tail_s``)."""
    source, output = Path(source), Path(output)
    refuse_overwriting(source, output, AudioError)
    info = audio_info(source)
    rate = info.sample_rate
    running = Chain(chain, rate, where=f"fx on {source.name}")

    def blocks() -> Iterator[NDArray[np.float32]]:
        fed = produced = 0
        for block in iter_audio_blocks(source, block_samples=rate // 2):
            fed += block.shape[1]
            out = running.process(block)
            produced += out.shape[1]
            yield out
        silence = np.zeros((info.channels, rate // 10), np.float32)
        for _ in range(int(max_tail_s * 10)):
            out = running.process(silence)
            produced += out.shape[1]
            yield out
            if produced >= fed and (out.size == 0 or float(np.abs(out).max()) < TAIL_FLOOR):
                return

    return write_audio(output, blocks(), rate, bit_depth=bit_depth)
