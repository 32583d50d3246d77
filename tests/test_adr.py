"""Dubbing: a replacement take with a known, uneven timing lands on the guide's syllables."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from scipy import signal

from media_factory import write_wav
from postprod.audio.adr import align_take
from postprod.audio.synth import voice
from postprod.cli import main
from postprod.media import read_audio
from postprod.media.bwf import read_bext
from postprod.project import load_project, save_project
from postprod.timeline.metadata import track_settings_of
from postprod.timeline.model import media_clip, to_frames
from test_spot import assert_one_undoable_step

RATE = 48000
VOWELS = "aeiou"


def line(
    seed: int, count: int = 12
) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float, str]]]:
    """Syllable starts and lengths for a guide, and a replacement's uneven version of them."""
    rng = np.random.default_rng(seed)
    lengths = rng.uniform(0.12, 0.3, count)
    gaps = rng.uniform(0.12, 0.25, count)
    starts = 0.4 + np.concatenate([[0.0], np.cumsum(lengths + gaps)[:-1]])
    # the actor starts 150 ms late, then drifts by up to +-70 ms a syllable, some slower, some faster
    take_starts = starts + 0.15 + np.cumsum(rng.uniform(-0.06, 0.07, count))
    take_lengths = lengths * rng.uniform(0.8, 1.25, count)
    take = [
        (s, d, VOWELS[k % 5])
        for k, (s, d) in enumerate(zip(take_starts, take_lengths, strict=True))
    ]
    return starts, lengths, take


def guide_and_take(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts, lengths, take = line(seed)
    syllables = [
        (s, d, VOWELS[k % 5]) for k, (s, d) in enumerate(zip(starts, lengths, strict=True))
    ]
    seconds = starts[-1] + lengths[-1] + 0.5
    guide = voice(syllables, seconds, RATE, f0_hz=115, rng=np.random.default_rng(seed))
    replacement = 0.6 * voice(
        take, seconds + 0.8, RATE, f0_hz=128, rng=np.random.default_rng(seed + 1)
    )
    return guide, replacement, starts


def onsets(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Where each syllable begins in ``x``: the first rise above half its peak (the vowel, not the consonant), near ``starts``."""
    envelope = signal.sosfiltfilt(signal.butter(2, 80, fs=RATE, output="sos"), np.abs(x))
    found = []
    for start in starts:
        lo, hi = round((start - 0.1) * RATE), round((start + 0.1) * RATE)
        window = envelope[lo:hi]
        found.append((lo + int(np.argmax(window > 0.5 * window.max()))) / RATE)
    return np.array(found)


def test_p95_error_after_alignment_is_under_20_ms() -> None:
    guide, replacement, starts = guide_and_take(seed=11)
    result = align_take(guide[None], replacement[None], RATE)
    assert result.audio.shape == (1, guide.size)
    assert result.error_before.p95_ms > 100.0
    assert result.error_after.p95_ms < 20.0 and result.error_after.median_ms < 10.0
    # independently of the warp: each syllable of the aligned take starts where the guide's does
    error_ms = np.abs(onsets(result.audio[0], starts) - onsets(guide, starts)) * 1000
    assert np.percentile(error_ms, 95) < 20.0
    before_ms = np.abs(onsets(replacement[: guide.size], starts) - onsets(guide, starts))
    assert np.median(before_ms) * 1000 > 50.0  # there was something to fix


def test_pitch_and_level_are_kept() -> None:
    guide, replacement, _ = guide_and_take(seed=5)
    aligned = align_take(guide[None], replacement[None], RATE).audio[0]
    rms = lambda x: np.sqrt(np.mean(x**2))  # noqa: E731
    voiced = aligned[np.abs(aligned) > 0.01]
    assert rms(voiced) == pytest.approx(rms(replacement[np.abs(replacement) > 0.01]), rel=0.25)

    def pitch(x: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
        freqs = np.fft.rfftfreq(x.size, 1 / RATE)
        band = (freqs > 80) & (freqs < 200)
        return float(freqs[band][np.argmax(spectrum[band])])

    assert pitch(aligned) == pytest.approx(
        pitch(replacement), abs=6.0
    )  # the actor's 128 Hz, not the guide's


def test_cli_writes_the_take_with_the_guides_time_and_places_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guide, replacement, _ = guide_and_take(seed=3)
    guide_file = write_wav(tmp_path / "guide.wav", guide[None], time_reference_samples=3600 * RATE)
    stereo = np.stack([replacement, replacement * 0.9])
    take_44k = signal.resample_poly(stereo, 147, 160, axis=1).astype(np.float32)
    take_file = write_wav(tmp_path / "take 2.wav", take_44k, 44100)
    fps = Fraction(25)
    frames = int(guide.size / RATE * 25)
    timeline = otio.schema.Timeline("scene")
    production = otio.schema.Track("production", kind=otio.schema.TrackKind.Audio)
    production.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(10, 25)
            )
        )
    )
    production.append(
        media_clip(Path("guide.wav"), name="line 12", rate=fps, available_frames=frames)
    )
    timeline.tracks.append(production)
    project = save_project(timeline, tmp_path / "scene.otio")
    before = project.read_bytes()

    out = tmp_path / "line 12 ADR.wav"
    assert (
        main(
            [
                "adr",
                "align",
                str(guide_file),
                str(take_file),
                "-o",
                str(out),
                "--project",
                str(project),
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["error_ms_after"]["p95"] < 20.0 < report["error_ms_before"]["p95"]
    assert set(report["error_ms_before"]) == {"median", "p95"}
    aligned, rate = read_audio(out)
    assert rate == RATE and aligned.shape == (2, guide.size)
    bext = read_bext(out)
    assert bext is not None and bext.time_reference_samples == 3600 * RATE
    adr = next(t for t in load_project(project).audio_tracks() if t.name == "ADR")
    clip = next(c for c in adr if isinstance(c, otio.schema.Clip))
    assert clip.media_reference.target_url == out.name
    assert to_frames(adr.range_of_child(clip).start_time, fps, where="") == 10
    assert clip.name == "line 12 (ADR)" and track_settings_of(adr).layout == "stereo"  # the take's
    assert_one_undoable_step(project, before, 0, "place the ADR take", capsys)


def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = write_wav(tmp_path / "silent.wav", np.zeros((1, RATE), np.float32))
    guide, _, _ = guide_and_take(seed=4)
    guide_file = write_wav(tmp_path / "guide.wav", guide[None])
    assert main(["adr", "align", str(guide_file), str(silent), "-o", str(tmp_path / "o.wav")]) == 2
    assert (
        main(
            [
                "adr",
                "align",
                str(guide_file),
                str(tmp_path / "nope.wav"),
                "-o",
                str(tmp_path / "o.wav"),
            ]
        )
        == 2
    )
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "silent" in errors[0] and "nope.wav" in errors[1]
    assert not (tmp_path / "o.wav").exists()
