"""Dialogue clean-up from files: learn (or read) the noise, then clean in blocks to a new file."""

from __future__ import annotations

import os
from pathlib import Path

from postprod.audio.cleanup import CleanSettings, NoiseProfile, clean_blocks, learn_noise
from postprod.errors import AudioError
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext, read_bext

BLOCK_SAMPLES = 1 << 16


def clean_file(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    settings: CleanSettings,
    *,
    noise_print: str | os.PathLike[str] | None = None,
) -> Path:
    """Write ``source`` cleaned to ``output`` (WAV keeps its time reference); the source is untouched."""
    if Path(output).resolve() == Path(source).resolve():
        raise AudioError(
            "the output would overwrite the source", where=str(output), fix="write to a new file"
        )
    info = audio_info(source)
    rate = info.sample_rate
    noise: NoiseProfile | None = None
    if settings.denoise:
        learn_from = noise_print if noise_print is not None else source
        noise = learn_noise(
            iter_audio_blocks(learn_from, block_samples=BLOCK_SAMPLES, sample_rate=rate), rate
        )
    blocks = clean_blocks(
        iter_audio_blocks(source, block_samples=BLOCK_SAMPLES), rate, settings, noise
    )
    stamp = read_bext(source) if Path(source).suffix.lower() == ".wav" else None
    wav = Path(output).suffix.lower() == ".wav"
    bext = Bext(
        description=f"cleaned from {Path(source).name}",
        time_reference_samples=stamp.time_reference_samples if stamp else 0,
    )
    return write_audio(output, blocks, rate, bext=bext if wav else None)
