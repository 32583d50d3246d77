"""Reversed sound: a clip at a negative speed plays its source backwards, sample-exact, in blocks."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile

from media_factory import write_video, write_wav
from postprod.audio.fades import fade_gain
from postprod.cli import main
from postprod.planner.plan import OutputFormat, plan
from postprod.project import load_project, save_project
from postprod.render.mix import SegmentMixer
from postprod.timeline.metadata import ClipState, set_clip_state
from postprod.timeline.model import media_clip, rational_time, time_range

RATE = 48000
FPS = Fraction(25)
SPF = RATE // 25  # samples per frame
AUDIO = otio.schema.TrackKind.Audio


def _ramps(path: Path, seconds: int = 4) -> tuple[Path, np.ndarray]:
    """A stereo file where every sample is different: a rising ramp left, a falling one right
    (32-bit float, so the values come back exactly)."""
    n = seconds * RATE
    ramp = np.arange(n, dtype=np.float32) / np.float32(n)
    samples = np.stack([ramp, -ramp])
    return write_wav(path, samples, RATE, "pcm_f32le"), samples


def _project(folder: Path, *clips: otio.schema.Item, lead: int = 25) -> Path:
    """``clips`` on A1 after ``lead`` frames of gap, then a second of gap; starts at 0."""
    track = otio.schema.Track("A1", kind=AUDIO)
    track.append(otio.schema.Gap(source_range=time_range(0, lead, FPS)))
    track.extend(clips)
    track.append(otio.schema.Gap(source_range=time_range(0, 25, FPS)))
    timeline = otio.schema.Timeline("reverse", global_start_time=rational_time(0, FPS))
    timeline.tracks.append(track)
    return save_project(timeline, folder / "p.otio")


def _clip(path: Path, first: int, frames: int, available: int = 100) -> otio.schema.Clip:
    return media_clip(
        Path(path.name),
        name=path.stem,
        rate=FPS,
        available_frames=available,
        source_start=first,
        duration=frames,
    )


def _edit(project: Path, *args: str) -> None:
    assert main(["edit", str(project), *args]) == 0


def _mix(project: Path) -> np.ndarray:
    """``postprod mix P -o out.wav`` (32-bit float), decoded with soundfile: (channels, n)."""
    out = project.with_name("out.wav")
    assert main(["mix", str(project), "-o", str(out), "--bit-depth", "32f"]) == 0
    samples, rate = soundfile.read(str(out), dtype="float32", always_2d=True)
    assert rate == RATE
    return np.ascontiguousarray(samples.T)


def test_a_reversed_clip_plays_its_samples_backwards_exactly_with_its_cut_fade(
    tmp_path: Path,
) -> None:
    """Frames 10..60 of a ramp, reversed by the CLI, with another clip cut on after it: record
    sample j of the clip plays source sample (end - 1 - j), every sample, and the 5 ms fade
    at the cut is there as for a forward clip."""
    path, source = _ramps(tmp_path / "ramp.wav")
    project = _project(tmp_path, _clip(path, 10, 50), _clip(path, 70, 10))
    _edit(project, "reverse", "-t", "A1", "--at", "30")
    mix = _mix(project)
    start, length, fade = 25 * SPF, 50 * SPF, 5 * RATE // 1000
    first, end = 10 * SPF, 60 * SPF  # the clip's source samples
    assert not mix[:, :start].any()  # silence before: nothing leaks from the handles
    expected = source[:, first:end][:, ::-1].copy()
    tail = (length - np.arange(length - fade, length) - 0.5) / fade
    expected[:, -fade:] *= fade_gain(tail, "linear").astype(np.float32)
    np.testing.assert_allclose(mix[:, start : start + length], expected, rtol=0, atol=1e-7)
    # a click at source sample s (from the in point) plays at record sample end - 1 - s
    for s in (fade, fade + 1, 12_345, length - 1):  # (s < fade: in the fade at the cut)
        assert mix[0, start + length - 1 - s] == pytest.approx(source[0, first + s], abs=1e-7)
    # the next clip plays forwards from its own first sample, faded in at the cut
    assert mix[0, start + length + fade] == pytest.approx(source[0, 70 * SPF + fade], abs=1e-7)
    _edit(project, "reverse", "-t", "A1", "--at", "30")  # and forwards again
    again = _mix(project)
    np.testing.assert_allclose(
        again[:, start : start + length - fade], source[:, first : end - fade], atol=1e-7
    )


def test_a_reversed_segment_restarts_anywhere_on_the_same_samples(tmp_path: Path) -> None:
    """The console may start a track's source part way (a new pass, a jump): the backward
    read from there is the same samples, whatever the second-long blocks it falls on."""
    path, _ = _ramps(tmp_path / "ramp.wav")
    clip = _clip(path, 10, 50)
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=-1.0))
    timeline = load_project(_project(tmp_path, clip))
    programme = plan(timeline, OutputFormat(frame_rate=FPS), project_folder=tmp_path)
    segments = programme.tracks[0].segments
    (segment,) = segments
    assert segment.speed == -1.0 and segment.source_sample == 60 * SPF  # read back from here
    whole = SegmentMixer(segments, RATE, 2).read(0, programme.samples)
    for at in (segment.start + 1, segment.start + 50_001, segment.start + segment.length - 7):
        part = SegmentMixer(segments, RATE, 2).read(at, 30_000)
        np.testing.assert_array_equal(part, whole[:, at : at + 30_000])


def _chirp(path: Path) -> Path:
    """1 s of a chirp rising from 200 Hz to 2 kHz in a 3 s file (silence either side)."""
    t = np.arange(RATE) / RATE
    sweep = 0.5 * np.sin(2 * np.pi * (200 * t + 900 * t**2))
    wave = np.zeros(3 * RATE, np.float32)
    wave[RATE : 2 * RATE] = sweep
    return write_wav(path, wave[None], RATE, "pcm_f32le")


def _hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * RATE / samples.size)


def _sounding(mix: np.ndarray) -> tuple[int, int]:
    loud = np.flatnonzero(np.abs(mix) > 0.01)
    return int(loud[0]), int(loud[-1]) + 1


@pytest.mark.parametrize(("mode", "stretch"), [("varispeed", False), ("stretch", True)])
def test_a_reversed_tone_at_half_speed_lasts_twice_as_long(
    tmp_path: Path, mode: str, stretch: bool
) -> None:
    """1 s of 440 Hz reversed at 50 %: 2 s of sound, at 220 Hz as varispeed (tape), at 440 Hz
    stretched; a rising chirp comes out falling."""
    t = np.arange(3 * RATE) / RATE
    wave = np.where((t >= 1) & (t < 2), 0.5 * np.sin(2 * np.pi * 440 * t), 0.0)
    tone = write_wav(tmp_path / "tone.wav", wave.astype(np.float32)[None], RATE, "pcm_f32le")
    project = _project(tmp_path, _clip(tone, 25, 25, available=75))
    _edit(project, "speed", "-t", "A1", "--at", "30", "--percent", "-50",
          *(["--stretch"] if stretch else []))  # fmt: skip
    (clip,) = load_project(project).find_clips()
    assert clip.effects[0].time_scalar == -0.5
    mix = _mix(project)[0]
    begin, end = _sounding(mix)
    assert (end - begin) / RATE == pytest.approx(2.0, abs=0.02)
    assert begin / RATE == pytest.approx(1.0, abs=0.02)  # where the clip starts
    assert _hz(mix[begin + RATE // 4 : end - RATE // 4]) == pytest.approx(
        440 if stretch else 220, abs=3
    )
    chirp = _chirp(tmp_path / "chirp.wav")
    sweep = _clip(chirp, 25, 50, available=75)  # 50 frames at -50 %: source frames 25..50
    set_clip_state(sweep, ClipState(speed_mode=mode))
    sweep.effects.append(otio.schema.LinearTimeWarp(time_scalar=-0.5))
    mix = _mix(_project(tmp_path, sweep))[0]
    begin, end = _sounding(mix)
    tenth, twentieth = RATE // 10, RATE // 20  # 0.1 s of sound: 0.05 s of the chirp
    early = _hz(mix[begin + twentieth : begin + twentieth + tenth])
    late = _hz(mix[end - twentieth - tenth : end - twentieth])
    assert early > 4 * late  # it falls: the end of the chirp comes first
    factor = 1.0 if stretch else 0.5  # varispeed halves the pitch, stretch keeps it
    assert early == pytest.approx(factor * (200 + 1800 * 0.95), rel=0.05)
    assert late == pytest.approx(factor * (200 + 1800 * 0.05), rel=0.05)


def test_a_reversed_camera_clip_plays_its_sound_backwards_with_the_picture(
    tmp_path: Path,
) -> None:
    """A picture with its AAC sound on V1 alone (the planner takes the sound from the
    picture's clips), reversed: the sound is no longer silent, lasts the clip and is the
    forward sound backwards."""
    camera = write_video(tmp_path / "cam.mp4", frames=75, tone_hz=440.0)
    timeline = otio.schema.Timeline("cam", global_start_time=rational_time(0, FPS))
    picture = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    picture.append(_clip(camera, 20, 40, available=75))
    timeline.tracks.append(picture)
    project = save_project(timeline, tmp_path / "cam.otio")
    forward = _mix(project)
    _edit(project, "reverse", "-t", "V1", "--at", "5")
    backward = _mix(project)
    assert backward.shape == forward.shape == (2, 40 * SPF)
    assert np.abs(backward).max() > 0.3  # it sounds (it used to be silent)
    assert _hz(backward[0, SPF:-SPF]) == pytest.approx(440, abs=3)
    # the same decoded samples, in the other order (AAC is decoded a second at a time,
    # each from a seek, so allow the codec's own rounding)
    np.testing.assert_allclose(backward[:, ::-1], forward, atol=5e-5)
