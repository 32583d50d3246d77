"""Waveform overviews: the minimum and maximum of each run of samples of a media file.

:func:`peaks` decodes the file once, a block at a time (memory does not grow
with its length), and keeps ``samples_per_peak``-long runs' minimum and
maximum per channel; the result is cached in ``cache_dir`` (the console uses
``P.otio.cache/peaks``) under a name made from the file's path, size and
modification time, so a changed file is read again and an unchanged one is
not.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.atomic import replacing
from postprod.errors import MediaError
from postprod.media.audio import audio_info, iter_audio_blocks

#: Bump when the cached layout changes.
_VERSION = 1


@dataclass(frozen=True, slots=True)
class Peaks:
    """Per channel, the minimum and maximum of each run of ``samples_per_peak`` samples."""

    sample_rate: int
    samples_per_peak: int
    minima: NDArray[np.float32]  # (channels, peaks)
    maxima: NDArray[np.float32]

    @property
    def channels(self) -> int:
        return int(self.minima.shape[0])

    def to_dict(self, decimals: int = 4) -> dict[str, Any]:
        """``{"sample_rate", "samples_per_peak", "channels": [[min, max, min, max, ...]]}``."""
        pairs = np.stack([self.minima, self.maxima], axis=2).reshape(self.channels, -1)
        return {
            "sample_rate": self.sample_rate,
            "samples_per_peak": self.samples_per_peak,
            "channels": np.round(pairs.astype(np.float64), decimals).tolist(),
        }


def cache_folder(project_path: str | os.PathLike[str]) -> Path:
    """Where a project's caches live: ``P.otio.cache`` beside it."""
    path = Path(project_path)
    return path.with_name(path.name + ".cache")


def media_stamp(media_path: str | os.PathLike[str]) -> str:
    """The resolved path, size and modification time of a media file, as text."""
    path = Path(media_path).resolve()
    try:
        info = path.stat()
    except OSError:
        raise MediaError(
            f"{path.name} does not exist", where=str(path), fix="check the path"
        ) from None
    return f"{path}\0{info.st_size}\0{info.st_mtime_ns}"


def peaks(
    media_path: str | os.PathLike[str],
    cache_dir: str | os.PathLike[str],
    *,
    samples_per_peak: int = 512,
) -> Peaks:
    """The file's peaks, from the cache when the file has not changed since."""
    if samples_per_peak <= 0:
        raise MediaError(f"{samples_per_peak} samples per peak", fix="give a positive number")
    key = hashlib.sha256(
        f"{_VERSION}\0{media_stamp(media_path)}\0{samples_per_peak}".encode()
    ).hexdigest()[:24]
    folder = Path(cache_dir)
    cached = folder / f"{Path(media_path).stem}-{key}.npz"
    if cached.is_file():
        with np.load(cached) as stored:
            return Peaks(
                int(stored["sample_rate"]),
                samples_per_peak,
                stored["minima"],
                stored["maxima"],
            )
    result = _compute(media_path, samples_per_peak)
    folder.mkdir(parents=True, exist_ok=True)
    with replacing(cached) as temporary, open(temporary, "wb") as handle:
        np.savez(
            handle,
            sample_rate=np.int64(result.sample_rate),
            minima=result.minima,
            maxima=result.maxima,
        )
    return result


def _compute(media_path: str | os.PathLike[str], samples_per_peak: int) -> Peaks:
    info = audio_info(media_path)
    minima: list[NDArray[np.float32]] = []
    maxima: list[NDArray[np.float32]] = []
    block_samples = samples_per_peak * 512
    for block in iter_audio_blocks(media_path, block_samples=block_samples):
        runs = -(-block.shape[1] // samples_per_peak)
        padded = block
        if runs * samples_per_peak != block.shape[1]:  # the last block: pad with its own edge
            padded = np.pad(block, ((0, 0), (0, runs * samples_per_peak - block.shape[1])), "edge")
        shaped = padded.reshape(block.shape[0], runs, samples_per_peak)
        minima.append(shaped.min(axis=2))
        maxima.append(shaped.max(axis=2))
    if not minima:
        empty = np.zeros((info.channels, 0), np.float32)
        return Peaks(info.sample_rate, samples_per_peak, empty, empty)
    return Peaks(
        info.sample_rate,
        samples_per_peak,
        np.concatenate(minima, axis=1).astype(np.float32),
        np.concatenate(maxima, axis=1).astype(np.float32),
    )
