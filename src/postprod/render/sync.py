"""Sync separately recorded files to a reference (the camera's scratch track), from files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.audio.align import SyncResult, find_sync
from postprod.media.audio import audio_info, iter_audio_blocks


def _mono_at(path: Path, sample_rate: int) -> NDArray[np.float32]:
    blocks = list(
        iter_audio_blocks(path, block_samples=1 << 20, sample_rate=sample_rate, channels=1)
    )
    return np.concatenate(blocks, axis=1)[0] if blocks else np.zeros(0, np.float32)


def sync_files(
    reference: str | os.PathLike[str], others: list[str | os.PathLike[str]]
) -> list[tuple[Path, SyncResult]]:
    """Each other file's offset (on the reference's clock), drift and confidence."""
    rate = audio_info(reference).sample_rate
    ref = _mono_at(Path(reference), rate)
    return [(Path(other), find_sync(ref, _mono_at(Path(other), rate), rate)) for other in others]
