"""Loudness of a file: decode in blocks, meter as it goes (memory does not grow with length)."""

from __future__ import annotations

import os

from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.qc.loudness import LoudnessMeter, LoudnessResult


def measure_file(path: str | os.PathLike[str], *, true_peak: bool = True) -> LoudnessResult:
    """BS.1770-4 / EBU R 128 figures of a file's first audio stream."""
    info = audio_info(path)
    meter = LoudnessMeter(info.sample_rate, info.channels, true_peak=true_peak)
    for block in iter_audio_blocks(path, block_samples=info.sample_rate * 4):
        meter.feed(block)
    return meter.result()
