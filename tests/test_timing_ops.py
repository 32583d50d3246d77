"""Speed changes, freeze frames and reverse as edits: the picture's frames and the linked sound."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from postprod import operations as ops
from postprod.cli import main
from postprod.demo.production import SOURCES, DemoSettings, write_source
from postprod.errors import EditError
from postprod.media import read_audio
from postprod.project import load_project, save_project
from postprod.render.mixdown import mix_project
from postprod.render.project import render_project
from postprod.timeline.build import clip_from_media, timeline_of
from postprod.timeline.metadata import clip_state, link_of, set_link
from postprod.timeline.slots import slots
from postprod.timeline.warps import time_scalar
from postprod.video.patterns import read_barcode

RATE = Fraction(25)
SMALL = DemoSettings(width=320, height=180, source_frames=60)
SAMPLE_RATE = 48000
TONE_HZ = SOURCES[0].tone_hz  # the camera file's sound: a 440 Hz sine


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A barcode camera file of 60 frames (2.4 s) with a 440 Hz tone, from 01:00:00:00."""
    return write_source(tmp_path_factory.mktemp("timing") / "A.mp4", SOURCES[0], SMALL)


def _project(folder: Path, camera: Path) -> Path:
    """Frames 10..30 of the camera on V1 and its sound on A1, linked; 01:00:00:00 start."""
    picture = clip_from_media(camera, source_start=10, duration=20)
    set_link(picture, "link-1")
    timeline = timeline_of([picture], name="timing", start_frame=90000)
    sound = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    sound.append(picture.deepcopy())
    timeline.tracks.append(sound)
    return save_project(timeline, folder / "p.otio")


def _lengths(project: Path) -> dict[str, list[tuple[int, int]]]:
    """(record start, length) of each clip per track."""
    timeline = load_project(project)
    return {
        track.name: [(s.start, s.length) for s in slots(track, RATE) if not s.is_gap]
        for track in timeline.tracks
    }


def _barcodes(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [read_barcode(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def _mix(project: Path) -> np.ndarray:
    mix, _ = read_audio(mix_project(project, project.with_suffix(".wav"), bit_depth="32f").mix)
    return mix[0]


def _dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * SAMPLE_RATE / samples.size)


def _sounding_s(mix: np.ndarray) -> float:
    """How long the mix sounds, first to last sample above -40 dBFS."""
    loud = np.flatnonzero(np.abs(mix) > 0.01)
    return (loud[-1] - loud[0] + 1) / SAMPLE_RATE


def _edit(project: Path, *args: str) -> None:
    assert main(["edit", str(project), *args]) == 0


@pytest.mark.parametrize(("stretch", "pitch_hz"), [(False, TONE_HZ / 2), (True, TONE_HZ)])
def test_half_speed_doubles_the_clip_shows_each_frame_twice_and_the_sound_follows(
    tmp_path: Path, camera: Path, stretch: bool, pitch_hz: float
) -> None:
    project = _project(tmp_path, camera)
    original = project.read_bytes()
    _edit(project, "speed", "-t", "V1", "--at", "01:00:00:05", "--percent", "50")
    if stretch:  # and again, now keeping the pitch: the length stays (still 50 %)
        _edit(project, "speed", "-t", "V1", "--at", "5", "--percent", "50", "--stretch")
    assert _lengths(project) == {"V1": [(0, 40)], "A1": [(0, 40)]}
    (sound,) = load_project(project).tracks[1].find_clips()
    assert clip_state(sound).speed_mode == ("stretch" if stretch else "varispeed")
    out = render_project(project, tmp_path / "out.mp4")
    assert _barcodes(out.path) == [10 + k // 2 for k in range(40)]
    mix = _mix(project)
    assert _sounding_s(mix) == pytest.approx(40 / 25, abs=0.02)  # the sound lasts as long
    middle = mix[int(0.3 * SAMPLE_RATE) : int(1.3 * SAMPLE_RATE)]
    assert _dominant_hz(middle) == pytest.approx(pitch_hz, abs=3)
    for _ in range(2 if stretch else 1):
        _edit(project, "undo")
    assert project.read_bytes() == original  # undone byte for byte
    _edit(project, "redo")
    assert _lengths(project) == {"V1": [(0, 40)], "A1": [(0, 40)]}


def test_double_speed_halves_the_clip_and_ripples_the_next(tmp_path: Path, camera: Path) -> None:
    project = _project(tmp_path, camera)
    _edit(project, "append", "-t", "V1", "-m", str(camera), "--in", "40", "--duration", "5")
    _edit(project, "speed", "-t", "V1", "--at", "0", "--percent", "200")
    assert _lengths(project) == {"V1": [(0, 10), (10, 5)], "A1": [(0, 10)]}
    out = render_project(project, tmp_path / "out.mp4")
    assert _barcodes(out.path) == [*range(10, 30, 2), *range(40, 45)]


def test_without_ripple_a_slower_clip_needs_room(tmp_path: Path, camera: Path) -> None:
    project = _project(tmp_path, camera)
    _edit(project, "append", "-t", "V1", "-m", str(camera), "--in", "40", "--duration", "5")
    before = project.read_bytes()
    assert main(["edit", str(project), "speed", "-t", "V1", "--at", "0", "--percent", "50",
                 "--no-ripple"]) == 2  # fmt: skip
    assert project.read_bytes() == before
    _edit(project, "speed", "-t", "V1", "--at", "0", "--percent", "200", "--no-ripple")
    # the clip is 10 frames now and leaves a gap; the next clip stays at frame 20
    assert _lengths(project) == {"V1": [(0, 10), (20, 5)], "A1": [(0, 10)]}


def test_freeze_holds_one_frame_and_leaves_silence_under_it(tmp_path: Path, camera: Path) -> None:
    project = _project(tmp_path, camera)
    original = project.read_bytes()
    _edit(project, "freeze", "-t", "V1", "--at", "01:00:00:05", "--frames", "6")
    assert _lengths(project) == {"V1": [(0, 5), (5, 6), (11, 15)], "A1": [(0, 5), (11, 15)]}
    out = render_project(project, tmp_path / "out.mp4")
    assert _barcodes(out.path) == [*range(10, 15), *[15] * 6, *range(15, 30)]
    mix = _mix(project)
    held = mix[int(0.25 * SAMPLE_RATE) : int(0.4 * SAMPLE_RATE)]  # frames 6..10: the gap
    assert np.abs(held).max() < 1e-4
    assert np.abs(mix[int(0.5 * SAMPLE_RATE) : int(0.9 * SAMPLE_RATE)]).max() > 0.1
    _edit(project, "undo")
    assert project.read_bytes() == original


def test_a_freeze_of_a_slowed_clip_holds_the_frame_it_shows(tmp_path: Path, camera: Path) -> None:
    project = _project(tmp_path, camera)
    _edit(project, "speed", "-t", "V1", "--at", "0", "--percent", "50")
    _edit(project, "freeze", "-t", "V1", "--at", "8", "--frames", "2")
    out = render_project(project, tmp_path / "out.mp4")
    slow = [10 + k // 2 for k in range(40)]
    # (a cut on an odd frame of a 50 % clip would start the rest on a whole source frame,
    # showing one frame once: OTIO keeps no sub-frame phase)
    assert _barcodes(out.path) == [*slow[:8], 14, 14, *slow[8:]]


def test_reverse_plays_backwards_and_back_again(tmp_path: Path, camera: Path) -> None:
    project = _project(tmp_path, camera)
    original = project.read_bytes()
    _edit(project, "reverse", "-t", "V1", "--at", "3")
    timeline = load_project(project)
    assert [time_scalar(clip) for clip in timeline.find_clips()] == [-1, -1]  # and its sound
    out = render_project(project, tmp_path / "out.mp4")
    assert _barcodes(out.path) == list(range(29, 9, -1))
    _edit(project, "split", "-t", "V1", "--at", "8")  # each half keeps its own frames
    out = render_project(project, tmp_path / "split.mp4")
    assert _barcodes(out.path) == list(range(29, 9, -1))
    _edit(project, "reverse", "-t", "V1", "--at", "3")
    assert [time_scalar(clip) for clip in load_project(project).find_clips()] == [1, -1, 1, -1]
    _edit(project, "undo")
    _edit(project, "undo")
    _edit(project, "undo")
    assert project.read_bytes() == original


def test_speed_refusals_name_the_problem(tmp_path: Path, camera: Path) -> None:
    project = _project(tmp_path, camera)
    timeline = load_project(project)
    with pytest.raises(EditError, match="too close to a stop"):
        ops.apply_operations(timeline, ops.Speed("V1", 0, 0.5))
    with pytest.raises(EditError, match="out of range"):
        ops.apply_operations(timeline, ops.Speed("V1", 0, 20000))
    frozen = ops.apply_operations(timeline, ops.Freeze("V1", 0, 3))
    with pytest.raises(EditError, match="freeze frame"):
        ops.apply_operations(frozen, ops.Speed("V1", 0, 50))
    # a sound that starts elsewhere than its picture cannot follow a speed change in sync
    moved = ops.apply_operations(timeline, ops.Move("A1", 0, 2, linked=False))
    with pytest.raises(EditError, match="out of sync"):
        ops.apply_operations(moved, ops.Speed("V1", 5, 50))
    alone = ops.apply_operations(moved, ops.Speed("V1", 5, 50, linked=False))
    assert [link_of(c) for c in alone.find_clips()] == ["link-1", "link-1"]
    assert [time_scalar(c) for c in alone.find_clips()] == [Fraction(1, 2), 1]
