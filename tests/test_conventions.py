"""Conventions every command keeps, checked on every command the CLI has (found by walking
the command tree, so a new command is checked without being listed here):

- ``--help`` works with no project existing (a group whose first argument is a project
  is given ``missing.otio``);
- a usage error prints exactly one line, ``error: ...``, on stderr and exits 2;
- a channel number is counted from 1, and its help says so;
- a plain command, and the help of the commands that run engines, do not import the heavy
  libraries.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer

from postprod.cli import app, main

PLACEHOLDER = "missing.otio"  # an argument a group takes before its subcommands: never exists
HEAVY = ("scipy", "pedalboard", "numba", "matplotlib", "av")
BROADCAST_CHANNELS = ("log", "broadcast")  # their --channel names a TV channel, not a track's


def _arguments(command: Any) -> list[str]:
    """Placeholders for the positional arguments a group reads before its subcommand."""
    return [PLACEHOLDER for p in command.params if p.param_type_name == "argument"]


def walk() -> Iterator[tuple[tuple[str, ...], list[str], Any]]:
    """Every command and group: (its names, the argv that reaches it, the command)."""
    root = typer.main.get_command(app)
    stack: list[tuple[tuple[str, ...], list[str], Any, Any]] = [
        ((), [], root, typer.Context(root, info_name="postprod"))
    ]
    while stack:
        names, argv, group, ctx = stack.pop()
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"{' '.join((*names, name))} is listed but not found"
            path, reach = (*names, name), [*argv, name]
            yield path, reach, command
            if hasattr(command, "list_commands"):
                sub_ctx = typer.Context(command, parent=ctx, info_name=name)
                stack.append((path, reach + _arguments(command), command, sub_ctx))


@functools.cache
def commands() -> list[tuple[tuple[str, ...], list[str], Any]]:
    """The walk, once per session (it imports every command's module)."""
    return list(walk())


def test_the_walk_finds_groups_and_their_subcommands() -> None:
    paths = {" ".join(path) for path, _, _ in commands()}
    assert {"tc", "tc ltc", "tc ltc decode", "tc frames", "edit", "inspect"} <= paths
    assert any(path[0] == "edit" and len(path) == 2 for path, _, _ in commands())


def test_every_command_has_help_without_a_project(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # missing.otio really is missing
    failures = []
    for _, argv, _ in commands():
        status = main([*argv, "--help"])
        captured = capsys.readouterr()
        if status != 0 or "Usage:" not in captured.out:
            failures.append(f"postprod {' '.join(argv)} --help: exit {status}: {captured.err!r}")
    assert not failures, "\n".join(failures)
    assert not (tmp_path / PLACEHOLDER).exists()


def test_every_usage_error_is_one_line_and_exit_2(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    failures = []
    for _, argv, command in commands():
        # A group reads its own arguments first: the unknown option goes after them.
        args = [*argv, *(_arguments(command) if hasattr(command, "list_commands") else [])]
        status = main([*args, "--no-such-option"])
        err = capsys.readouterr().err
        lines = err.splitlines()
        if status != 2 or len(lines) != 1 or not lines[0].startswith("error:"):
            failures.append(f"postprod {' '.join(args)} --no-such-option: exit {status}: {err!r}")
    assert not failures, "\n".join(failures)


def test_every_channel_option_counts_from_1() -> None:
    missing = [
        f"postprod {' '.join(path)} {param.opts[0]}"
        for path, _, command in commands()
        if path[0] not in BROADCAST_CHANNELS
        for param in command.params
        if "channel" in (param.name or "") and "counted from 1" not in (param.help or "")
    ]
    assert not missing, "say 'counted from 1' in the help of: " + ", ".join(missing)


def test_a_timecode_command_does_not_load_the_heavy_libraries() -> None:
    """``postprod tc frames`` starts without SciPy, pedalboard, Numba, matplotlib or PyAV."""
    code = (
        "import sys; from postprod.cli import main; "
        "main(['tc', 'frames', '01:00:00:00', '--rate', '25']); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == ["90000", "[]"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["edit", PLACEHOLDER, "split", "--help"],
        ["mixer", PLACEHOLDER, "show", "--help"],
        ["mix", "--help"],
        ["render", "--help"],
        ["sync", "--help"],
        ["sfx", "--help"],
    ],
    ids=" ".join,
)
def test_help_does_not_load_the_heavy_libraries(argv: list[str]) -> None:
    """A command's help is built from light modules: its engines load when it runs."""
    code = (
        f"import sys; from postprod.cli import main; main({argv!r}); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Usage" in done.stdout
    assert done.stdout.splitlines()[-1] == "[]"


def test_editing_does_not_load_numpy() -> None:
    """The operations, the timeline model and the project file need no NumPy to import."""
    modules = ("postprod.cli.edit", "postprod.operations", "postprod.timeline", "postprod.project")
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
        f"print(sorted(m for m in ('numpy', *{HEAVY!r}) if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == ["[]"]


def test_no_test_imports_the_command_line_module_by_its_path() -> None:
    """``postprod.cli.main`` is the entry point's function; importing the module of that
    name (``from postprod.cli.main import ...``) rebinds the package's ``main`` to the module,
    and every later ``from postprod.cli import main`` in the same test process gets a module
    ('module' object is not callable). Tests take ``main`` and ``app`` from ``postprod.cli``."""
    from pathlib import Path

    tests = Path(__file__).parent
    offenders = [
        str(path.relative_to(tests))
        for path in sorted(tests.rglob("*.py"))
        if path.name != Path(__file__).name
        and any(
            pattern in path.read_text(encoding="utf-8")
            for pattern in ("from postprod.cli.main import", "import postprod.cli.main")
        )
    ]
    assert offenders == []
