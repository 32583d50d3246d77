"""Multicam (timeline/multicam.py, operations/multicam.py, workflows/multicam.py).

* An hour-long simulated take of four angles with known offsets and 50-150 ppm drifts:
  the source frame each angle shows at 0, 30 and 60 minutes, from the model and from the
  render plan (no hour is rendered: the clips' media are only their ranges).
* Three real camera files (numbered test cards of their own colour, tones of their own
  pitch, start timecodes apart): ``multicam create --sync timecode`` then ``multicam cut``
  rendered for a few seconds and decoded: the chosen angle's barcode from the cut's frame
  on, its tone after the cut, no silence across it.
* Auto-switching on a synthetic three-person conversation (speech-like bursts with known
  turns, crosstalk, backchannels, overlaps), the cut times' precision printed.
* The storage: plain OTIO reads it, flatten gives plain clips, undo, audio modes.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from media_factory import write_wav
from postprod.cli import main
from postprod.errors import PostprodError
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.operations import Project, Split, apply_operations
from postprod.operations.multicam import (
    CutMulticam,
    CutMulticamMany,
    FlattenMulticam,
    RenameAngle,
    SetMulticamAudio,
)
from postprod.planner.plan import OutputFormat, plan
from postprod.render.engine import source_frames
from postprod.render.multicam_view import multicam_layout
from postprod.render.multiview import open_multiview, picture_sources
from postprod.timeline.model import rational_time, time_range
from postprod.timeline.multicam import (
    Angle,
    Cut,
    angle_items,
    angle_media_names,
    angle_track,
    angles_of,
    cut_of,
    group_cuts,
    group_stack,
    place_angle,
    source_position,
    with_angle_tracks,
)
from postprod.video import patterns
from postprod.video.patterns import read_barcode
from postprod.workflows.multicam import AutoSettings, auto_switch, choose_angles

RATE = Fraction(25)

# -- an hour of four angles, in the model and the plan ------------------------------------

#: (offset on the group's clock in s, drift in ppm, file's start timecode in frames)
LONG_ANGLES = ((0.0, 50.0, 900000), (1.3713, -80.0, 900034), (2.6104, 120.0, 0), (0.5217, 150.0, 1))
HOUR_S = 3600


def _offline_clip(number: int, first: int) -> otio.schema.Clip:
    frames = (HOUR_S + 120) * 25
    reference = otio.schema.ExternalReference(
        target_url=f"angle{number}.mov", available_range=time_range(first, frames, RATE)
    )
    return otio.schema.Clip(f"angle{number}", reference, time_range(first, frames, RATE))


def _long_take(kind: str = "Video") -> otio.schema.Timeline:
    tracks = [
        place_angle(
            _offline_clip(number, first),
            Angle(number, f"cam {number}", f"angle{number}.mov", offset, drift),
            RATE,
            kind,
        )
        for number, (offset, drift, first) in enumerate(LONG_ANGLES, start=1)
    ]
    timeline = otio.schema.Timeline("long take")
    timeline.global_start_time = rational_time(0, RATE)
    track = otio.schema.Track("V1", kind=kind)
    track.append(group_stack("take", tracks, Cut("take", 1), RATE))
    timeline.tracks.append(track)
    return timeline


def _true_frame(angle: int, group_s: float) -> int | None:
    """The source frame angle shows at a group time, from its offset and drift directly."""
    offset, drift, _ = LONG_ANGLES[angle - 1]
    source_s = (group_s - offset) / (1 + drift * 1e-6)
    return None if source_s < 0 else math.floor(source_s * 25 + 1e-9)


@pytest.mark.parametrize("minutes", [0, 30, 60])
def test_model_places_every_angle_to_the_frame_over_an_hour(minutes: int) -> None:
    timeline = _long_take()
    stack = timeline.tracks[0][0]
    group_frame = minutes * 60 * 25
    for number in range(1, 5):
        track = angle_track(stack, number)
        assert track is not None
        position = source_position(track, group_frame, RATE)
        expected = _true_frame(number, group_frame / 25)
        if expected is None:
            assert position is None
            continue
        assert position is not None
        assert math.floor(position) == expected
        # without drift correction this angle would be this far off by now
        assert abs(minutes * 60 * LONG_ANGLES[number - 1][1] * 1e-6 * 25) <= 13.6


@pytest.mark.parametrize("angle", [1, 2, 3, 4])
def test_plan_shows_each_angle_at_0_30_60_minutes(angle: int) -> None:
    timeline = apply_operations(
        _long_take(),
        [
            CutMulticam(100, angle),
            CutMulticam(30 * 60 * 25, angle),
            CutMulticam(60 * 60 * 25, angle),
        ],
    )
    planned = plan(timeline, OutputFormat(320, 180, RATE))
    seen = {}
    for span in planned.video:
        if span.start in (100, 45000, 90000) and span.a is not None:
            seen[span.start] = int(source_frames(span.a, 0, 1)[0])
            # a span plays on with the angle's speed (its drift corrected)
            assert span.a.speed == pytest.approx(1 / (1 + LONG_ANGLES[angle - 1][1] * 1e-6))
    expected = {frame: _true_frame(angle, frame / 25) for frame in (100, 45000, 90000)}
    assert seen == expected


# -- real angles: create, cut, render, decode ----------------------------------------------

COLOURS = ((200, 40, 40), (40, 200, 40), (40, 40, 200))
TONES_HZ = (440.0, 660.0, 990.0)
STARTS = ("01:00:00:00", "01:00:00:10", "01:00:01:05")  # 0, 10 and 30 frames apart
FRAMES = 100


def _camera(path: Path, index: int) -> Path:
    video = VideoSpec(160, 96, RATE)
    with MediaWriter(
        path, video=video, audio=AudioSpec(48000, 1), start_timecode=STARTS[index]
    ) as writer:
        t = np.arange(FRAMES * 1920) / 48000
        sound = (0.3 * np.sin(2 * np.pi * TONES_HZ[index] * t)).astype(np.float32)[None, :]
        for frame in range(FRAMES):
            writer.write_video(patterns.test_card(160, 96, frame, COLOURS[index]))
            writer.write_audio(sound[:, frame * 1920 : (frame + 1) * 1920])
    return path


@pytest.fixture(scope="module")
def cameras(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cameras")
    for index, name in enumerate("ABC"):
        _camera(folder / f"{name}.mov", index)
    return folder


def _new(folder: Path, name: str = "p.otio") -> Path:
    project = folder / name
    assert main(["new", str(project), "--name", "scene", "--rate", "25"]) == 0
    return project


def _invoke(*args: str) -> None:
    assert main(list(args)) == 0


def _decode(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    with av.open(str(path)) as container:
        pictures = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with av.open(str(path)) as container:
        sound = np.concatenate(
            [
                f.to_ndarray().reshape(f.to_ndarray().shape[0], -1)
                for f in container.decode(audio=0)
            ],
            axis=1,
        )
    return pictures, sound.mean(axis=0)


def test_create_and_cut_render_the_chosen_angle_with_continuous_sound(
    cameras: Path, tmp_path: Path
) -> None:
    for name in "ABC":
        (tmp_path / f"{name}.mov").symlink_to(cameras / f"{name}.mov")
    project = _new(tmp_path)
    files = [str(tmp_path / f"{name}.mov") for name in "ABC"]
    _invoke("multicam", "create", str(project), "--name", "scene", *files, "--sync", "timecode")
    timeline = Project(project).timeline()
    cuts = list(group_cuts(timeline, RATE, "scene"))
    assert [(c.track.name, c.cut.role, c.cut.angle, c.start, c.length) for c in cuts] == [
        ("V1", "picture", 1, 0, 130),  # the earliest start .. the latest end (30 + 100)
        ("A1", "sound", 1, 0, 130),
    ]
    _invoke("multicam", "cut", str(project), "--at", "00:00:01:15", "--angle", "3")  # frame 40
    out = tmp_path / "cut.mp4"
    _invoke("render", str(project), "-o", str(out), "--range", "30-55")
    pictures, sound = _decode(out)
    assert len(pictures) == 25
    for offset, picture in enumerate(pictures):
        frame = 30 + offset
        angle, source = (1, frame) if frame < 40 else (3, frame - 30)
        assert read_barcode(picture) == source
        colour = picture[60:90, 100:150].reshape(-1, 3).mean(axis=0)
        assert np.abs(colour - COLOURS[angle - 1]).max() < 40, (frame, colour)
    # the sound: angle 1's tone, then angle 3's, never a gap
    cut_sample = 10 * 1920
    rms = np.sqrt(np.convolve(sound**2, np.ones(480) / 480, mode="valid"))
    level = float(np.median(rms))
    assert level > 0.1
    assert rms[2000:-2000].min() > 0.4 * level  # only the planner's 5 ms fades at the cut
    for part, hz in ((sound[2000 : cut_sample - 2000], 440), (sound[cut_sample + 2000 :], 990)):
        spectrum = np.abs(np.fft.rfft(part * np.hanning(part.size)))
        assert abs(np.argmax(spectrum) * 48000 / part.size - hz) < 10


def test_storage_plain_otio_flatten_undo_rename_audio_modes(cameras: Path, tmp_path: Path) -> None:
    project = _new(tmp_path)
    files = [str(cameras / f"{name}.mov") for name in "ABC"]
    _invoke("multicam", "create", str(project), "--name", "scene", *files)
    _invoke("multicam", "cut", str(project), "--at", "60", "--angle", "2", "--video-only")
    _invoke("multicam", "switch", str(project), "--at", "10", "--angle", "3", "--audio-only")
    session = Project(project)
    timeline = session.timeline()
    # plain OTIO: a stack per cut, one track per angle; our facts in versioned metadata
    text = otio.adapters.write_to_string(timeline, "otio_json")
    plain = otio.adapters.read_from_string(text, "otio_json")
    v1, a1 = plain.tracks[0], plain.tracks[1]
    assert [type(item).__name__ for item in v1] == ["Stack", "Stack"]
    assert [cut_of(item).angle for item in v1] == [1, 2]  # type: ignore[union-attr]
    assert [cut_of(item).angle for item in a1] == [3]  # type: ignore[union-attr]
    assert [track.name for track in v1[0]] == ["A", "B", "C"]
    assert v1[0].metadata["postprod"]["multicam"]["version"] == 1
    from postprod.timeline.inspect import describe

    shown = [(i.track, i.kind, i.name, i.record_in) for i in describe(timeline).items]
    assert shown[:2] == [("V1", "clip", "scene: A", 0), ("V1", "clip", "scene: B", 60)]
    session.apply(RenameAngle(2, "close-up"))
    session.apply(SetMulticamAudio("mix", (1, 2)))
    planned = plan(session.timeline(), OutputFormat(160, 96, RATE), project_folder=tmp_path)
    heard = sorted({Path(s.path).name for t in planned.tracks for s in t.segments})
    assert heard == ["A.mov", "B.mov"]
    session.apply(FlattenMulticam())
    flat = session.timeline()
    v1 = flat.tracks[0]
    assert [(type(i).__name__, i.name) for i in v1] == [("Clip", "A"), ("Clip", "close-up")]
    assert [t.name for t in flat.tracks[:3]] == ["V1", "A1", "A1 mix 2"]
    # the flattened cut starts at B's source frame for programme frame 60 (B starts 10 later)
    assert v1[1].source_range.start_time.value == 90000 + 10 + 50
    session.undo()
    assert cut_of(session.timeline().tracks[0][0]) is not None


def test_cut_refuses_an_angle_without_picture_and_unknown_groups(
    cameras: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _new(tmp_path)
    wav = write_wav(
        tmp_path / "recorder.wav",
        np.zeros((1, 48000 * 2), np.float32),
        time_reference_samples=3600 * 48000,
    )
    _invoke("multicam", "create", str(project), "--name", "s", str(cameras / "A.mov"), str(wav))
    assert main(["multicam", "cut", str(project), "--at", "5", "--angle", "2"]) == 2
    assert "angle 2 of s has no picture" in capsys.readouterr().err
    _invoke("multicam", "cut", str(project), "--at", "5", "--angle", "2", "--audio-only")
    cut = ["multicam", "cut", str(project), "--at", "5", "--angle", "1", "--name", "other"]
    assert main(cut) == 2
    assert "no multicam clip 'other'" in capsys.readouterr().err


# -- auto-switching on a conversation ------------------------------------------------------

SR = 16000
#: (speaker 0..2, start s, end s): the conversation's turns; 3 is nobody.
TURNS = (
    (0, 0.5, 6.0),
    (1, 6.3, 12.0),
    (0, 8.0, 8.4),  # a backchannel ("mm") during B's turn
    (2, 12.2, 19.5),
    (0, 17.0, 20.5),  # A talks over C for 2.5 s: wide
    (0, 20.5, 26.0),
    (1, 26.2, 33.0),
    (2, 32.4, 33.4),  # C cuts in for a second: not wide
    (2, 33.4, 40.0),
    (1, 35.0, 35.5),  # a backchannel from B
    (0, 40.3, 46.0),
    (1, 46.2, 52.0),
)
TALK_S = 54.0
WIDE = 4


def _speech(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Speech-like sound: band-limited noise in syllables (4-6 a second) with short pauses."""
    from scipy import signal

    n = round(seconds * SR)
    b, a = signal.butter(2, [200, 3000], btype="band", fs=SR)
    noise = signal.lfilter(b, a, rng.standard_normal(n)).astype(np.float32)
    envelope = np.zeros(n, np.float32)
    at = 0
    while at < n:
        length = int(rng.uniform(0.12, 0.25) * SR)
        envelope[at : at + length] = np.sin(np.linspace(0, np.pi, min(length, n - at)))
        at += length + int(rng.uniform(0.02, 0.15) * SR)
    return noise * envelope / max(float(np.abs(noise).max()), 1e-6)


def _conversation(folder: Path) -> list[Path]:
    rng = np.random.default_rng(7)
    voices = np.zeros((3, round(TALK_S * SR)), np.float32)
    for speaker, start, end in TURNS:
        voices[speaker, round(start * SR) : round(start * SR) + round((end - start) * SR)] += (
            _speech(rng, end - start) * 0.5
        )
    paths = []
    for mic in range(3):
        crosstalk = sum(voices[other] for other in range(3) if other != mic) * 0.15
        heard = voices[mic] + crosstalk + rng.standard_normal(voices.shape[1]) * 1e-3
        if mic == 1:
            heard = heard[SR // 2 :]  # mic 2's recorder started half a second late
        paths.append(write_wav(folder / f"mic{mic + 1}.wav", heard[None, :], SR))
    return paths


def _truth(hops: int, hop_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(the speaker's angle per hop, -1 in silence; whether two speak at once, backchannels
    aside) from the turn list."""
    times = np.arange(hops) * hop_s
    speaking = np.zeros((3, hops), bool)
    for speaker, start, end in TURNS:
        if end - start >= 0.7:
            speaking[speaker] |= (times >= start) & (times < end)
    angle = np.where(speaking.sum(0) == 1, np.argmax(speaking, axis=0) + 1, -1)
    return angle, speaking.sum(0) >= 2


def test_auto_switching_follows_the_speaker(tmp_path: Path) -> None:
    mics = _conversation(tmp_path)
    frames = round(TALK_S * 25)
    clips = []
    for number in range(1, 5):
        reference = otio.schema.ExternalReference(
            target_url=f"cam{number}.mov", available_range=time_range(0, frames, RATE)
        )
        clip = otio.schema.Clip(f"cam{number}", reference, time_range(0, frames, RATE))
        offset = 0.5 if number == 2 else 0.0
        angle = Angle(number, f"cam {number}", f"cam{number}.mov", offset)
        clips.append(place_angle(clip, angle, RATE, "Video"))
    timeline = otio.schema.Timeline("talk")
    track = otio.schema.Track("V1", kind="Video")
    track.append(group_stack("talk", clips, Cut("talk", 1), RATE))
    timeline.tracks.append(track)
    settings = AutoSettings(min_shot_s=2.0)
    result = auto_switch(
        timeline, tmp_path, {1: mics[0], 2: mics[1], 3: mics[2]}, WIDE, settings=settings
    )
    switched = apply_operations(timeline, result.operations)
    hop_s = 0.02
    hops = round(TALK_S / hop_s)
    on_screen = np.zeros(hops, int)
    shots = [(c.start, c.length, c.cut.angle) for c in group_cuts(switched, RATE, "talk")]
    for start, length, angle in shots:
        on_screen[round(start / 25 / hop_s) : round((start + length) / 25 / hop_s)] = angle
    truth, _ = _truth(hops, hop_s)
    judged = truth > 0
    agreement = float(np.mean(on_screen[judged] == truth[judged]))
    assert agreement >= 0.95, agreement
    assert all(length >= 2 * 25 for _, length, _ in shots), shots
    # the long overlap (A over C, 17.0-19.5 s) is on the wide angle
    long_overlap = slice(round(17.0 / hop_s), round(19.5 / hop_s))
    assert np.mean(on_screen[long_overlap] == WIDE) >= 0.9
    assert WIDE not in on_screen[round(32.4 / hop_s) : round(33.4 / hop_s)]  # a short one is not
    # precision of the cut times against the true turn changes
    changes = np.flatnonzero(np.diff(np.where(truth > 0, truth, 0)) > 0) * hop_s
    cut_s = np.array([c.at_s for c in result.cuts[1:]])
    errors = [float(np.min(np.abs(cut_s - t))) for t in changes if t > 1.0]
    print(f"cut precision: median {np.median(errors):.3f} s, max {max(errors):.3f} s")
    assert np.median(errors) < 0.25
    assert all(0.0 <= c.confidence <= 1.0 for c in result.cuts)


# -- sync -o with several cameras -----------------------------------------------------------


def test_sync_out_places_each_camera_on_its_timecode(cameras: Path, tmp_path: Path) -> None:
    project = tmp_path / "synced.otio"
    ref, a, c = (str(cameras / f"{name}.mov") for name in "BAC")
    assert main(["sync", ref, a, c, "--method", "timecode", "-o", str(project)]) == 0
    timeline = Project(project).timeline()
    # the timeline starts at the earliest camera's timecode (A's 01:00:00:00)
    assert timeline.global_start_time.value == 90000
    placed = {}
    for track in timeline.tracks:
        first = 0
        for item in track:
            if isinstance(item, otio.schema.Clip):
                placed[track.name] = (first, item.source_range.start_time.value)
            first += int(item.duration().value)
    assert placed == {
        "V1": (10, 90010),  # B: at its timecode, its first frame (in its own timecode)
        "V2 A": (0, 90000),
        "V3 C": (30, 90030),
        "A1 camera": (10, 90010),
        "A2 A": (0, 90000),
        "A3 C": (30, 90030),
    }
    # editable: a split of a later camera is no longer refused as outside its media
    Project(project).apply(Split("V3 C", 50))
    assert len(Project(project).timeline().tracks[2]) == 3


# -- the multiview ----------------------------------------------------------------------------


def test_multiview_tiles_show_each_angle_named_and_the_one_on_air(
    cameras: Path, tmp_path: Path
) -> None:
    project = tmp_path / "p.otio"
    assert main(["new", str(project), "--name", "s", "--rate", "25", "--size", "640x384"]) == 0
    files = [str(cameras / f"{name}.mov") for name in "ABC"]
    names = "wide,left,right"
    _invoke("multicam", "create", str(project), "--name", "s", *files, "--names", names)
    _invoke("multicam", "cut", str(project), "--at", "45", "--angle", "2")
    out = tmp_path / "multiview.mp4"
    _invoke("render", str(project), "-o", str(out), "--multiview", "--range", "40-50")
    timeline = Project(project).timeline()
    programme = plan(
        with_angle_tracks(timeline),
        OutputFormat(640, 384, RATE),
        project_folder=tmp_path,
    )
    assert len(picture_sources(programme)) == 3
    grid = multicam_layout(programme, angle_media_names(timeline, tmp_path), None)
    assert sorted(tile.name for tile in grid.tiles) == ["left", "right", "wide"]
    # the console's multiview: every angle too, though only two are cut to
    console = open_multiview(project, 40, 50, tmp_path / "cache", scale=Fraction(1, 2))
    assert sorted(tile.name for tile in console.layout.tiles) == ["left", "right", "wide"]
    assert all(tile.first_timecode is not None for tile in console.layout.tiles)
    with av.open(str(out)) as container:
        pictures = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(pictures) == 10
    starts = {"wide": 0, "left": 10, "right": 30}  # programme frames each angle starts at
    colours = {"wide": COLOURS[0], "left": COLOURS[1], "right": COLOURS[2]}
    for offset in (0, 9):  # programme frames 40 (angle 1 on air) and 49 (angle 2)
        picture = pictures[offset]
        frame = 40 + offset
        for tile in grid.tiles:
            inside = picture[tile.y : tile.y + tile.height, tile.x : tile.x + tile.width]
            scaled = np.asarray(Image.fromarray(inside).resize((160, 96), resample=0))
            assert read_barcode(scaled) == frame - starts[tile.name], tile.name
            middle = inside[tile.height // 3 : tile.height // 2, tile.width // 2 :]
            assert np.abs(middle.reshape(-1, 3).mean(0) - colours[tile.name]).max() < 40
            above = picture[max(0, tile.y - 4), tile.x + tile.width // 2]
            on_air = "wide" if frame < 45 else "left"
            assert (above[0] > 150 and above[1] < 90) == (tile.name == on_air), (frame, tile.name)


def test_export_edl_and_fcp_xml_of_the_switched_programme(cameras: Path, tmp_path: Path) -> None:
    project = _new(tmp_path)
    files = [str(cameras / f"{name}.mov") for name in "ABC"]
    _invoke("multicam", "create", str(project), "--name", "s", *files)
    _invoke("multicam", "cut", str(project), "--at", "40", "--angle", "3")
    _invoke("multicam", "cut", str(project), "--at", "80", "--angle", "2")
    edl = tmp_path / "cut.edl"
    _invoke("multicam", "export", str(project), str(edl))
    events = [line.split() for line in edl.read_text().splitlines() if line[:3].isdigit()]
    # each cut as its angle's source clip: its source timecodes, the programme's record times
    assert [(e[1], e[4], e[5], e[6], e[7]) for e in events if e[2] == "V"] == [
        ("A", "01:00:00:00", "01:00:01:15", "00:00:00:00", "00:00:01:15"),
        ("C", "01:00:01:15", "01:00:03:05", "00:00:01:15", "00:00:03:05"),
        ("B", "01:00:03:05", "01:00:04:10", "00:00:03:05", "00:00:04:10"),
    ]
    xml = tmp_path / "cut.xml"
    _invoke("multicam", "export", str(project), str(xml))
    plain = otio.adapters.read_from_file(str(xml))
    video = plain.video_tracks()[0]
    assert [clip.name for clip in video.find_clips()] == ["A", "C", "B"]
    assert cut_of(Project(project).timeline().tracks[0][0]) is not None  # the project keeps it


def test_the_demo_scene_is_cut_by_who_speaks(tmp_path: Path) -> None:
    from postprod.demo.multicam import make_multicam_scene

    scene = make_multicam_scene(tmp_path)
    # wide until the first shot may end, the first talker, the second, both: wide
    assert [angle for _, angle in scene.cuts] == [1, 2, 3, 1]
    assert [round(at_s, 1) for at_s, _ in scene.cuts[1:]] == [1.5, 3.1, 4.6]
    assert all(path.exists() for path in scene.files)
    events = [line.split() for line in scene.edl.read_text().splitlines() if line[:3].isdigit()]
    assert [e[1] for e in events if e[2] == "V"] == ["wide", "close1", "close2", "wide"]
    assert [e[1] for e in events if e[2] == "A"] == ["wide"]  # the room's sound throughout


def test_angles_are_named_from_camera_metadata_then_reel_then_file(tmp_path: Path) -> None:
    from postprod.workflows.multicam import angle_names

    def tagged(name: str, tags: dict[str, str]) -> Path:
        path = tmp_path / name
        with av.open(str(path), "w", options={"movflags": "use_metadata_tags"}) as out:
            out.metadata.update(tags)
            stream = out.add_stream("mpeg4", rate=25)
            stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
            for index in range(3):
                frame = av.VideoFrame.from_ndarray(np.zeros((36, 64, 3), np.uint8), format="rgb24")
                frame.pts = index
                out.mux(stream.encode(frame))
            out.mux(stream.encode())
        return path

    files = [
        tagged("a.mov", {"camera_name": "Cam B", "reel_name": "R1"}),
        tagged("b.mov", {"reel_name": "R2"}),
        tagged("c.mov", {}),
        tagged("d.mov", {"reel_name": "R2"}),
    ]
    assert angle_names(files) == ["Cam B", "R2 1", "c", "R2 2"]


def test_many_cuts_at_once_equal_the_same_cuts_one_by_one() -> None:
    rng = np.random.default_rng(3)
    frames = sorted({int(f) for f in rng.integers(0, 3600 * 25, 40)} | {0})
    cuts = tuple((frame, int(rng.integers(1, 5))) for frame in frames)
    one_by_one = apply_operations(
        _long_take(), [CutMulticam(frame, angle, side="picture") for frame, angle in cuts]
    )
    at_once = apply_operations(_long_take(), [CutMulticamMany(cuts)])

    def shots(timeline: otio.schema.Timeline) -> list[tuple[int, int, int, int]]:
        return [
            (c.start, c.length, c.cut.angle, int(c.stack.source_range.start_time.value))
            for c in group_cuts(timeline, RATE, "take")
        ]

    assert shots(at_once) == shots(one_by_one)
    assert len(shots(at_once)) == len(frames)


def test_sync_at_in_out_and_marker_points(cameras: Path, tmp_path: Path) -> None:
    from postprod.workflows.multicam import sync_angles

    a, b = cameras / "A.mov", cameras / "B.mov"
    short = tmp_path / "short.mov"
    with MediaWriter(short, video=VideoSpec(160, 96, RATE)) as writer:
        for frame in range(60):
            writer.write_video(patterns.test_card(160, 96, frame, COLOURS[0]))
    by_in = sync_angles([a, short], method="in")
    assert [angle.offset_s for angle in by_in] == [0.0, 0.0]
    by_out = sync_angles([a, short], method="out")  # the ends together: short starts 1.6 s in
    assert [round(angle.offset_s, 3) for angle in by_out] == [0.0, 1.6]
    points = {a: 2.0, b: 0.5}  # the clap: 2 s into A, 0.5 s into B
    by_marker = sync_angles([a, b], method="marker", points_s=points)
    assert [angle.offset_s for angle in by_marker] == [0.0, 1.5]
    by_marker = sync_angles([a, b], method="marker", points_s=points, reference=b)
    assert [angle.offset_s for angle in by_marker] == [0.0, 1.5]  # the earliest still at 0
    with pytest.raises(PostprodError, match=r"no marker given for B\.mov"):
        sync_angles([a, b], method="marker", points_s={a: 2.0})


# -- the arithmetic and the switching rules, on their own ----------------------------------


@settings(max_examples=60, deadline=None)
@given(
    offset_s=st.floats(0.0, 30.0),
    drift_ppm=st.floats(-200.0, 200.0),
    cut=st.integers(0, 80_000),
)
def test_a_cut_starts_at_the_exact_source_position(
    offset_s: float, drift_ppm: float, cut: int
) -> None:
    clip = _offline_clip(1, 90000)
    track = place_angle(clip, Angle(1, "a", "a.mov", offset_s, drift_ppm), RATE, "Video")
    stack = group_stack("g", [track], Cut("g", 1), RATE)
    true_s = (cut / 25 - offset_s) / (1 + drift_ppm * 1e-6)
    position = source_position(angle_track(stack, 1), cut, RATE)  # type: ignore[arg-type]
    if true_s < 1e-6:
        return  # not rolling yet (or within a rounding of its first frame)
    assert position is not None and abs(float(position) / 25 - true_s) < 1e-6
    stack.source_range = time_range(cut, 100, RATE)
    (piece,) = [item for item in angle_items(stack, 1, RATE) if isinstance(item, otio.schema.Clip)]
    first = int(piece.source_range.start_time.value) - 90000
    slip = piece.metadata["postprod"]["clip"]["slip_s"]
    assert first == math.floor(position) and abs(first / 25 + slip - float(position) / 25) < 1e-9


def _levels(turns: list[tuple[int, float, float, float]], seconds: float) -> np.ndarray:
    """Hop levels (dB) of three microphones: -70 in silence, each turn's level on its mic."""
    hops = round(seconds / 0.02)
    levels = np.full((3, hops), -70.0, np.float32)
    for mic, start, end, level_db in turns:
        levels[mic, round(start / 0.02) : round(end / 0.02)] = level_db
    return levels


def test_switching_rules_backchannel_min_shot_and_bias() -> None:
    rules = AutoSettings(min_shot_s=2.0)
    # A, B (A says "mm" for 0.5 s inside it), A, then C for 1 s, 1 s after the cut to A
    levels = _levels(
        [
            (0, 0, 5, -20),
            (1, 5.5, 11, -20),
            (0, 8, 8.5, -20),
            (0, 11.5, 12.5, -20),
            (2, 12.5, 13.5, -20),
            (0, 13.5, 20, -20),
        ],
        20,
    )
    cuts = choose_angles(levels, [1, 2, 3], 4, rules)
    assert [(round(c.at_s, 2), c.angle) for c in cuts] == [(0.0, 1), (5.5, 2), (11.5, 1)]
    # C's second is under the minimum shot after A's cut: no cut to C at all
    assert all(c.confidence > 0.8 for c in cuts)
    # B's mic hears A 8 dB down the whole time: not a speaker, unless B's angle is favoured
    levels = _levels([(0, 2, 18, -20), (1, 2, 18, -28)], 20)  # the wide before anyone speaks
    assert [c.angle for c in choose_angles(levels, [1, 2, 3], 4, rules)] == [4, 1]
    favoured = AutoSettings(min_shot_s=2.0, bias_db={2: 5.0})
    assert [c.angle for c in choose_angles(levels, [1, 2, 3], 4, favoured)] == [4]  # together


def test_sound_follows_the_picture_until_it_is_cut_on_its_own(
    cameras: Path, tmp_path: Path
) -> None:
    project = _new(tmp_path)
    files = [str(cameras / f"{name}.mov") for name in "ABC"]
    _invoke("multicam", "create", str(project), "--name", "s", *files)
    _invoke("multicam", "cut", str(project), "--at", "40", "--angle", "3", "--video-only")
    _invoke("multicam", "cut", str(project), "--at", "70", "--angle", "3", "--video-only")

    def heard() -> list[tuple[str, int, int]]:
        timeline = Project(project).timeline()
        planned = plan(timeline, OutputFormat(160, 96, RATE), project_folder=tmp_path)
        return [
            (Path(s.path).stem, s.start // 1920, (s.start + s.length) // 1920)
            for t in planned.tracks
            for s in t.segments
        ]

    # follow: the angle on screen, one segment across the picture's cut between two shots of C
    assert heard() == [("A", 0, 40), ("C", 40, 130)]
    _invoke("multicam", "cut", str(project), "--at", "90", "--angle", "2", "--audio-only")
    # a cut of the sound alone: the sound has cuts of its own now (angle 1, then 2)
    assert heard() == [("A", 0, 90), ("B", 90, 110)]
    assert {c.cut.audio_mode for c in group_cuts(Project(project).timeline(), RATE, "s")} == {
        "follow",
        "cuts",
    }


def test_create_syncs_angles_by_their_sound_with_drift(tmp_path: Path) -> None:
    from scipy import signal

    rng = np.random.default_rng(5)
    seconds, rate = 12, 48000
    room = signal.lfilter(
        *signal.butter(2, [200, 3000], btype="band", fs=rate),
        rng.standard_normal((seconds + 2) * rate),
    )
    room *= np.repeat(rng.random(seconds * 5 + 10) > 0.4, rate // 5)[: room.size]
    first = room[: seconds * rate]
    later = signal.resample_poly(room[round(0.8 * rate) :], 10_000, 10_001)[: seconds * rate]
    a = write_wav(tmp_path / "a.wav", first[None, :].astype(np.float32) * 0.3)
    b = write_wav(tmp_path / "b.wav", later[None, :].astype(np.float32) * 0.3)
    project = _new(tmp_path)
    _invoke("multicam", "create", str(project), "--name", "s", str(a), str(b), "--sync", "audio")
    (found,) = [c for c in group_cuts(Project(project).timeline(), RATE, "s")]
    angles = {angle.name: angle for angle, _ in angles_of(found.stack)}
    assert angles["b"].offset_s == pytest.approx(0.8, abs=1e-4)
    assert angles["b"].drift_ppm == pytest.approx(100, abs=5)


@settings(max_examples=40, deadline=None)
@given(
    offset_s=st.floats(0.0, 3.0),
    drift_ppm=st.floats(-200.0, 200.0),
    cuts=st.lists(st.integers(1, 2_400), max_size=6),
)
def test_every_flattened_cut_stays_inside_its_media(
    offset_s: float, drift_ppm: float, cuts: list[int]
) -> None:
    reference = otio.schema.ExternalReference(
        target_url="a.mov", available_range=time_range(0, 2_500, RATE)
    )
    clip = otio.schema.Clip("a", reference, time_range(0, 2_500, RATE))
    angle = Angle(1, "a", "a.mov", offset_s, drift_ppm)
    timeline = otio.schema.Timeline("t")
    track = otio.schema.Track("V1", kind="Video")
    track.append(group_stack("g", [place_angle(clip, angle, RATE, "Video")], Cut("g", 1), RATE))
    timeline.tracks.append(track)
    length = int(track.duration().value)
    cut = [CutMulticam(frame, 1) for frame in sorted(set(cuts)) if frame < length]
    apply_operations(timeline, [*cut, FlattenMulticam()])  # checked: nothing outside its media
