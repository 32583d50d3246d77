"""A locked track stays exactly as it is: no ripple, all-tracks edit or linked partner changes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
import pytest

from media_factory import tone, write_video, write_wav
from postprod import operations as ops
from postprod.cli import main
from postprod.errors import EditError
from postprod.project import load_project
from postprod.timeline.slots import find_track


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 20-frame 160x90 picture, and one second of stereo tone."""
    folder = tmp_path_factory.mktemp("locked-media")
    picture = write_video(folder / "shot.mp4", frames=20, size=(160, 90))
    sound = write_wav(folder / "tone.wav", tone(48000, 48000, 440.0, channels=2))
    return picture, sound


def _project(folder: Path, media: tuple[Path, Path], *, link: bool = False) -> Path:
    """V1: three 10-frame shots (source frames 5-14); A1 and A2 alike: 25 frames of tone,
    10 more, a gap of 5, 10 more (so a ripple, a range taken out and closing gaps would each
    change them). A1 is locked; with ``link``, V1's first shot is linked to A1's first
    10 frames (cut there from the rest of that clip, which stays in the group)."""
    picture, sound = media
    project = folder / "show.otio"
    assert main(["new", str(project), "--rate", "25", "--name", "Locked"]) == 0
    edit = ["edit", str(project)]
    for _ in range(3):
        shot = ["-m", str(picture), "--in", "5", "--duration", "10"]
        assert main([*edit, "append", "-t", "V1", *shot]) == 0
    for track in ("A1", "A2"):
        assert main([*edit, "append", "-t", track, "-m", str(sound)]) == 0
        assert main([*edit, "append", "-t", track, "-m", str(sound), "--duration", "10"]) == 0
        overwrite = ["overwrite", "-t", track, "--at", "40", "-m", str(sound), "--duration", "10"]
        assert main([*edit, *overwrite]) == 0
    if link:
        assert main([*edit, "link", "-t", "V1", "-t", "A1", "--at", "3"]) == 0
        assert main([*edit, "split", "-t", "A1", "--at", "10", "--unlinked"]) == 0
    assert main(["track", "lock", str(project), "A1"]) == 0
    return project


def _track(project: Path, name: str) -> str:
    """A track of the saved project exactly as OTIO writes it."""
    track = find_track(load_project(project), name)
    return otio.adapters.write_to_string(track, "otio_json")


def _jump_cut(project: Path) -> int:
    ops.Project(project).apply(ops.JumpCut(((2, 4), (30, 33))))
    return 0


EDITS: dict[str, Callable[[Path, Path], int]] = {
    "insert --sync": lambda p, shot: main(
        ["edit", str(p), "insert", "-t", "V1", "--at", "5", "-m", str(shot), "--sync"]
    ),
    "extract --sync": lambda p, _: main(
        ["edit", str(p), "extract", "-t", "V1", "--at", "12", "--sync"]
    ),
    "trim --sync": lambda p, _: main(
        ["edit", str(p), "trim", "-t", "V1", "--at", "12", "--edge", "out", "--by", "-3", "--sync"]
    ),
    "extract-range": lambda p, _: main(
        ["edit", str(p), "extract-range", "--from", "2", "--to", "6"]
    ),
    "close-gaps": lambda p, _: main(["edit", str(p), "close-gaps"]),
    "jump cut": lambda p, _: _jump_cut(p),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_locked_track_keeps_its_clips_through_ripples_and_all_track_edits(
    tmp_path: Path, media: tuple[Path, Path], edit: str
) -> None:
    project = _project(tmp_path, media)
    locked, unlocked, picture = (_track(project, name) for name in ("A1", "A2", "V1"))
    assert EDITS[edit](project, media[0]) == 0
    assert _track(project, "A1") == locked
    # the same edit does change the same material on a track that is not locked
    assert _track(project, "A2") != unlocked
    if edit != "close-gaps":  # V1 has no gaps
        assert _track(project, "V1") != picture


@pytest.mark.parametrize(
    "command",
    [
        ["extract-range", "--from", "2", "--to", "6", "-t", "A1"],
        ["close-gaps", "-t", "A2", "-t", "A1"],
    ],
)
def test_a_locked_track_named_by_an_all_tracks_edit_is_refused(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    project = _project(tmp_path, media)
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["edit", str(project), *command]) == 2
    assert "track A1 is locked" in capsys.readouterr().err
    assert project.read_bytes() == before


def test_every_track_locked_is_refused_not_a_silent_nothing(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, media)
    for track in ("V1", "A2"):
        assert main(["track", "lock", str(project), track]) == 0
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["edit", str(project), "close-gaps"]) == 2
    assert "every track is locked" in capsys.readouterr().err
    with pytest.raises(EditError, match="every track is locked"):
        ops.Project(project).apply(ops.JumpCut(((2, 4),)))
    assert project.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [
        ["extract", "-t", "V1", "--at", "3", "--sync"],
        ["extract", "-t", "V1", "--at", "3"],
        ["lift", "-t", "V1", "--at", "3"],
        ["split", "-t", "V1", "--at", "4"],
        ["trim", "-t", "V1", "--at", "3", "--edge", "out", "--by", "-2"],
        ["roll", "-t", "V1", "--at", "10", "--by", "-2"],
        ["slip", "-t", "V1", "--at", "3", "--by", "2"],
        ["move", "-t", "V1", "--at", "3", "--to", "60"],
        ["freeze", "-t", "V1", "--at", "3", "--frames", "5"],
        ["speed", "-t", "V1", "--at", "3", "--percent", "50"],
        ["unlink", "-t", "V1", "--at", "3"],
    ],
)
def test_a_linked_partner_on_a_locked_track_refuses_the_edit(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    project = _project(tmp_path, media, link=True)
    before = project.read_bytes()
    capsys.readouterr()
    assert main(["edit", str(project), *command]) == 2
    err = capsys.readouterr().err
    assert "track A1 is locked" in err and "linked to the clip this edit changes" in err, err
    assert "postprod track lock PROJECT A1 --off" in err
    assert project.read_bytes() == before


def test_unlinked_the_same_edit_leaves_the_locked_partner_alone(
    tmp_path: Path, media: tuple[Path, Path]
) -> None:
    project = _project(tmp_path, media, link=True)
    locked = _track(project, "A1")
    command = ["edit", str(project), "extract", "-t", "V1", "--at", "3", "--sync", "--unlinked"]
    assert main(command) == 0
    assert _track(project, "A1") == locked
