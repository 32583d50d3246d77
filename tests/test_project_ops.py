"""A project's basics and tracks: ``new``, ``timeline set/show``, ``track ...``, all undoable."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from media_factory import tone, write_video, write_wav
from postprod import operations as ops
from postprod.cli import main
from postprod.errors import EditError, ProjectError
from postprod.media.probe import probe
from postprod.project import History, load_project
from postprod.timeline.metadata import ProjectSettings, project_settings_of, track_settings_of
from postprod.timeline.slots import find_track

RATE = Fraction(25)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 10-frame 160x90 picture with sound, and one second of stereo tone."""
    folder = tmp_path_factory.mktemp("project-media")
    picture = write_video(folder / "shot.mp4", frames=10, size=(160, 90))
    sound = write_wav(folder / "tone.wav", tone(48000, 48000, 440.0, channels=2))
    return picture, sound


def _new(folder: Path, *extra: str) -> Path:
    project = folder / "show.otio"
    argv = ["new", str(project), "--rate", "25", "--start", "10:00:00:00", "--name", "Show"]
    assert main([*argv, *extra]) == 0
    return project


def _tracks(project: Path) -> list[tuple[str, str, str | None, bool]]:
    return [
        (info.name, info.kind, info.layout, info.locked)
        for info in ops.track_infos(load_project(project))
    ]


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error:"), err
    return err


# -- new and timeline --------------------------------------------------------


def test_new_makes_a_named_programme_with_default_tracks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _new(tmp_path, "--size", "1280x720", "--sample-rate", "44100")
    capsys.readouterr()
    assert main(["inspect", str(project), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["name"] == "Show" and shown["start_timecode"] == "10:00:00:00"
    assert shown["rate"] == "25"
    assert [tuple(track) for track in shown["tracks"]] == [
        ("V1", "Video"),
        ("A1", "Audio"),
        ("A2", "Audio"),
    ]
    assert _tracks(project) == [
        ("V1", "video", None, False),
        ("A1", "audio", "stereo", False),
        ("A2", "audio", "stereo", False),
    ]
    timeline = load_project(project)
    assert project_settings_of(timeline) == ProjectSettings(1280, 720, 44100)
    assert timeline.global_start_time == otio.opentime.RationalTime(900000, 25)
    # the journal starts from the new file: nothing to undo yet
    assert History(project).position().undo == (0,)
    assert main(["edit", str(project), "undo"]) == 2
    assert "nothing to undo" in _error(capsys)
    assert main(["timeline", str(project), "show", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["width_px"], info["height_px"], info["sample_rate_hz"]) == (1280, 720, 44100)


def test_new_never_replaces_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _new(tmp_path)
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["new", str(project), "--rate", "25", "--name", "Other"]) == 2
    assert "already exists" in _error(capsys)
    assert project.read_bytes() == before
    other = tmp_path / "odd.otio"
    assert main(["new", str(other), "--rate", "25", "--name", "X", "--size", "321x180"]) == 2
    assert "even pixels" in _error(capsys)
    assert not other.exists()
    assert main(["new", str(tmp_path), "--rate", "25", "--name", "X"]) == 2  # a folder
    assert "already exists" in _error(capsys)
    assert main(["new", "..", "--rate", "25", "--name", "X"]) == 2
    assert "names a folder" in _error(capsys)


def test_timeline_set_changes_only_what_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _new(tmp_path, "--size", "320x180")
    assert main(["timeline", str(project), "set", "--name", "Show v2"]) == 0
    timeline = load_project(project)
    assert timeline.name == "Show v2"
    assert project_settings_of(timeline) == ProjectSettings(320, 180, 48000)
    assert ops.project_info(timeline).start_timecode == "10:00:00:00"
    assert main(["timeline", str(project), "set", "--sample-rate", "96000"]) == 0
    assert project_settings_of(load_project(project)) == ProjectSettings(320, 180, 96000)
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["timeline", str(project), "set", "--sample-rate", "12345"]) == 2
    assert "12345" in _error(capsys)
    assert main(["timeline", str(project), "set"]) == 2
    assert "nothing to change" in _error(capsys)
    assert project.read_bytes() == before


def test_a_new_start_timecode_keeps_every_clip_in_its_place(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    picture, _ = media
    project = _new(tmp_path)
    edit = ["edit", str(project)]
    assert main([*edit, "append", "-t", "V1", "-m", str(picture), "--duration", "4"]) == 0
    assert main([*edit, "append", "-t", "V1", "-m", str(picture), "--duration", "6"]) == 0
    assert main([*edit, "add-marker", "--at", "5", "--name", "hit"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(project), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["timeline", str(project), "set", "--start", "01:00:00:00"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(project), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["start_timecode"] == "01:00:00:00"
    frames = [(i["track"], i["record_in"], i["record_out"]) for i in after["items"]]
    assert frames == [(i["track"], i["record_in"], i["record_out"]) for i in before["items"]]
    assert [i["record_in_tc"] for i in after["items"]] == ["01:00:00:00", "01:00:00:04"]
    assert after["markers"][0]["frame"] == 5
    assert after["markers"][0]["timecode"] == "01:00:00:05"


# -- tracks: each operation visible, undone byte for byte, redone ------------------

_TRACK_COMMANDS = [
    (
        ["add", "{p}", "--audio", "FX", "--layout", "5.1"],
        [("V1", "video", None, False), ("A1", "audio", "stereo", False),
         ("A2", "audio", "stereo", False), ("FX", "audio", "5.1", False)],
    ),
    (
        ["add", "{p}", "--video", "V2"],
        [("V1", "video", None, False), ("V2", "video", None, False),
         ("A1", "audio", "stereo", False), ("A2", "audio", "stereo", False)],
    ),
    (
        ["add", "{p}", "--audio", "VO", "--layout", "mono", "--position", "1"],
        [("V1", "video", None, False), ("VO", "audio", "mono", False),
         ("A1", "audio", "stereo", False), ("A2", "audio", "stereo", False)],
    ),
    (
        ["rename", "{p}", "A2", "A2 music"],
        [("V1", "video", None, False), ("A1", "audio", "stereo", False),
         ("A2 music", "audio", "stereo", False)],
    ),
    (
        ["remove", "{p}", "A1"],
        [("V1", "video", None, False), ("A2", "audio", "stereo", False)],
    ),
    (
        ["move", "{p}", "A2", "--to", "1"],
        [("V1", "video", None, False), ("A2", "audio", "stereo", False),
         ("A1", "audio", "stereo", False)],
    ),
    (
        ["lock", "{p}", "A1"],
        [("V1", "video", None, False), ("A1", "audio", "stereo", True),
         ("A2", "audio", "stereo", False)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("command", "expected"), _TRACK_COMMANDS)
def test_each_track_command_is_one_undoable_step(
    tmp_path: Path,
    command: list[str],
    expected: list[tuple[str, str, str | None, bool]],
) -> None:
    project = _new(tmp_path)
    before = project.read_bytes()
    argv = ["track", *(str(project) if word == "{p}" else word for word in command)]
    assert main(argv) == 0
    assert _tracks(project) == expected
    after = project.read_bytes()
    assert main(["edit", str(project), "undo"]) == 0
    assert project.read_bytes() == before
    assert main(["edit", str(project), "redo"]) == 0
    assert project.read_bytes() == after


def test_track_list_and_unlock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _new(tmp_path)
    assert main(["track", "lock", str(project), "A2"]) == 0
    assert main(["track", "lock", str(project), "A2", "--off"]) == 0
    capsys.readouterr()
    assert main(["track", "list", str(project), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["position"], t["locked"]) for t in listed] == [
        ("V1", 1, False),
        ("A1", 1, False),
        ("A2", 2, False),
    ]
    assert main(["track", "list", str(project)]) == 0
    assert "stereo" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["add", "{p}", "--audio", "A1"], "already a track A1"),
        (["add", "{p}", "--video", "A2"], "already a track A2"),
        (["rename", "{p}", "A1", "A2"], "already a track A2"),
        (["rename", "{p}", "A1", " A3"], "spaces around it"),
        (["add", "{p}", "--video", "V2", "--layout", "stereo"], "cannot have a channel layout"),
        (["add", "{p}", "--audio", "X", "--layout", "7.1"], "unknown channel layout"),
        (["add", "{p}", "--audio", "X", "--position", "4"], "position 4 is past them"),
        (["add", "{p}"], "--audio NAME or --video NAME"),
        (["move", "{p}", "A1", "--to", "3"], "position 3 is past them"),
        (["remove", "{p}", "A9"], "no track 'A9'"),
    ],
)
def test_refusals_leave_the_project_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], message: str
) -> None:
    project = _new(tmp_path)
    before = project.read_bytes()
    capsys.readouterr()
    argv = ["track", *(str(project) if word == "{p}" else word for word in command)]
    assert main(argv) == 2
    assert message in _error(capsys)
    assert project.read_bytes() == before


def test_a_locked_track_refuses_edits(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, sound = media
    project = _new(tmp_path)
    assert main(["track", "lock", str(project), "A1"]) == 0
    before = project.read_bytes()
    capsys.readouterr()
    append = ["edit", str(project), "append", "-t", "A1", "-m", str(sound)]
    assert main(append) == 2
    err = _error(capsys)
    assert "track A1 is locked" in err and "postprod track lock PROJECT A1 --off" in err
    assert main(["track", "remove", str(project), "A1"]) == 2
    assert "locked" in _error(capsys)
    assert project.read_bytes() == before
    # the other tracks, and renaming or moving the locked one, are not refused
    assert main(["edit", str(project), "append", "-t", "A2", "-m", str(sound)]) == 0
    assert main(["track", "move", str(project), "A1", "--to", "2"]) == 0
    assert main(["track", "lock", str(project), "A1", "--off"]) == 0
    assert main(append) == 0
    assert [info.clips for info in ops.track_infos(load_project(project))] == [0, 1, 1]


def test_short_names_find_tracks_and_ambiguity_is_refused(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, sound = media
    project = _new(tmp_path)
    assert main(["track", "rename", str(project), "A2", "A2 recorder_sc1_t1"]) == 0
    assert main(["edit", str(project), "append", "-t", "A2", "-m", str(sound)]) == 0
    timeline = load_project(project)
    assert len(find_track(timeline, "A2 recorder_sc1_t1")) == 1
    assert find_track(timeline, "A2").name == "A2 recorder_sc1_t1"
    assert main(["track", "lock", str(project), "A2"]) == 0
    assert track_settings_of(find_track(load_project(project), "A2")).locked
    assert main(["track", "add", str(project), "--audio", "A2 boom"]) == 0
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["edit", str(project), "append", "-t", "A2", "-m", str(sound)]) == 2
    err = _error(capsys)
    assert "'A2 recorder_sc1_t1'" in err and "'A2 boom'" in err
    assert project.read_bytes() == before
    # the whole name still finds each, and an exact name wins over a short one
    assert main(["edit", str(project), "append", "-t", "A2 boom", "-m", str(sound)]) == 0
    assert main(["track", "add", str(project), "--audio", "A2"]) == 0
    assert main(["edit", str(project), "append", "-t", "A2", "-m", str(sound)]) == 0
    clips = {info.name: info.clips for info in ops.track_infos(load_project(project))}
    assert clips == {"V1": 0, "A1": 0, "A2 recorder_sc1_t1": 1, "A2 boom": 1, "A2": 1}


def test_track_operations_in_python_and_by_name(tmp_path: Path) -> None:
    project = _new(tmp_path)
    session = ops.Project(project)
    session.apply(
        ops.AddTrack("audio", "FX"),
        ops.MoveTrack("FX", 1),
        ops.AddTrack("video", "V0", position=1),
        ops.SetTimeline(width_px=640, height_px=360),
    )
    assert [name for name, *_ in _tracks(project)] == ["V0", "V1", "FX", "A1", "A2"]
    assert project_settings_of(load_project(project)).size_px == (640, 360)
    for operation in (ops.AddTrack("audio", "FX", "mono", 2), ops.LockTrack("A1", False)):
        assert ops.operation_from_dict(json.loads(json.dumps(operation.to_dict()))) == operation
    with pytest.raises(EditError, match="unknown track kind"):
        ops.apply_operations(session.timeline(), ops.AddTrack("subtitle", "S1"))
    with pytest.raises(ProjectError, match="already exists"):
        ops.new_project(project, name="again")


def test_track_commands_in_an_edit_script_are_one_step(tmp_path: Path) -> None:
    project = _new(tmp_path)
    before = project.read_bytes()
    script = tmp_path / "tracks.txt"
    script.write_text("track add --audio FX\ntrack lock FX\ntimeline set --name Script\n")
    assert main(["edit", str(project), "--script", str(script)]) == 0
    assert _tracks(project)[-1] == ("FX", "audio", "stereo", True)
    assert load_project(project).name == "Script"
    assert main(["edit", str(project), "undo"]) == 0
    assert project.read_bytes() == before


def test_help_needs_no_project(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["new", "--help"],
        ["track", "add", "--help"],
        ["track", "move", "--help"],
        ["timeline", "nothing.otio", "set", "--help"],
    ):
        assert main(argv) == 0, argv
    assert "--position" in capsys.readouterr().out


# -- the project's size and sample rate reach the render ----------------------------------


def test_a_render_takes_the_projects_size_and_sample_rate(
    tmp_path: Path, media: tuple[Path, Path]
) -> None:
    picture, _ = media
    project = _new(tmp_path, "--size", "320x180", "--sample-rate", "44100")
    assert main(["edit", str(project), "append", "-t", "V1", "-m", str(picture)]) == 0
    out = tmp_path / "show.mp4"
    assert main(["render", str(project), "-o", str(out)]) == 0
    info = probe(out)
    assert info.video is not None and (info.video.width, info.video.height) == (320, 180)
    assert info.audio is not None and info.audio.sample_rate == 44100


def test_a_track_armed_to_record_takes_the_take(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _new(tmp_path)
    before = project.read_bytes()
    record = ["record", str(project), "--input", "tone:1000", "--duration", "0.5"]
    assert main(record) == 2  # nothing armed, no --track
    assert "no track is armed" in _error(capsys) and project.read_bytes() == before
    assert main(["track", "arm", str(project), "V1"]) == 2  # a picture track
    assert "picture track" in _error(capsys)
    assert main(["track", "arm", str(project), "A2"]) == 0
    assert [info.name for info in ops.track_infos(load_project(project)) if info.armed] == ["A2"]
    capsys.readouterr()
    assert main(["mixer", str(project), "show", "--json"]) == 0
    strips = json.loads(capsys.readouterr().out)["tracks"]
    assert {s["name"]: s["armed"] for s in strips} == {"A1": False, "A2": True}
    assert main(record) == 0
    timeline = load_project(project)
    (take,) = next(t for t in timeline.tracks if t.name == "A2").find_clips()
    assert take.name.startswith("A2")
    assert main(["edit", str(project), "undo"]) == 0  # the take
    assert main(["edit", str(project), "undo"]) == 0  # the arm
    assert project.read_bytes() == before
