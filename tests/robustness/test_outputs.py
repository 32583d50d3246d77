"""Outputs never destroy inputs: refused before anything is opened for writing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from postprod.atomic import sweep_partials

from . import hostile
from .harness import assert_handled, run


def _sums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


#: A writing command and the input its output is pointed at.
OVER_AN_INPUT: dict[str, list[str]] = {
    "render-over-camera-file": ["render", "{P}", "-o", "{D}/cam.mp4", "--proxy"],
    "render-over-project": ["render", "{P}", "-o", "{P}", "--proxy"],
    "render-contact-sheet-over-project": [
        "render",
        "{P}",
        "-o",
        "{D}/x.mp4",
        "--proxy",
        "--contact-sheet",
        "{P}",
    ],
    "mix-over-sound-file": ["mix", "{P}", "-o", "{D}/dx.wav"],
    "mix-over-project": ["mix", "{P}", "-o", "{P}"],
    "inspect-png-over-project": ["inspect", "{P}", "--png", "{P}"],
    "export-over-project": ["export", "{P}", "-o", "{P}"],
    "export-over-camera-file": ["export", "{P}", "-o", "{D}/cam.mp4"],
    "relink-over-project": ["relink", "{P}", "--search", "{D}", "-o", "{P}"],
    "import-over-source": ["import", "{P}", "-o", "{P}"],
    "adr-over-guide": ["adr", "align", "{D}/dx.wav", "{D}/dx2.wav", "-o", "{D}/dx.wav"],
    "normalize-over-source": ["normalize", "{D}/dx.wav", "-o", "{D}/dx.wav", "--target", "-23"],
    "clean-over-source": ["clean", "{D}/dx.wav", "-o", "{D}/dx.wav"],
    "fx-over-source": ["fx", "apply", "{D}/dx.wav", "-o", "{D}/dx.wav", "--preset", "telephone"],
    "fx-over-hard-link": [
        "fx",
        "apply",
        "{D}/dx.wav",
        "-o",
        "{D}/link.wav",
        "--preset",
        "telephone",
    ],
    "render-into-missing-folder": ["render", "{P}", "-o", "{D}/nowhere/x.mp4", "--proxy"],
    "mix-onto-a-folder": ["mix", "{P}", "-o", "{D}"],
    "no-clobber-mix": ["--no-clobber", "mix", "{P}", "-o", "{D}/old.wav"],
}


@pytest.mark.parametrize("case", list(OVER_AN_INPUT))
def test_an_output_never_replaces_an_input(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "output over an input")
    project = hostile.project(tmp_path)
    hostile.good_wav(tmp_path / "dx2.wav")
    (tmp_path / "old.wav").write_bytes(b"an earlier mix")
    os.link(tmp_path / "dx.wav", tmp_path / "link.wav")
    before = _sums(tmp_path)
    names = {"{P}": str(project), "{D}": str(tmp_path)}
    args = [names.get(a, a) for a in OVER_AN_INPUT[case]]
    args = [a.replace("{D}", str(tmp_path)) for a in args]
    outcome = run(args, capsys, watch=tmp_path)
    assert_handled(outcome)
    assert outcome.status == 2, outcome.out
    assert _sums(tmp_path) == before


def test_png_render_never_empties_a_folder_of_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "output over an input")
    project = hostile.project(tmp_path)
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.txt").write_text("five years of work")
    outcome = run(["render", project, "-o", keep, "--preset", "png"], capsys, watch=tmp_path)
    assert_handled(outcome)
    assert outcome.status == 2 and (keep / "thesis.txt").read_text() == "five years of work"
    # the project's own folder: refused, the project and media intact
    before = _sums(tmp_path)
    assert run(["render", project, "-o", tmp_path, "--preset", "png"], capsys).status == 2
    assert _sums(tmp_path) == before


def test_png_render_replaces_its_own_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "output over an input")
    project = hostile.project(tmp_path)
    out = tmp_path / "frames"
    for _ in range(2):
        outcome = run(["render", project, "-o", out, "--preset", "png"], capsys, watch=tmp_path)
        assert_handled(outcome)
        assert outcome.status == 0
    assert len(list(out.glob("frames_*.png"))) == 25
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_record_refuses_a_track_name_that_leaves_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "path escape")
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    project = hostile.project(folder)
    source = hostile.good_wav(folder / "in.wav")
    outside = snapshot_outside = sorted(p.name for p in tmp_path.iterdir())
    outcome = run(
        ["record", project, "-t", "../../x", "--input", f"file:{source}", "--duration", "0.5"],
        capsys,
        watch=tmp_path,
    )
    assert_handled(outcome)
    assert outcome.status == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == outside == snapshot_outside


def test_a_killed_runs_temporary_is_removed_by_the_next_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "leftovers of a killed run")
    project = hostile.project(tmp_path)
    dead = tmp_path / ".mix.wav.999999999.partial.wav"  # no such pid
    dead.write_bytes(b"half a mix")
    alive = tmp_path / f".mix.wav.{os.getppid()}.partial.wav"  # a running process's
    alive.write_bytes(b"someone else's")
    outcome = run(["mix", project, "-o", tmp_path / "mix.wav"], capsys)
    assert_handled(outcome)
    assert outcome.status == 0 and not dead.exists() and alive.exists()
    alive.unlink()
    assert sweep_partials(tmp_path / "mix.wav") == []


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_outputs_follow_the_users_umask(
    umask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "stored and served")
    project = hostile.project(tmp_path)
    old = os.umask(umask)
    try:
        for args, out in (
            (["mix", project, "-o", tmp_path / "m.wav"], "m.wav"),
            (["export", project, "-o", tmp_path / "e.otio"], "e.otio"),
            (
                ["normalize", tmp_path / "dx.wav", "-o", tmp_path / "n.wav", "--target", "-23"],
                "n.wav",
            ),
        ):
            assert run(args, capsys).status == 0
            assert (tmp_path / out).stat().st_mode & 0o777 == 0o666 & ~umask, out
    finally:
        os.umask(old)


def test_a_log_password_is_never_echoed(
    capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "stored and served")
    url = "postgresql://editor:s3cret-pw@127.0.0.1:1/studio"
    outcome = run(["log", "show", "--log", url], capsys)
    assert_handled(outcome)
    assert outcome.status == 2 and "s3cret-pw" not in outcome.out + outcome.err
