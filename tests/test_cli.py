"""The command line's front door and error contract, and the tc commands."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from postprod import __version__
from postprod.cli import app, main
from postprod.cli.commands import COMMANDS


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"postprod {__version__}"


def test_help_lists_every_command_with_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    group = typer.main.get_command(app)
    names = group.list_commands(None)  # type: ignore[attr-defined, arg-type]
    assert {"tc", "probe", "render", "demo"} <= set(names)
    for name in names:
        command = group.get_command(None, name)  # type: ignore[attr-defined, arg-type]
        summary = " ".join((command.help or "").split("\n\n")[0].split())
        assert summary, f"command {name} has no description"
        assert COMMANDS[name].summary == summary, f"the registry's line for {name} differs"
        assert name in out and summary.split()[0] in out


def test_tc_frames_and_timecode(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tc", "frames", "00:01:00;02", "--rate", "29.97"]) == 0
    assert capsys.readouterr().out.strip() == "1800"
    assert main(["tc", "timecode", "1800", "--rate", "29.97"]) == 0
    assert capsys.readouterr().out.strip() == "00:01:00;02"
    assert main(["tc", "timecode", "1800", "--rate", "29.97", "--ndf"]) == 0
    assert capsys.readouterr().out.strip() == "00:01:00:00"
    assert main(["tc", "frames", "01:00:00:00", "--rate", "25"]) == 0
    assert capsys.readouterr().out.strip() == "90000"


def test_a_user_mistake_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tc", "frames", "00:01:00;00", "--rate", "29.97"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: timecode '00:01:00;00' does not exist at 29.97df")
    assert main(["tc", "frames", "01:00:00:00", "--rate", "fast"]) == 2
    assert "frame rate 'fast' is not a rate" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err


def test_the_console_script_exits_with_the_status() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "postprod", "tc", "frames", "99:00:00:00", "--rate", "25"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_an_internal_failure_is_status_1_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import postprod.cli.probe as probe_command

    monkeypatch.setattr(probe_command, "probe", _explode)
    assert main(["probe", "anything.mp4"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: boom" in err and "--debug" in err
    assert "Traceback" not in err
    assert main(["--debug", "probe", "anything.mp4"]) == 1
    assert "Traceback" in capsys.readouterr().err
