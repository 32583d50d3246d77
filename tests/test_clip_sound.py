"""A clip's own sound: fade curves, its effects, and speed changes as varispeed or time-stretch."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from media_factory import write_wav
from postprod.audio.fades import fade_gain
from postprod.effects.registry import EffectSpec
from postprod.errors import ProjectError
from postprod.media import read_audio
from postprod.project import load_project, save_project
from postprod.render.mixdown import mix_project
from postprod.timeline.metadata import ClipState, clip_state, set_clip_state
from postprod.timeline.model import media_clip, rational_time, time_range

RATE = 48000
FPS = Fraction(25)


def _tone(path: Path, hz: float, seconds: float, level: float = 0.5) -> Path:
    t = np.arange(int(seconds * RATE)) / RATE
    return write_wav(
        path, (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)[None], RATE, "pcm_f32le"
    )


def _mix(folder: Path, clip: otio.schema.Clip, lead_frames: int = 25) -> np.ndarray:
    """The clip alone on a track after ``lead_frames`` of gap, mixed (mono: left channel)."""
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    track.append(otio.schema.Gap(source_range=time_range(0, lead_frames, FPS)))
    track.append(clip)
    track.append(otio.schema.Gap(source_range=time_range(0, 25, FPS)))
    timeline = otio.schema.Timeline("clip sound", global_start_time=rational_time(0, FPS))
    timeline.tracks.append(track)
    project = save_project(timeline, folder / "p.otio")
    mix, _ = read_audio(mix_project(project, folder / "mix.wav", bit_depth="32f").mix)
    return mix[0] / np.sqrt(0.5)  # a centred mono track: -3 dB each side


def _clip(
    path: Path, frames: int, state: ClipState | None = None, available: int = 250
) -> otio.schema.Clip:
    clip = media_clip(
        Path(path.name), name=path.stem, rate=FPS, available_frames=available, duration=frames
    )
    if state is not None:
        set_clip_state(clip, state)
    return clip


@pytest.mark.parametrize("curve", ["linear", "equal-power", "logarithmic", "s-curve"])
def test_a_clip_fade_follows_its_curve(tmp_path: Path, curve: str) -> None:
    ones = write_wav(
        tmp_path / "dc.wav", np.full((1, RATE * 4), 0.5, np.float32), RATE, "pcm_f32le"
    )
    state = ClipState(fade_in_s=0.5, fade_out_s=0.25, fade_in_curve=curve, fade_out_curve=curve)
    mix = _mix(tmp_path, _clip(ones, 50, state))
    start, n_in, n_out, end = RATE, RATE // 2, RATE // 4, 3 * RATE
    expected_in = 0.5 * fade_gain((np.arange(n_in) + 0.5) / n_in, curve)
    np.testing.assert_allclose(mix[start : start + n_in], expected_in, atol=1e-5)
    expected_out = 0.5 * fade_gain((np.arange(n_out)[::-1] + 0.5) / n_out, curve)
    np.testing.assert_allclose(mix[end - n_out : end], expected_out, atol=1e-5)
    assert mix[start + n_in + 100] == pytest.approx(0.5, abs=1e-5)  # full level between


def test_a_clip_effect_changes_only_that_clip(tmp_path: Path) -> None:
    low = _tone(tmp_path / "low.wav", 100, 4)
    state = ClipState(effects=(EffectSpec.of("highpass", cutoff_frequency_hz=2000),))
    mix = _mix(tmp_path, _clip(low, 50, state))
    middle = mix[RATE + RATE // 2 : 2 * RATE + RATE // 2]
    # a first-order high-pass at 2 kHz takes 100 Hz down by about 26 dB
    assert 20 * np.log10(np.abs(middle).max() / 0.5) == pytest.approx(-26.0, abs=1.0)
    quieter = ClipState(effects=(EffectSpec.of("gain", gain_db=-12),))
    mix = _mix(tmp_path, _clip(low, 50, quieter))
    level = np.abs(mix[RATE + RATE // 2 : 2 * RATE + RATE // 2]).max()
    assert 20 * np.log10(level / 0.5) == pytest.approx(-12.0, abs=0.01)
    clean = _mix(tmp_path, _clip(low, 50))
    assert np.abs(clean[RATE + RATE // 2 : 2 * RATE]).max() == pytest.approx(0.5, abs=1e-3)


def _dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * RATE / samples.size)


def _burst_source(path: Path) -> Path:
    """A 1 kHz tone that starts at exactly 2.0 s of the file (silence before)."""
    t = np.arange(RATE * 8) / RATE
    wave = np.where(t >= 2.0, 0.5 * np.sin(2 * np.pi * 1000 * (t - 2.0)), 0.0)
    return write_wav(path, wave.astype(np.float32)[None], RATE, "pcm_f32le")


@pytest.mark.parametrize(("mode", "pitch_hz"), [("varispeed", 2000), ("stretch", 1000)])
def test_double_speed_as_varispeed_or_stretch(tmp_path: Path, mode: str, pitch_hz: int) -> None:
    clip = _clip(_burst_source(tmp_path / "burst.wav"), 50, ClipState(speed_mode=mode))
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    mix = _mix(tmp_path, clip)
    # the source's 2.0 s arrives 1.0 s into the clip (which starts at 1.0 s)
    onset = int(np.argmax(np.abs(mix) > 0.1))
    assert abs(onset - 2 * RATE) < RATE * 0.02
    assert _dominant_hz(mix[int(2.2 * RATE) : int(2.8 * RATE)]) == pytest.approx(pitch_hz, abs=20)
    assert np.abs(mix[3 * RATE + 100 :]).max() < 1e-3  # the clip ends on its frame


def test_a_freeze_frame_is_silent_and_bad_settings_name_the_clip(tmp_path: Path) -> None:
    clip = _clip(_tone(tmp_path / "t.wav", 440, 4), 50)
    clip.effects.append(otio.schema.FreezeFrame())
    assert np.abs(_mix(tmp_path, clip)).max() == 0
    bad = _clip(tmp_path / "t.wav", 10)
    bad.metadata["postprod"] = {"version": 1, "clip": {"fade_in_curve": "wobbly"}}
    with pytest.raises(ProjectError, match="unknown fade curve 'wobbly'"):
        clip_state(bad)
    timeline = otio.schema.Timeline("x")
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    track.append(bad)
    timeline.tracks.append(track)
    save_project(timeline, tmp_path / "bad.otio")
    with pytest.raises(ProjectError, match="clip t"):
        mix_project(tmp_path / "bad.otio", tmp_path / "bad.wav")


def test_clip_settings_round_trip_through_the_project(tmp_path: Path) -> None:
    state = ClipState(
        -3.0, 0.2, 0.4, "s-curve", "logarithmic", (EffectSpec.of("reverb"),), "stretch"
    )
    clip = _clip(tmp_path / "x.wav", 10, state)
    timeline = otio.schema.Timeline("x")
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    track.append(clip)
    timeline.tracks.append(track)
    save_project(timeline, tmp_path / "x.otio")
    (back,) = load_project(tmp_path / "x.otio").find_clips()
    assert clip_state(back) == state
