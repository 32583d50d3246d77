"""Broadcast Wave bext chunks round trip; TPDF dither keeps what truncation would lose."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import signal

from postprod.deliver.dither import noise_shaped, tpdf_dither
from postprod.media import Bext, read_audio, read_bext, write_audio

RATE = 48000


def test_bext_round_trip(tmp_path: Path) -> None:
    stamp = Bext(
        description="Dialogue stem, reel 1",
        originator="postprod",
        originator_reference="PP0001",
        origination_date="2026-11-24",
        origination_time="10:11:12",
        time_reference_samples=3600 * RATE,  # 01:00:00:00
    )
    path = write_audio(tmp_path / "stem.wav", np.zeros((2, RATE), np.float32), RATE, bext=stamp)
    back = read_bext(path)
    assert back is not None
    assert back.time_reference_samples == 3600 * RATE
    assert (back.description, back.originator, back.origination_date, back.origination_time) == (
        stamp.description,
        stamp.originator,
        stamp.origination_date,
        stamp.origination_time,
    )
    plain = write_audio(tmp_path / "plain.wav", np.zeros((1, 100), np.float32), RATE)
    assert read_bext(plain) is None


def test_tpdf_dither_keeps_a_tone_below_one_lsb(tmp_path: Path) -> None:
    lsb = 2.0**-15
    t = np.arange(RATE * 2) / RATE
    tone = (0.3 * lsb * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)[None]
    truncated, _ = read_audio(write_audio(tmp_path / "plain.wav", tone, RATE, bit_depth="16"))
    assert not truncated.any()  # without dither the tone is gone
    dithered_block = next(tpdf_dither([tone], 16, seed=1))
    dithered, _ = read_audio(
        write_audio(tmp_path / "dithered.wav", dithered_block, RATE, bit_depth="16")
    )
    correlation = float(np.corrcoef(dithered[0], tone[0])[0, 1])
    assert correlation > 0.2  # the tone survives in the noise
    error_rms = float(np.sqrt(np.mean((dithered[0] - tone[0]) ** 2)))
    assert abs(error_rms - lsb / 2) < 0.1 * lsb  # TPDF: total error power LSB^2/4
    again = next(tpdf_dither([tone], 16, seed=1))
    assert np.array_equal(again, dithered_block)  # seeded: the same master twice


def _band_db(noise: np.ndarray, low_hz: float, high_hz: float) -> float:
    frequencies, power = signal.welch(noise, RATE, nperseg=4096)
    return float(10 * np.log10(power[(frequencies >= low_hz) & (frequencies < high_hz)].mean()))


def test_noise_shaping_moves_the_floor_out_of_the_sensitive_band(tmp_path: Path) -> None:
    lsb = 2.0**-15
    t = np.arange(RATE * 4) / RATE
    quiet = np.stack([10 ** (-70 / 20) * np.sin(2 * np.pi * 440 * t)] * 2).astype(np.float32)
    blocks = [quiet[:, i : i + 3001] for i in range(0, quiet.shape[1], 3001)]  # odd sizes
    shaped = np.concatenate(list(noise_shaped(blocks, 16, seed=3)), axis=1)
    assert np.array_equal(shaped / lsb, np.round(shaped / lsb))  # exactly on the 16-bit grid
    written, _ = read_audio(write_audio(tmp_path / "shaped.wav", shaped, RATE, bit_depth="16"))
    assert np.array_equal(written, shaped)  # the writer changes nothing
    whole = next(noise_shaped([quiet], 16, seed=3))
    assert np.array_equal(whole, shaped)  # the same master whatever the block size
    plain = np.round(next(tpdf_dither([quiet], 16, seed=3)) / lsb) * lsb
    shaped_noise, plain_noise = shaped[0] - quiet[0], plain[0] - quiet[0]
    # F-weighted: far less noise where hearing is keenest, more where it is dull
    assert _band_db(shaped_noise, 2000, 5000) < _band_db(plain_noise, 2000, 5000) - 15
    assert _band_db(shaped_noise, 16000, 20000) > _band_db(plain_noise, 16000, 20000) + 10
    # and the tone is still there, undistorted
    assert float(np.corrcoef(shaped[0], quiet[0])[0, 1]) > 0.3


def test_noise_shaping_survives_full_scale_without_running_away() -> None:
    t = np.arange(RATE) / RATE
    loud = np.stack([1.2 * np.sin(2 * np.pi * 100 * t)]).astype(np.float32)  # clips
    shaped = next(noise_shaped([loud], 16))
    assert shaped.max() <= 1 - 2.0**-15 and shaped.min() >= -1.0
    inside = np.abs(loud[0]) < 0.9
    assert np.abs(shaped[0, inside] - loud[0, inside]).max() < 0.01  # no runaway after clips
