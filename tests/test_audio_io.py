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


def _sines(path: Path, hz: tuple[float, ...], rate: int = 48000, seconds: float = 2.0) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    write_wav(path, np.stack([0.5 * np.sin(2 * np.pi * f * t) for f in hz]), rate, "pcm_f32le")
    return path


def test_rate_conversion_is_clean_and_keeps_time(tmp_path: Path) -> None:
    """48 -> 44.1 kHz: a 1 kHz tone within -120 dB of the ideal one, a 23 kHz tone (above the
    new Nyquist frequency) rejected by more than 120 dB, and an impulse lands on its time."""
    path = _sines(tmp_path / "tones.wav", (1000.0, 23000.0))
    out, rate = read_audio(path, sample_rate=44100)
    assert rate == 44100 and out.shape[1] == 2 * 44100
    ideal = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(out.shape[1]) / 44100)
    inner = slice(2000, -2000)  # the filter's edges at the start and end of the file
    assert 20 * np.log10(np.abs(out[0, inner] - ideal[inner]).max()) < -120
    assert 20 * np.log10(np.abs(out[1, inner]).max() / 0.5) < -120
    click = np.zeros((1, 48000), np.float32)
    click[0, 24000] = 1.0
    write_wav(tmp_path / "click.wav", click, 48000, "pcm_f32le")
    moved, _ = read_audio(tmp_path / "click.wav", sample_rate=96000)
    assert int(np.argmax(moved[0])) == 48000


@pytest.mark.parametrize("start", [0, 1, 441, 30001, 80000])
def test_a_converted_read_from_any_start_is_the_same_samples(tmp_path: Path, start: int) -> None:
    path = _sines(tmp_path / "tone.wav", (440.0, 5000.0))
    whole = np.concatenate(list(iter_audio_blocks(path, sample_rate=44100)), axis=1)
    part = np.concatenate(
        list(iter_audio_blocks(path, sample_rate=44100, start_sample=start, block_samples=777)),
        axis=1,
    )
    assert part.shape[1] == whole.shape[1] - start
    np.testing.assert_allclose(part, whole[:, start:], atol=1e-6)
