"""Loudness of a file: decode in blocks, meter as it goes (memory does not grow with length)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from postprod.errors import AudioError, MediaError
from postprod.media.audio import AudioInfo, audio_info, iter_audio_blocks
from postprod.media.layouts import layout_channels
from postprod.qc.loudness import LoudnessMeter, LoudnessResult

#: ``--layout stem``: channels with no loudspeaker positions, weighted equally.
STEM = "stem"

#: Seconds of sound per block: big enough that per-block overhead vanishes, small enough
#: to stay in the cache.
BLOCK_S = 4

_Block = TypeVar("_Block")


def measure_file(
    path: str | os.PathLike[str], *, true_peak: bool = True, layout: str | None = None
) -> LoudnessResult:
    """BS.1770-4 / EBU R 128 figures of a file's first audio stream.

    Channels are weighted by ``layout`` (a layout name, or ``stem``), else by
    the layout the file declares (see :func:`channel_names`).
    """
    info = audio_info(path)
    names = channel_names(info, layout)
    meter = LoudnessMeter(info.sample_rate, info.channels, true_peak=true_peak, channel_names=names)
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


def channel_names(info: AudioInfo, layout: str | None = None) -> tuple[str, ...] | None:
    """The loudspeaker of each channel, by FFmpeg's names, for the loudness weights.

    ``layout`` overrides the file's own: a layout name (``5.0``, ``7.1``,
    ``7.1.4``...) or ``stem`` (no positions: every channel weighs 1.0). A file
    that names no layout (a WAV without a channel mask) gets ``None``: the
    meter's rule by channel count (mono, stereo, 5.1 for six, else a stem).
    """
    if layout is None:
        try:
            names = layout_channels(info.layout)
        except MediaError:  # a layout FFmpeg reports but cannot parse back: none declared
            return None
        return names if len(names) == info.channels else None
    if layout.strip().lower() == STEM:
        return ("",) * info.channels
    names = layout_channels(layout)
    if len(names) != info.channels:
        raise AudioError(
            f"layout {layout} has {len(names)} channels; the file has {info.channels}",
            fix=f"give a layout of {info.channels} channels, or --layout stem",
        )
    return names
