"""Writing sound files (WAV, FLAC) from float32 ``(channels, samples)`` arrays, safely.

The file is written under a temporary name beside the target and renamed
into place when complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.errors import MediaError
from postprod.media.bwf import Bext
from postprod.media.writer import AudioSpec, MediaWriter

#: Codec for each word length a user asks for.
PCM_CODECS = {"16": "pcm_s16le", "24": "pcm_s24le", "32f": "pcm_f32le"}


def write_audio(
    path: str | os.PathLike[str],
    blocks: NDArray[np.float32] | Iterable[NDArray[np.float32]],
    sample_rate: int,
    *,
    bit_depth: str = "24",
    bext: Bext | None = None,
) -> Path:
    """Write one array or a stream of blocks to a WAV (or FLAC, by suffix) file.

    With ``bext``, a WAV becomes a Broadcast Wave file (EBU Tech 3285).
    """
    target = Path(path)
    if bit_depth not in PCM_CODECS:
        raise MediaError(
            f"bit depth {bit_depth!r} is not one of {', '.join(PCM_CODECS)}",
            where=str(target),
            fix="choose 16, 24 or 32f",
        )
    chunks = [blocks] if isinstance(blocks, np.ndarray) else blocks
    writer: MediaWriter | None = None
    try:
        for block in chunks:
            if writer is None:
                codec = "flac" if target.suffix.lower() == ".flac" else PCM_CODECS[bit_depth]
                spec = AudioSpec(sample_rate, block.shape[0], codec=codec, bit_rate=None)
                metadata = bext.muxer_metadata() if bext is not None else None
                options = {"write_bext": "1"} if bext is not None else None
                writer = MediaWriter(target, audio=spec, metadata=metadata, options=options)
            writer.write_audio(block)
    except BaseException:
        if writer is not None:
            writer.__exit__(Exception, None, None)
        raise
    if writer is None:
        raise MediaError("no samples to write", where=str(target), fix="give some sound")
    return writer.close()
