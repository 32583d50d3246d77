"""Hostile interchange files, runaway nesting, and names no one expects."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from . import hostile
from .harness import assert_handled, run, run_process


def test_billion_laughs_is_refused_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "interchange: hostile XML")
    source = tmp_path / "laughs.xml"
    source.write_text(hostile.BILLION_LAUGHS)
    outcome = run(["import", source, "-o", tmp_path / "out.otio"], capsys, watch=tmp_path)
    assert_handled(outcome)
    assert outcome.status == 2 and "lollol" not in outcome.out + outcome.err


def test_an_external_entity_never_reaches_an_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "interchange: hostile XML")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-PASSWORD")
    source = tmp_path / "xxe.xml"
    source.write_text(hostile.xxe(secret))
    out = tmp_path / "out.otio"
    outcome = run(["import", source, "-o", out], capsys, watch=tmp_path)
    assert_handled(outcome, allowed=["out.otio", "out.otio.history"])
    written = "".join(p.read_text() for p in tmp_path.rglob("*.otio"))
    assert "TOPSECRET" not in outcome.out + outcome.err + written


@pytest.mark.parametrize(
    "member", ["../escaped.wav", "/tmp/robustness-absolute.wav", "media/../../up.wav"]
)
def test_otioz_members_never_land_outside_the_target(
    member: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "interchange: .otioz paths")
    inner = tmp_path / "inner"
    inner.mkdir()
    good = hostile.project(inner)
    work = tmp_path / "work"
    work.mkdir()
    bundle = hostile.otioz(work / "show.otioz", member, good)
    with zipfile.ZipFile(bundle) as check:
        assert member in check.namelist()
    before = {p.name for p in tmp_path.iterdir()}
    outcome = run(["import", bundle, "-o", work / "out.otio"], capsys, watch=work)
    assert_handled(outcome, allowed=[n for n in outcome.new_files if n.startswith("out.otio")])
    assert {p.name for p in tmp_path.iterdir()} == before
    assert not Path("/tmp/robustness-absolute.wav").exists()


@pytest.mark.parametrize("command", ["inspect", "mix"])
def test_runaway_nesting_is_an_error_not_a_crash(
    command: str, tmp_path: Path, record_property
) -> None:
    record_property("kind", "project: nested stacks")
    project = hostile.nested_project(tmp_path, 50_000)
    args = [command, project] + (["-o", tmp_path / "out.wav"] if command == "mix" else [])
    outcome = run_process(args, cwd=tmp_path, watch=tmp_path)  # a segfault would kill pytest
    assert_handled(outcome)
    assert outcome.status == 2


NAMES = {
    "unicode": "Szene 1 – Ödön ✓ 日本",
    "spaces": "my take  final",
    "newline": "two\nlines",
    "leading-dash": "-o",
    "escape-sequence": "red\x1b[31mtext",
}


@pytest.mark.parametrize("kind", list(NAMES))
def test_names_nobody_expects(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property
) -> None:
    record_property("kind", "names: unicode, spaces, newlines")
    name = NAMES[kind]
    folder = tmp_path / name
    folder.mkdir()
    project = hostile.project(folder, f"{name}.otio")
    wav = hostile.good_wav(folder / f"{name}.wav")
    for args in (
        ["loudness", "--", wav] if kind == "leading-dash" else ["loudness", wav],
        ["mix", project, "-o", folder / f"{name} mix.wav"],
        ["inspect", project],
        ["edit", project, "add-marker", "--at", "0", "--name", name],
        ["probe", folder / f"missing {name}.wav"],
    ):
        outcome = run(args, capsys)
        assert_handled(outcome)
        assert len(outcome.err.splitlines()) <= 1 and "\x1b" not in outcome.err
