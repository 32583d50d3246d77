"""Cutting to music: cuts conformed to beats, a montage laid on bars, a clip retimed so an
action lands on a beat, beat markers; each one undo step, undone byte for byte.

The music is synthetic with known beats (120 BPM, 4/4, first beat at 0.25 s): at
25 fps beat k is at 6.25 + 12.5 k frames, so the nearest frame and the frame at
or before each beat are unambiguous.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image
from tests.media_factory import write_wav

from postprod.audio.music import Tempo, compose
from postprod.cli import main
from postprod.demo.production import SOURCES, DemoSettings, write_source
from postprod.project import load_project, save_project
from postprod.render.project import render_project
from postprod.timeline.build import clip_from_media, timeline_of
from postprod.timeline.metadata import set_link
from postprod.timeline.slots import slots, source_in
from postprod.video.patterns import read_barcode

RATE = Fraction(25)
SMALL = DemoSettings(width=320, height=180, source_frames=100)
TC_FIRST = 90000  # the camera files start at 01:00:00:00


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rhythm")
    music, score = compose(9.0, Tempo(120), sample_rate=48000)
    assert score.beats_s[0] == pytest.approx(0.25)
    return {
        "A": write_source(folder / "A.mp4", SOURCES[0], SMALL),
        "B": write_source(folder / "B.mp4", SOURCES[1], SMALL),
        "music": write_wav(folder / "music.wav", np.vstack([music, music]), rate=48000),
    }


def _beat_frames(rule: str) -> list[int]:
    beats = [0.25 + 0.5 * k for k in range(18)]
    if rule == "nearest":
        return [math.floor(b * 25 + 0.5) for b in beats]
    return [math.floor(b * 25) for b in beats]


def _edit(project: Path, *args: str) -> None:
    assert main(["edit", str(project), *args]) == 0


def _clips(project: Path, track: str = "V1") -> list[tuple[int, int, int]]:
    """(record start, length, source in from the media's first frame) of each clip."""
    timeline = load_project(project)
    (chosen,) = [t for t in timeline.tracks if t.name == track]
    return [
        (s.start, s.length, source_in(s.item, RATE) - TC_FIRST)
        for s in slots(chosen, RATE)
        if not s.is_gap
    ]


def _cut_project(folder: Path, media: dict[str, Path]) -> Path:
    """V1: A 20 frames from 10, B 10 from 30, A 20 from 50, B 10 from 60 (cuts at 20, 30,
    50); the music on A1 from frame 0."""
    lengths = [
        (media["A"], 10, 20),
        (media["B"], 30, 10),
        (media["A"], 50, 20),
        (media["B"], 60, 10),
    ]
    clips = [clip_from_media(path, source_start=s, duration=d) for path, s, d in lengths]
    timeline = timeline_of(clips, name="rhythm")
    sound = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    timeline.tracks.append(sound)
    project = save_project(timeline, folder / "p.otio")
    _edit(
        project,
        "overwrite",
        "-t",
        "A1",
        "--at",
        "0",
        "-m",
        str(media["music"]),
        "--duration",
        "150",
    )
    return project


def test_conform_to_beats_ripple_moves_near_cuts_onto_their_nearest_frames(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    project = _cut_project(tmp_path, media)
    before = project.read_bytes()
    _edit(project, "conform-to-beats", "-t", "V1", "--music", str(media["music"]),
          "--tolerance-frames", "3")  # fmt: skip
    nearest = _beat_frames("nearest")
    # 20 -> 19 (beat 18.75); B 10 frames -> ends at 29 -> 31 (31.25); C 20 -> ends at 51,
    # 5 frames from 56 and 7 from 44: out of tolerance, stays
    assert _clips(project) == [(0, 19, 10), (19, 12, 30), (31, 20, 50), (51, 10, 60)]
    assert {19, 31} <= set(nearest) and 51 not in nearest
    assert _clips(project, "A1") == [(0, 150, -TC_FIRST)]  # the music does not move
    _edit(project, "undo")
    assert project.read_bytes() == before


def test_conform_to_beats_roll_moves_only_the_cuts(tmp_path: Path, media: dict[str, Path]) -> None:
    project = _cut_project(tmp_path, media)
    before = project.read_bytes()
    _edit(project, "conform-to-beats", "-t", "V1", "--music", str(media["music"]), "--mode",
          "roll", "--tolerance-frames", "2")  # fmt: skip
    # 20 -> 19, 30 -> 31, 50 stays (6 from 44 and 56); the programme keeps its length
    assert _clips(project) == [(0, 19, 10), (19, 12, 29), (31, 19, 51), (50, 10, 60)]
    _edit(project, "undo")
    assert project.read_bytes() == before


def test_conform_to_marked_bars(tmp_path: Path, media: dict[str, Path]) -> None:
    """Beats marked on the project first (``beats --markers``), then conformed to bars."""
    project = _cut_project(tmp_path, media)
    assert main(["beats", str(media["music"]), "--markers", str(project), "--track", "A1"]) == 0
    timeline = load_project(project)
    (music_track,) = [t for t in timeline.tracks if t.name == "A1"]
    marked = sorted(round(m.marked_range.start_time.value) for m in music_track.markers)
    assert marked == _beat_frames("nearest")[: len(marked)] and len(marked) >= 16
    bars = [m for m in music_track.markers if m.name == "bar"]
    assert len(bars) == len(marked[::4])
    _edit(project, "conform-to-beats", "-t", "V1", "--unit", "bar", "--tolerance-frames", "6")
    # bars at 6 (6.25), 56 (56.25), 106: the cut at 50 goes to 56; 20 and 30 are too far
    assert [c[0] for c in _clips(project)][1:] == [20, 30, 56]


def test_montage_cuts_on_the_frame_at_or_before_each_bar(
    tmp_path: Path, media: dict[str, Path]
) -> None:
    project = tmp_path / "m.otio"
    assert main(["new", str(project), "--name", "montage", "--rate", "25"]) == 0
    before = project.read_bytes()
    assert main(["montage", str(project), str(media["A"]), str(media["B"]), "--music",
                 str(media["music"]), "--every", "1", "--unit", "bar", "--ins", "5,12"]) == 0  # fmt: skip
    bars = _beat_frames("before")[::4]  # 6, 56, 106, 156 (of 6.25, 56.25, ...)
    assert bars == [6, 56, 106, 156, 206][: len(bars)]
    clips = _clips(project)
    assert [c[0] for c in clips] == bars[: len(clips)]
    assert [c[2] for c in clips] == [5, 12, 5, 12][: len(clips)]  # each from its in point
    assert len(clips) >= 3
    (music,) = load_project(project).tracks[1].find_clips()
    assert music.name == "music"
    out = render_project(project, tmp_path / "m.mp4")
    with av.open(str(out.path)) as container:
        codes = [read_barcode(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    for start, _length, first in clips:
        assert codes[start] == first  # the cut's first frame is the clip's in point
    assert main(["edit", str(project), "undo"]) == 0
    assert project.read_bytes() == before


def test_inspect_rhythm_of_a_montage(
    tmp_path: Path, media: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Shots of a bar (2 s) each: every cut on a beat, one cut per shot after the first
    over the shots' span a minute, a taller PNG."""
    project = tmp_path / "m.otio"
    assert main(["new", str(project), "--name", "montage", "--rate", "25"]) == 0
    assert main(["montage", str(project), str(media["A"]), "--music", str(media["music"]),
                 "--unit", "bar"]) == 0  # fmt: skip
    capsys.readouterr()
    png = tmp_path / "rhythm.png"
    assert main(["inspect", str(project), "--rhythm", "--music", str(media["music"]), "--json",
                 "--png", str(png)]) == 0  # fmt: skip
    pace = json.loads(capsys.readouterr().out)["rhythm"]
    assert pace["track"] == "V1"
    assert pace["cuts"] == [56, 106, 156][: len(pace["cuts"])] and len(pace["cuts"]) >= 2
    assert pace["cuts_on_beat"] == len(pace["cuts"])
    assert pace["median_shot_s"] == pytest.approx(2.0)
    span_s = (pace["shots"][-1][0] + pace["shots"][-1][1] - pace["shots"][0][0]) / 25
    assert span_s == pytest.approx(2.0 * len(pace["shots"]))
    assert pace["cuts_per_minute"] == pytest.approx(60 * len(pace["cuts"]) / span_s)
    plain = tmp_path / "plain.png"
    assert main(["inspect", str(project), "--png", str(plain)]) == 0
    with Image.open(png) as tall, Image.open(plain) as short:
        assert tall.height > short.height


def test_retime_lands_the_action_on_the_beat(tmp_path: Path, media: dict[str, Path]) -> None:
    """Frames 10.. of A on V1 with its sound on A1; source frame 25 must play at frame 30."""
    picture = clip_from_media(media["A"], source_start=10, duration=20)
    set_link(picture, "link-1")
    timeline = timeline_of([picture], name="retime")
    sound = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    sound.append(picture.deepcopy())
    timeline.tracks.append(sound)
    project = save_project(timeline, tmp_path / "r.otio")
    before = project.read_bytes()
    _edit(project, "retime-to-beat", "-t", "V1", "--at", "0", "--frame", "25", "--beat", "30")
    assert _clips(project) == [(0, 40, 10)]  # half speed: 20 source frames over 40
    assert _clips(project, "A1") == [(0, 40, 10)]
    out = render_project(project, tmp_path / "r.mp4")
    with av.open(str(out.path)) as container:
        codes = [read_barcode(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    assert codes[30] == 25
    _edit(project, "undo")
    assert project.read_bytes() == before


def test_the_demo_montage_cuts_every_second_beat(tmp_path: Path, media: dict[str, Path]) -> None:
    from postprod.demo.montage import make_montage

    cameras = (media["A"], media["B"])
    for camera in cameras:
        (tmp_path / camera.name).write_bytes(camera.read_bytes())
    montage = make_montage(tmp_path, tuple(tmp_path / c.name for c in cameras), 100)
    assert montage.cuts == tuple(_beat_frames("before")[::2][: len(montage.cuts)])
    assert len(montage.cuts) >= 8
    assert [c[0] for c in _clips(montage.project)] == list(montage.cuts[:-1])
    assert montage.programme.is_file()


@pytest.mark.parametrize("mode", ["ripple", "roll"])
def test_linked_sound_follows_its_picture(
    tmp_path: Path, media: dict[str, Path], mode: str
) -> None:
    """Picture on V1 and its sound on A1, linked clip by clip: the sound's cuts move too."""
    from postprod.operations import Project
    from postprod.operations.rhythm import ConformToBeats

    pictures = [
        clip_from_media(media["A"], source_start=10, duration=20),
        clip_from_media(media["B"], source_start=30, duration=20),
    ]
    sound = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    for k, picture in enumerate(pictures):
        set_link(picture, f"link-{k}")
        sound.append(picture.deepcopy())
    timeline = timeline_of(pictures, name="linked")
    timeline.tracks.append(sound)
    project = save_project(timeline, tmp_path / "l.otio")
    Project(project).apply(ConformToBeats("V1", (18, 43), 2, mode))  # type: ignore[arg-type]
    assert [c[0] for c in _clips(project)] == [0, 18]
    assert _clips(project, "A1") == _clips(project, "V1")
