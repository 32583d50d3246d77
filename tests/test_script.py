"""``postprod edit P --script FILE``: many operations in one process, one undo step, all or nothing."""

from __future__ import annotations

import io
from pathlib import Path

import opentimelineio as otio
import pytest

from media_factory import write_video
from postprod.cli import main
from postprod.project import History, load_project, save_project


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    write_video(tmp_path / "a.mp4", frames=50, audio=False)
    write_video(tmp_path / "b.mp4", frames=50, audio=False)
    timeline = otio.schema.Timeline(
        name="script test", global_start_time=otio.opentime.RationalTime(0, 25)
    )
    timeline.tracks.append(otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video))
    path = tmp_path / "p.otio"
    save_project(timeline, path)
    return path


def _clips(path: Path) -> list[tuple[str, int]]:
    track = load_project(path).tracks[0]
    return [(item.name, int(item.duration().value)) for item in track]


def test_a_script_applies_every_line_as_one_undo_step(project: Path) -> None:
    before = project.read_bytes()
    script = project.with_name("cut.txt")
    script.write_text(
        "# the first assembly\n"
        f"append -t V1 -m {project.parent / 'a.mp4'} --duration 20\n"
        f"append -t V1 -m {project.parent / 'b.mp4'} --in 10 --duration 30\n"
        "\n"
        "split -t V1 --at 10   # the razor\n"
        "add-transition -t V1 --at 20 --frames 6\n"
    )
    assert main(["edit", str(project), "--script", str(script)]) == 0
    assert _clips(project) == [("a", 10), ("a", 10), ("dissolve", 6), ("b", 30)]
    assert main(["edit", str(project), "undo"]) == 0
    assert project.read_bytes() == before  # the whole script was one step
    assert main(["edit", str(project), "redo"]) == 0
    assert [name for name, _ in _clips(project)] == ["a", "a", "dissolve", "b"]


def test_a_failing_line_changes_nothing_and_is_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = project.read_bytes()
    script = project.with_name("bad.txt")
    script.write_text(
        f"append -t V1 -m {project.parent / 'a.mp4'} --duration 20\n"
        "split -t V1 --at 400\n"  # past the end: refused
        f"append -t V1 -m {project.parent / 'b.mp4'}\n"
    )
    assert main(["edit", str(project), "--script", str(script)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: line 2 (split -t V1 --at 400)")
    assert project.read_bytes() == before
    assert not [event for event in History(project).events() if event.event == "edit"]


def test_usage_errors_in_a_script_name_their_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = project.with_name("typo.txt")
    script.write_text("split -t V1 --at 5 --no-such-option\n")
    assert main(["edit", str(project), "--script", str(script)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_a_script_from_stdin(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"append -t V1 -m {project.parent / 'a.mp4'}\n"))
    assert main(["edit", str(project), "--script", "-"]) == 0
    assert _clips(project) == [("a", 50)]


def test_undo_has_no_place_in_a_script(project: Path) -> None:
    script = project.with_name("undo.txt")
    script.write_text("undo\n")
    before = project.read_bytes()
    assert main(["edit", str(project), "--script", str(script)]) == 2
    assert project.read_bytes() == before
