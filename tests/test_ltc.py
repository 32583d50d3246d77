"""LTC round trips: every label and the sample where each word starts, under each impairment."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from postprod.cli import main
from postprod.timecode import FrameRate, label_to_frames, ltc

RATES = ["23.976", "24", "25", "29.97", "29.97ndf", "30", "47.952", "50", "59.94", "60"]


def _start(rate: FrameRate) -> int:
    """A start that crosses an hour (and, at drop-frame rates, a dropped minute)."""
    return label_to_frames("00:59:58;00" if rate.drop_frame else "00:59:58:00", rate)


def _expected_sample(word: int, rate: FrameRate, sample_rate: int, speed: float = 1.0) -> float:
    return word * sample_rate / float(ltc.word_rate(rate)) / speed


def _check(
    frames: list[ltc.LtcFrame],
    rate: FrameRate,
    start: int,
    sample_rate: int,
    *,
    words: int,
    speed: float = 1.0,
    tolerance: float = 3,
) -> None:
    step = 2 if rate.nominal > 30 else 1
    assert len(frames) in (
        words,
        words - 1 if speed > 1 else words,
    )  # a fast tape may clip the last
    assert [f.frames for f in frames] == [start + step * k for k in range(len(frames))]
    for k, frame in enumerate(frames):
        assert abs(frame.sample - _expected_sample(k, rate, sample_rate, speed)) <= tolerance
    assert all(f.drop_frame == rate.drop_frame for f in frames)


@pytest.mark.parametrize("spelling", RATES)
@pytest.mark.parametrize("sample_rate", [44100, 48000])
def test_clean_round_trip(spelling: str, sample_rate: int) -> None:
    rate = FrameRate.parse(spelling)
    start = _start(rate)
    audio = ltc.encode(start, rate, 3, sample_rate=sample_rate, user_bits=0x1234ABCD)
    words = int(np.ceil(3 * ltc.word_rate(rate)))
    assert audio.size == int(np.ceil(words * Fraction(sample_rate) / ltc.word_rate(rate)))
    frames = ltc.decode(audio, sample_rate, rate)
    _check(frames, rate, start, sample_rate, words=words)
    assert {f.user_bits for f in frames} == {0x1234ABCD}
    assert frames[0].sample == 0


def _ramp(x: np.ndarray) -> np.ndarray:
    return x * np.logspace(-1.5, 0, x.size)  # -30 dB up to 0 dB


def _inverted(x: np.ndarray) -> np.ndarray:
    return -x


def _dc(x: np.ndarray) -> np.ndarray:
    return x + 0.25


def _noisy(x: np.ndarray) -> np.ndarray:
    noise_power = np.mean(x.astype(np.float64) ** 2) / 100  # 20 dB SNR
    return x + np.random.default_rng(7).normal(0, np.sqrt(noise_power), x.size)


IMPAIRMENTS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "gain ramp -30 to 0 dB": (_ramp, 1.0),
    "inverted polarity": (_inverted, 1.0),
    "DC offset": (_dc, 1.0),
    "white noise at 20 dB SNR": (_noisy, 1.0),
    "tape at 0.9x": (lambda x: resample_poly(x, 10, 9), 0.9),
    "tape at 1.1x": (lambda x: resample_poly(x, 10, 11), 1.1),
}


@pytest.mark.parametrize("impairment", list(IMPAIRMENTS))
@pytest.mark.parametrize("spelling", ["24", "25", "29.97", "30", "59.94"])
def test_impaired_round_trip(spelling: str, impairment: str) -> None:
    rate = FrameRate.parse(spelling)
    start = _start(rate)
    impair, speed = IMPAIRMENTS[impairment]
    audio = impair(ltc.encode(start, rate, 3, sample_rate=48000))
    frames = ltc.decode(audio, 48000, rate)
    words = int(np.ceil(3 * ltc.word_rate(rate)))
    _check(frames, rate, start, 48000, words=words, speed=speed)


@pytest.mark.parametrize("spelling", ["24", "25", "29.97", "30"])
def test_rate_is_inferred(spelling: str) -> None:
    rate = FrameRate.parse(spelling)
    frames = ltc.decode(ltc.encode(0, rate, 2), 48000)
    assert [f.frames for f in frames] == list(range(len(frames)))
    assert frames[-1].timecode.endswith(f"{rate.nominal - 1:02d}")
    assert frames[-1].drop_frame == rate.drop_frame


def test_polarity_bit_makes_every_word_even() -> None:
    for spelling in ("25", "30", "29.97"):
        rate = FrameRate.parse(spelling)
        bits = ltc.word_bits(np.arange(5000, dtype=np.int64), rate, user_bits=0xDEADBEEF)
        assert (bits.sum(axis=1) % 2 == 0).all()
        assert (bits[:, 64:] == ltc.SYNC_WORD).all()


def test_noise_and_silence_decode_to_nothing() -> None:
    rng = np.random.default_rng(3)
    assert ltc.decode(rng.normal(0, 0.3, 48000 * 2), 48000) == []
    assert ltc.decode(np.zeros(48000), 48000) == []


def test_cli_encode_decode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ltc.wav"
    args = ["tc", "ltc", "encode", "--start", "10:00:00;00", "--rate", "29.97", "--duration", "1"]
    assert main([*args, "-o", str(out), "--sample-rate", "44100"]) == 0
    capsys.readouterr()
    assert main(["tc", "ltc", "decode", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {"timecode": "10:00:00;00", "sample": 0}
    assert data[1]["timecode"] == "10:00:00;01"
    assert abs(data[1]["sample"] - 44100 * 1001 / 30000) <= 2
    assert len(data) == 30


def test_cli_decode_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    silent = tmp_path / "silence.wav"
    main(
        [
            "tc",
            "ltc",
            "encode",
            "--start",
            "00:00:00:00",
            "--rate",
            "25",
            "--duration",
            "1",
            "-o",
            str(silent),
        ]
    )
    capsys.readouterr()
    assert main(["tc", "ltc", "decode", str(tmp_path / "missing.wav")]) == 2
    assert "missing.wav" in capsys.readouterr().err
    assert main(["tc", "ltc", "decode", str(silent), "--channel", "3"]) == 2


def test_blocks_lose_and_repeat_nothing() -> None:
    rate = FrameRate.parse("25")
    audio = np.concatenate(list(ltc.encode_blocks(0, rate, 6, words_per_block=7)))
    assert np.array_equal(audio, ltc.encode(0, rate, 6))
    whole = ltc.decode(audio, 48000, rate, block_s=60)
    assert ltc.decode(audio, 48000, rate, block_s=0.37) == whole
    assert [f.frames for f in whole] == list(range(150))
