"""Reading sound: the direct PCM path and FFmpeg's path give the same samples, from any start."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from media_factory import write_wav
from postprod.media import iter_audio_blocks, read_audio, write_audio


@pytest.fixture(scope="module")
def ramp(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    samples = np.stack([np.arange(96000) % 1000 / 1000, -np.arange(96000) % 777 / 777]).astype(
        np.float32
    )
    return write_wav(
        tmp_path_factory.mktemp("io") / "ramp.wav", samples, codec="pcm_f32le"
    ), samples


@pytest.mark.parametrize("start", [0, 1, 4095, 50_001])
def test_start_sample_is_exact(ramp: tuple[Path, np.ndarray], start: int) -> None:
    path, samples = ramp
    first = next(iter_audio_blocks(path, block_samples=1000, start_sample=start))
    assert np.array_equal(first, samples[:, start : start + 1000])


def test_direct_and_decoded_paths_agree(ramp: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    path, samples = ramp
    direct = np.concatenate(list(iter_audio_blocks(path, block_samples=7000)), axis=1)
    assert np.array_equal(direct, samples)
    mp4 = tmp_path / "ramp.mov"  # not PCM: FFmpeg decodes it
    write_audio(tmp_path / "copy.wav", samples, 48000, bit_depth="32f").rename(
        mp4.with_suffix(".wav")
    )
    decoded, rate = read_audio(mp4.with_suffix(".wav"))
    assert rate == 48000 and np.array_equal(decoded, samples)
    mono = np.concatenate(list(iter_audio_blocks(path, channels=1)), axis=1)  # a conversion: FFmpeg
    assert mono.shape == (1, samples.shape[1])
    assert np.allclose(mono[0], samples.mean(axis=0), atol=1e-3) or np.allclose(
        mono[0], samples.sum(axis=0) * np.sqrt(0.5), atol=1e-3
    )
