"""LTC round trips: every label and the sample where each word starts, under each impairment."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.signal import resample_poly

from postprod.cli import main
from postprod.errors import TimecodeError
from postprod.timecode import FrameRate, Timecode, label_to_frames, ltc

RATES = ["23.976", "24", "25", "29.97", "29.97ndf", "30", "47.952", "48", "50", "59.94", "60"]
Signal = NDArray[np.floating]


def _start(rate: FrameRate) -> int:
    """A start that crosses an hour (and, at drop-frame rates, a dropped minute)."""
    return label_to_frames("00:59:58;00" if rate.drop_frame else "00:59:58:00", rate)


def _words(rate: FrameRate, seconds: int) -> int:
    return int(np.ceil(seconds * ltc.word_rate(rate)))


def _check(
    frames: list[ltc.DecodedFrame],
    rate: FrameRate,
    start: int,
    expected_samples: list[float],
    *,
    tolerance: float = 2,
    allow_last_lost: bool = False,
) -> None:
    """Every word, in order, with its label, rate, flags and first sample."""
    step = 2 if rate.nominal > 30 else 1
    assert len(frames) in ((len(expected_samples) - 1,) if allow_last_lost else ()) + (
        len(expected_samples),
    )
    counts = [start + step * k for k in range(len(frames))]
    assert [f.frames for f in frames] == counts
    assert [f.timecode for f in frames] == [Timecode(c, rate).label for c in counts]
    errors = [abs(f.first_sample - s) for f, s in zip(frames, expected_samples, strict=False)]
    assert max(errors) <= tolerance
    assert {(f.rate, f.drop_frame) for f in frames} == {(rate, rate.drop_frame)}


@pytest.mark.parametrize("spelling", RATES)
@pytest.mark.parametrize("sample_rate", [44100, 48000])
def test_clean_round_trip(spelling: str, sample_rate: int) -> None:
    rate = FrameRate.parse(spelling)
    start = _start(rate)
    audio = ltc.encode(
        start,
        rate,
        3,
        sample_rate=sample_rate,
        user_bits=0x1234ABCD,
        color_frame=True,
        binary_group_flags=5,
    )
    words = _words(rate, 3)
    exact = [ltc.word_start(k, rate, sample_rate) for k in range(words)]
    assert audio.dtype == np.float32
    assert audio.size == ltc.word_start(words, rate, sample_rate)
    assert float(np.max(np.abs(audio))) == pytest.approx(10 ** (-10 / 20), rel=1e-6)
    frames = ltc.decode(audio, sample_rate, rate)
    _check(frames, rate, start, [float(s) for s in exact], tolerance=1)
    assert frames[0].first_sample == 0
    assert {(f.user_bits, f.color_frame, f.binary_group_flags) for f in frames} == {
        (0x1234ABCD, True, 5)
    }
    assert not any(f.reverse for f in frames)


def _ramp(x: Signal) -> Signal:
    return x * np.logspace(-1.5, 0, x.size)  # -30 dB up to 0 dB


def _noisy(x: Signal) -> Signal:
    noise_power = np.mean(x.astype(np.float64) ** 2) / 100  # 20 dB SNR
    return x + np.random.default_rng(7).normal(0, np.sqrt(noise_power), x.size)


IMPAIRMENTS: dict[str, tuple[Callable[[Signal], Signal], float]] = {
    "gain ramp -30 to 0 dB": (_ramp, 1.0),
    "inverted polarity": (lambda x: -x, 1.0),
    "DC offset": (lambda x: x + 0.25, 1.0),
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
    expected = [ltc.word_start(k, rate, 48000) / speed for k in range(_words(rate, 3))]
    _check(frames, rate, start, expected, tolerance=3, allow_last_lost=speed > 1)


def test_speed_drifting_from_0_9x_to_1_1x() -> None:
    """A tape that speeds up steadily: each word is found where the warped time puts it."""
    rate, sample_rate = FrameRate.parse("25"), 48000
    source = ltc.encode(0, rate, 6, sample_rate=sample_rate)
    # Output sample m plays source position p(m); speed p'(m) rises from 0.9 to 1.1.
    out = np.arange(int(source.size / 1.0), dtype=np.float64)
    speed = 0.9 + 0.2 * out / out.size
    position = np.concatenate([[0.0], np.cumsum(speed[:-1])])
    inside = position <= source.size - 1
    warped = np.interp(position[inside], np.arange(source.size), source)
    frames = ltc.decode(warped, sample_rate, rate)
    starts = [ltc.word_start(k, rate, sample_rate) for k in range(150)]
    expected = np.interp(starts, position[inside], out[inside]).tolist()
    _check(frames, rate, 0, expected, tolerance=3, allow_last_lost=True)


@pytest.mark.parametrize("spelling", ["25", "29.97", "59.94"])
def test_tape_played_backwards(spelling: str) -> None:
    rate, sample_rate = FrameRate.parse(spelling), 44100
    audio = ltc.encode("01:00:00:00", rate, 2, sample_rate=sample_rate, user_bits=0xCAFE)
    words = _words(rate, 2)
    frames = ltc.decode(-audio[::-1], sample_rate, rate)
    assert all(f.reverse for f in frames) and len(frames) == words
    step = 2 if rate.nominal > 30 else 1
    first = label_to_frames("01:00:00:00", rate)
    assert [f.frames for f in frames] == [first + step * k for k in reversed(range(words))]
    # Backwards, word k begins where it ended going forwards.
    ends = [audio.size - ltc.word_start(k + 1, rate, sample_rate) for k in reversed(range(words))]
    assert max(abs(f.first_sample - e) for f, e in zip(frames, ends, strict=True)) <= 2
    assert {f.user_bits for f in frames} == {0xCAFE}


@pytest.mark.parametrize("spelling", ["24", "25", "29.97", "29.97ndf", "30"])
def test_rate_is_inferred(spelling: str) -> None:
    rate = FrameRate.parse(spelling)
    frames = ltc.decode(ltc.encode(0, rate, 2), 48000)
    assert [f.frames for f in frames] == list(range(len(frames)))
    assert frames[-1].timecode.endswith(f"{rate.nominal - 1:02d}")
    assert frames[0].rate == rate


@pytest.mark.parametrize(
    ("spelling", "polarity", "groups"),
    [
        ("25", 59, (27, 58, 43)),
        ("50", 59, (27, 58, 43)),
        ("24", 27, (43, 58, 59)),
        ("29.97", 27, (43, 58, 59)),
        ("30", 27, (43, 58, 59)),
    ],
)
def test_flag_positions_follow_the_rate(
    spelling: str, polarity: int, groups: tuple[int, int, int]
) -> None:
    rate = FrameRate.parse(spelling)
    assert ltc.flag_bits(rate) == ltc.FlagBits(polarity, groups)
    counting = FrameRate(ltc.word_rate(rate), rate.drop_frame)
    labels = np.arange(0, 60_000, 7, dtype=np.int64)
    for flags in range(8):
        bits = ltc.word_bits(labels, counting, user_bits=0xDEADBEEF, binary_group_flags=flags)
        zeros = ltc.BITS_PER_WORD - bits.sum(axis=1)
        assert (zeros % 2 == 0).all()  # the polarity bit's rule
        assert [int(bits[0, g]) for g in groups] == [(flags >> k) & 1 for k in range(3)]
        assert (bits[:, 64:] == ltc.SYNC_WORD).all()
        assert (bits[:, 10] == rate.drop_frame).all() and not bits[:, 11].any()


@given(
    word=st.integers(0, 10**7),
    spelling=st.sampled_from(RATES),
    sample_rate=st.sampled_from([44100, 48000, 96000]),
)
def test_word_starts_are_rounded_exactly(word: int, spelling: str, sample_rate: int) -> None:
    exact = word * Fraction(sample_rate) / ltc.word_rate(spelling)
    assert ltc.word_start(word, spelling, sample_rate) == int(exact + Fraction(1, 2))


def test_starts_and_lengths() -> None:
    rate = FrameRate.parse("50")
    by_label = ltc.encode("10:00:00:00", rate, n_frames=9)
    assert np.array_equal(by_label, ltc.encode(Timecode.parse("10:00:00:00", rate), rate, 0.18))
    assert by_label.size == ltc.word_start(5, rate, 48000)  # 9 frames: five frame pairs
    with pytest.raises(TimecodeError, match="odd frame"):
        ltc.encode("10:00:00:01", rate, 1)
    with pytest.raises(TimecodeError, match="either"):
        ltc.encode(0, rate, 1, n_frames=5)
    with pytest.raises(TimecodeError, match="not at 50"):
        ltc.encode(Timecode(0, FrameRate.parse("25")), rate, 1)
    with pytest.raises(TimecodeError, match="too low"):
        ltc.encode(0, "25", 1, sample_rate=8000)
    with pytest.raises(TimecodeError, match="32 bits"):
        ltc.encode(0, "25", 1, user_bits=1 << 32)


def test_noise_and_silence_decode_to_nothing() -> None:
    rng = np.random.default_rng(3)
    assert ltc.decode(rng.normal(0, 0.3, 48000 * 2), 48000) == []
    assert ltc.decode(np.zeros(48000), 48000) == []
    assert ltc.decode(np.zeros(0), 48000) == []


def test_blocks_lose_and_repeat_nothing() -> None:
    rate = FrameRate.parse("25")
    audio = np.concatenate(list(ltc.encode_blocks(0, rate, 6, words_per_block=7)))
    assert np.array_equal(audio, ltc.encode(0, rate, 6))
    whole = ltc.decode(audio, 48000, rate, block_s=60)
    assert [f.frames for f in whole] == list(range(150))
    assert ltc.decode(audio, 48000, rate, block_s=0.37) == whole
    cuts = np.cumsum(np.random.default_rng(1).integers(1, 20000, 40))
    pieces = np.split(audio, cuts[cuts < audio.size])
    assert ltc.decode_blocks(pieces, 48000, rate, block_s=0.5) == whole


def _encode_cli(out: Path, *extra: str) -> int:
    args = ["tc", "ltc", "encode", "--start", "10:00:00;00", "--rate", "29.97", "--duration"]
    return main([*args, "1", "-o", str(out), *extra])


def test_cli_encode_decode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ltc.wav"
    assert _encode_cli(out, "--sample-rate", "44100", "--bit-depth", "16") == 0
    info = soundfile.info(str(out))
    assert (info.samplerate, info.channels, info.subtype) == (44100, 1, "PCM_16")
    assert info.frames == ltc.word_start(30, "29.97", 44100)
    capsys.readouterr()
    assert main(["tc", "ltc", "decode", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 30
    assert data[0] == {"timecode": "10:00:00;00", "sample": 0}
    assert data[1]["timecode"] == "10:00:00;01"
    assert abs(data[1]["sample"] - 44100 * 1001 / 30000) <= 1
    assert main(["tc", "ltc", "decode", str(out), "--channel", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == data  # channels are counted from 1
    assert main(["tc", "ltc", "decode", str(out)]) == 0
    table = capsys.readouterr().out
    for text in ("10:00:00;00 at sample 0", "10:00:00;29", "30", "29.97df", "44100 Hz"):
        assert text in table


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    silent = tmp_path / "silence.wav"
    soundfile.write(str(silent), np.zeros(48000, np.float32), 48000, subtype="PCM_24")
    assert main(["tc", "ltc", "decode", str(silent)]) == 2
    assert "no LTC found in silence.wav" in capsys.readouterr().err
    assert main(["tc", "ltc", "decode", str(silent), "--json"]) == 2
    assert main(["tc", "ltc", "decode", str(tmp_path / "missing.wav")]) == 2
    assert "missing.wav" in capsys.readouterr().err
    assert main(["tc", "ltc", "decode", str(silent), "--channel", "3"]) == 2
    assert "no channel 3" in capsys.readouterr().err
    assert main(["tc", "ltc", "decode", str(silent), "--channel", "0"]) == 2
    assert "no channel 0" in capsys.readouterr().err
    out = tmp_path / "x.wav"
    assert _encode_cli(out, "--user-bits", "zz") == 2
    for start, duration in (("00:00:00:99", "1"), ("00:00:00:00", "-1")):
        args = ["--start", start, "--rate", "25", "--duration", duration, "-o", str(out)]
        assert main(["tc", "ltc", "encode", *args]) == 2
    assert not out.exists()
