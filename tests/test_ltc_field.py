"""LTC as other tools and field recorders write it: an independent encoder, dirty signals.

The words here are built bit by bit from ST 12-1 by this file's own code, not
by postprod's encoder: the bit cells are timed in continuous time with
jitter, drawn at 96 kHz or more, brought to the recorder's rate through an
anti-alias filter (as a recorder's converter does), then low-passed, AC
coupled and given noise. The recording may end right after the last word or
after silence, as other tools leave it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.signal import butter, resample_poly, sosfilt

from postprod.cli import main
from postprod.timecode import FrameRate, ltc

_SYNC = (0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1)
ltc_frames_per_day = 25 * 86400


def word_bits(first: int, count: int, fps: int) -> NDArray[np.uint8]:
    """``(count, 80)`` non-drop LTC words from frame ``first`` at ``fps``, bit 0 first."""
    k = first + np.arange(count)
    fields = (k % fps, (k // fps) % 60, (k // (fps * 60)) % 60, (k // (fps * 3600)) % 24)
    bits = np.zeros((count, 80), np.uint8)
    # (field, units at, units width, tens at, tens width): frames, seconds, minutes, hours
    layout = ((0, 0, 4, 8, 2), (1, 16, 4, 24, 3), (2, 32, 4, 40, 3), (3, 48, 4, 56, 2))
    for which, units_at, units_width, tens_at, tens_width in layout:
        value = fields[which]
        for b in range(units_width):
            bits[:, units_at + b] = (value % 10 >> b) & 1
        for b in range(tens_width):
            bits[:, tens_at + b] = (value // 10 >> b) & 1
    bits[:, 64:] = _SYNC
    polarity = 59 if fps == 25 else 27
    bits[:, polarity] = bits.sum(axis=1) % 2  # an even number of ones (and of zeros)
    return bits


@dataclass(frozen=True)
class Recording:
    """How the signal reaches the file."""

    sample_rate: int = 48000
    lead_s: float = 0.0
    tail_s: float = 0.0
    jitter: float = 0.0  # bit-edge jitter, a fraction of a bit cell (standard deviation)
    lowpass_hz: float | None = None
    highpass_hz: float | None = None
    noise: float = 0.0  # standard deviation; the LTC's peak is 0.5
    seed: int = 0


def record(bits: NDArray[np.uint8], fps: int, how: Recording) -> NDArray[np.float64]:
    """Biphase-mark audio of ``bits`` as ``how`` says."""
    rng = np.random.default_rng(how.seed)
    over = -(-96000 // how.sample_rate)
    rate = how.sample_rate * over
    flat = bits.ravel()
    cell_s = 1.0 / (fps * 80)
    cell_starts = how.lead_s + np.arange(flat.size) * cell_s
    cell_starts = cell_starts + rng.normal(0, how.jitter * cell_s, flat.size)
    toggles = np.sort(np.concatenate([cell_starts, (cell_starts + cell_s / 2)[flat == 1]]))
    end_s = how.lead_s + flat.size * cell_s
    t = (np.arange(int(np.ceil((end_s + how.tail_s) * rate))) + 0.5) / rate
    square = np.where(np.searchsorted(toggles, t) % 2 == 1, 0.5, -0.5)
    square[(t < how.lead_s) | (t >= end_s)] = 0.0
    x = resample_poly(square, 1, over)
    if how.lowpass_hz:
        x = sosfilt(butter(2, how.lowpass_hz, fs=how.sample_rate, output="sos"), x)
    if how.highpass_hz:
        x = sosfilt(butter(1, how.highpass_hz, "highpass", fs=how.sample_rate, output="sos"), x)
    result: NDArray[np.float64] = x + rng.normal(0, how.noise, x.size) if how.noise else x
    return result


def _first(fps: int) -> int:
    """10:00:00:00 at ``fps``."""
    return 10 * 3600 * fps


@pytest.mark.parametrize("fps", [24, 25, 30])
@pytest.mark.parametrize("words", [1, 2, 3, 67, 81])
@pytest.mark.parametrize("tail_s", [0.0, 0.05])
def test_every_word_to_the_end(fps: int, words: int, tail_s: float) -> None:
    """The last one to three words of a recording are decoded, with or without silence after."""
    how = Recording(lead_s=0.02, tail_s=tail_s, jitter=0.03, lowpass_hz=6000, noise=0.02)
    audio = record(word_bits(_first(fps), words, fps), fps, how)
    frames = ltc.decode(audio, how.sample_rate, str(fps))
    assert [f.frames for f in frames] == list(range(_first(fps), _first(fps) + words))


@pytest.mark.parametrize("sample_rate", [8000, 11025, 16000, 22050, 32000])
@pytest.mark.parametrize("fps", [24, 25, 30])
def test_low_sample_rates_lock(sample_rate: int, fps: int) -> None:
    """Telephone-band to 32 kHz recorders: every word, at its place, rate inferred."""
    how = Recording(
        sample_rate=sample_rate,
        lead_s=0.03,
        tail_s=0.02,
        lowpass_hz=0.4 * sample_rate,
        highpass_hz=60,
        noise=0.01,
        seed=sample_rate + fps,
    )
    words = 60
    audio = record(word_bits(_first(fps), words, fps), fps, how)
    frames = ltc.decode(audio, sample_rate)
    assert [f.frames for f in frames] == list(range(_first(fps), _first(fps) + words))
    assert frames[0].rate == FrameRate.parse(str(fps))
    expected = 0.03 * sample_rate + np.arange(words) * sample_rate / fps
    assert np.max(np.abs(np.array([f.first_sample for f in frames]) - expected)) <= 2


@pytest.mark.parametrize("sample_rate", [11025, 22050, 48000])
def test_a_dirty_signal_gives_no_wrong_label(sample_rate: int) -> None:
    """Jitter, a 4 kHz low-pass and 20 dB SNR: some words may be lost, none mislabelled."""
    fps, words = 30, 300
    how = Recording(
        sample_rate=sample_rate,
        lead_s=0.02,
        tail_s=0.02,
        jitter=0.05,
        lowpass_hz=min(4000, 0.4 * sample_rate),
        noise=0.05,
        seed=5,
    )
    audio = record(word_bits(_first(fps), words, fps), fps, how)
    report = ltc.decode_report([audio], sample_rate)
    counts = [f.frames for f in report.frames]
    assert counts == sorted(set(counts))
    assert set(counts) <= set(range(_first(fps), _first(fps) + words))
    assert len(counts) >= 0.95 * words
    assert report.frames[0].rate == FrameRate.parse("30")


def _corrupt(bits: NDArray[np.uint8], word: int, fps: int, label: int) -> None:
    bits[word] = word_bits(label, 1, fps)[0]


def test_labels_that_contradict_their_neighbours_are_repaired_or_dropped() -> None:
    fps, words = 25, 50
    first = _first(fps)
    bits = word_bits(first, words, fps)
    _corrupt(bits, 10, fps, first + 4000)  # a valid label far from its neighbours
    _corrupt(bits, 30, fps, first + 31)  # a neighbour's label: one frame late
    bits[40, 0:4] = (1, 1, 1, 0)  # frames units 7 -> an impossible 27 at 25 fps
    bits[40, 8:10] = (0, 1)
    bits[40, 59] ^= 1  # keep the word's parity (bit 59 at 25 fps)
    audio = record(bits, fps, Recording(lead_s=0.01, tail_s=0.01))
    report = ltc.decode_report([audio], 48000)
    assert [f.frames for f in report.frames] == list(range(first, first + words))
    assert [i for i, f in enumerate(report.frames) if f.repaired] == [10, 30, 40]
    assert (report.repaired, report.invalid, report.inconsistent) == (3, 0, 0)
    assert report.frames[0].rate == FrameRate.parse("25")  # one frame 27 does not make it 30


def test_words_that_cannot_be_repaired_are_dropped_and_counted() -> None:
    fps, words = 30, 40
    first = _first(fps)
    bits = word_bits(first, words, fps)
    for word in (20, 21):  # two bad words side by side: no agreeing neighbours across them
        _corrupt(bits, word, fps, first + 9000 * word)
    bits[5, 0:4] = (0, 1, 0, 1)  # frames units digit 10: not BCD
    bits[6, 0:4] = (0, 1, 0, 1)
    audio = record(bits, fps, Recording())
    report = ltc.decode_report([audio], 48000, "30")
    expected = [first + k for k in range(words) if k not in (5, 6, 20, 21)]
    assert [f.frames for f in report.frames] == expected
    assert (report.repaired, report.invalid, report.inconsistent) == (0, 2, 2)
    assert not any(f.repaired for f in report.frames)


def test_a_timecode_jump_is_kept() -> None:
    """Record-run timecode jumps between takes: both runs stand, nothing is repaired."""
    fps = 25
    bits = np.concatenate([word_bits(_first(fps), 20, fps), word_bits(_first(fps) + 900, 20, fps)])
    report = ltc.decode_report([record(bits, fps, Recording())], 48000, "25")
    assert [f.frames for f in report.frames] == [
        *range(_first(fps), _first(fps) + 20),
        *range(_first(fps) + 900, _first(fps) + 920),
    ]
    assert (report.repaired, report.invalid, report.inconsistent) == (0, 0, 0)


@given(
    words=st.integers(3, 60),
    speed=st.floats(0.9, 1.1),
    backwards=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_one_misread_label_is_always_repaired(
    words: int, speed: float, backwards: bool, seed: int
) -> None:
    """Any run of words, any speed, either direction, some words lost: one label misread
    anywhere but the ends is put back; an unharmed run is left alone."""
    rng = np.random.default_rng(seed)
    per_word = 1920.0 / speed  # 25 fps at 48 kHz
    kept = np.sort(rng.choice(words * 2, size=words, replace=False))  # gaps: lost words
    starts = np.rint(kept * per_word).astype(np.int64)
    step = -1 if backwards else 1
    truth = (900_000 + step * kept) % ltc_frames_per_day
    reverse = np.full(words, backwards)
    counts, repaired = ltc._follow_neighbours(
        truth.copy(), starts, reverse, 1920.0, ltc_frames_per_day
    )
    assert counts.tolist() == truth.tolist() and not repaired.any()
    bad = int(rng.integers(1, words - 1))
    misread = truth.copy()
    misread[bad] = (truth[bad] + int(rng.integers(2, 50_000))) % ltc_frames_per_day
    counts, repaired = ltc._follow_neighbours(misread, starts, reverse, 1920.0, ltc_frames_per_day)
    assert counts.tolist() == truth.tolist()
    assert np.flatnonzero(repaired).tolist() == [bad]


def test_cli_says_what_it_mended(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fps, words = 25, 50
    first = _first(fps)
    bits = word_bits(first, words, fps)
    _corrupt(bits, 10, fps, first + 4000)
    for word in (30, 31):
        _corrupt(bits, word, fps, first + 9000 * word)
    path = tmp_path / "field.wav"
    soundfile.write(str(path), record(bits, fps, Recording(sample_rate=22050)), 22050)
    assert main(["tc", "ltc", "decode", str(path)]) == 0
    table = capsys.readouterr().out
    assert "labels mended" in table
    assert "1 repaired, 0 invalid and 2 out of sequence dropped" in table
    assert main(["tc", "ltc", "decode", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == words - 2
    assert [k for k, f in enumerate(listed) if f.get("repaired")] == [10]
    assert listed[10]["timecode"] == "10:00:00:10"
