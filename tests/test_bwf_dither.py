"""Broadcast Wave bext chunks round trip; TPDF dither keeps what truncation would lose."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from postprod.deliver.dither import tpdf_dither
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
