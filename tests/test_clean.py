"""Dialogue clean-up: measured SNR gains on known signals, streamed in blocks, through the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from media_factory import write_wav
from postprod.audio.cleanup import CleanSettings, clean_blocks, declick, learn_noise
from postprod.audio.synth import voice
from postprod.cli import main
from postprod.media import read_audio
from postprod.media.bwf import read_bext

RATE = 48000


def dialogue(seconds: float = 8.0, seed: int = 0) -> np.ndarray:
    """A line with pauses between its syllables, (1, n) float32."""
    syllables = [(0.5 + 0.45 * k, 0.25, "aeiou"[k % 5]) for k in range(int((seconds - 1) / 0.45))]
    # 137 Hz: a voice whose harmonics sit on the mains harmonics would lose them to the notches
    line = voice(syllables, seconds, RATE, f0_hz=137.0, rng=np.random.default_rng(seed))
    return line[None].astype(np.float32)


def snr_db(clean: np.ndarray, x: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(clean**2) / np.sum((x - clean) ** 2)))


def in_blocks(x: np.ndarray, size: int = 4800):
    return (x[:, i : i + size] for i in range(0, x.shape[1], size))


def cleaned(
    x: np.ndarray, settings: CleanSettings, noise_from: np.ndarray | None = None
) -> np.ndarray:
    profile = (
        learn_noise(in_blocks(x if noise_from is None else noise_from), RATE)
        if settings.denoise
        else None
    )
    return np.concatenate(list(clean_blocks(in_blocks(x), RATE, settings, profile)), axis=1)


def white(like: np.ndarray, snr: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(like.shape).astype(np.float32)
    return noise * np.sqrt(np.mean(like**2) / np.mean(noise**2) / 10 ** (snr / 10))


def test_learned_noise_reduction_gains_8_db_at_10_db_snr() -> None:
    clean = dialogue()
    noisy = clean + white(clean, 10.0, seed=1)
    out = cleaned(noisy, CleanSettings())
    assert out.shape == clean.shape
    assert snr_db(clean, out) - snr_db(clean, noisy) > 8.0
    lead_in = slice(round(0.05 * RATE), round(0.4 * RATE))  # only noise: down by the reduction
    drop_db = 10 * np.log10(np.mean(noisy[0, lead_in] ** 2) / np.mean(out[0, lead_in] ** 2))
    assert 15.0 < drop_db < 19.0


def test_a_noise_print_works_as_well_as_learning() -> None:
    clean = dialogue(seed=2)
    noisy = clean + white(clean, 6.0, seed=3)
    room_tone = white(clean, 6.0, seed=4)[:, : 2 * RATE]
    out = cleaned(noisy, CleanSettings(), noise_from=room_tone)
    assert snr_db(clean, out) - snr_db(clean, noisy) > 8.0


def test_zero_reduction_and_block_size_change_nothing() -> None:
    clean = dialogue(seed=3)
    noisy = clean + white(clean, 10.0, seed=5)
    untouched = cleaned(noisy, CleanSettings(reduction_db=0.0))
    assert np.abs(untouched - noisy).max() < 1e-5  # the STFT and the block joins are transparent
    profile = learn_noise(in_blocks(noisy), RATE)
    small = np.concatenate(
        list(clean_blocks(in_blocks(noisy, 1000), RATE, CleanSettings(), profile)), axis=1
    )
    large = np.concatenate(
        list(clean_blocks(in_blocks(noisy, 96000), RATE, CleanSettings(), profile)), axis=1
    )
    assert np.abs(small - large).max() < 1e-3


@pytest.mark.parametrize("mains_hz", [50.0, 60.0])
def test_hum_and_its_harmonics_go(mains_hz: float) -> None:
    clean = dialogue(seed=4)
    t = np.arange(clean.shape[1]) / RATE
    hum = sum(0.05 / k * np.sin(2 * np.pi * mains_hz * k * t + k) for k in range(1, 6))
    out = cleaned(clean + hum.astype(np.float32), CleanSettings(denoise=False, hum_hz=mains_hz))
    assert snr_db(clean, out) - snr_db(clean, clean + hum) > 8.0
    residual = out[0] - clean[0]
    spectrum = np.abs(np.fft.rfft(residual[RATE:-RATE])) / (residual.size - 2 * RATE) * 2
    frequencies = np.fft.rfftfreq(residual.size - 2 * RATE, 1 / RATE)
    fundamental = spectrum[np.argmin(np.abs(frequencies - mains_hz))]
    assert 20 * np.log10(fundamental / 0.05) < -40  # the hum is 40 dB down


def test_clicks_are_found_and_repaired() -> None:
    clean = dialogue(seed=5)
    rng = np.random.default_rng(6)
    at = rng.choice(np.arange(RATE, clean.shape[1] - RATE, 997), 25, replace=False)
    clicked = clean.copy()
    clicked[0, at] += rng.choice([-0.6, 0.6], at.size)
    out = declick(clicked, RATE)
    assert snr_db(clean, out) - snr_db(clean, clicked) > 10.0
    changed = np.flatnonzero(out[0] != clicked[0])
    assert all(np.any(np.abs(changed - a) <= 3) for a in at)  # every click was found
    assert snr_db(clean, declick(clean, RATE)) > 30.0  # clean speech is left (almost) alone


def test_cli_cleans_into_a_new_file_and_keeps_the_time_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = dialogue(seed=7)
    t = np.arange(clean.shape[1]) / RATE
    dirty = (
        clean + white(clean, 10.0, seed=8) + (0.03 * np.sin(2 * np.pi * 60 * t)).astype(np.float32)
    )
    source = write_wav(
        tmp_path / "scene 4 take 2.wav",
        dirty,
        codec="pcm_f32le",
        time_reference_samples=RATE * 3600,
    )
    before = source.read_bytes()
    out = tmp_path / "cleaned.wav"
    assert main(["clean", str(source), "-o", str(out), "--hum", "60", "--declick"]) == 0
    assert "removed: noise, 60 Hz hum, clicks" in capsys.readouterr().out
    result, rate = read_audio(out)
    assert rate == RATE and result.shape == dirty.shape
    assert snr_db(clean, result) - snr_db(clean, dirty) > 8.0
    assert source.read_bytes() == before
    bext = read_bext(out)
    assert bext is not None and bext.time_reference_samples == RATE * 3600


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_wav(tmp_path / "a.wav", dialogue(seconds=2.0))
    assert main(["clean", str(source), "-o", str(tmp_path / "b.wav"), "--hum", "55"]) == 2
    assert main(["clean", str(source), "-o", str(source)]) == 2
    assert main(["clean", str(tmp_path / "missing.wav"), "-o", str(tmp_path / "b.wav")]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert (
        len(errors) == 3
        and "55" in errors[0]
        and "overwrite" in errors[1]
        and "missing.wav" in errors[2]
    )
    assert not (tmp_path / "b.wav").exists()
