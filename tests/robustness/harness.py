"""Run a command as a user would and judge the outcome by the error contract.

A case is *handled* when the command either succeeds (exit 0) or refuses with
exactly one ``error:`` line on stderr and exit status 2 - no traceback, no
"internal error" - and leaves no file behind that it did not report writing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from postprod.cli import main


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command left: its status, its two streams and the folder's new files."""

    status: int
    out: str
    err: str
    new_files: tuple[str, ...] = ()

    def problems(self, *, allowed: Iterable[str] = ()) -> list[str]:
        """What breaks the contract (empty: handled)."""
        found = []
        lines = self.err.splitlines()
        if "Traceback" in self.err or "internal error" in self.err:
            found.append(f"internal failure: {self.err.strip()[-300:]}")
        if self.status == 2:
            if len(lines) != 1 or not lines[0].startswith("error: "):
                found.append(f"not one error line: {self.err!r}")
        elif self.status != 0:
            found.append(f"exit status {self.status}: {self.err.strip()[-300:]}")
        left = [name for name in self.new_files if name not in set(allowed)]
        if self.status != 0 and left:
            found.append(f"left behind after a refusal: {left}")
        if self.status == 0:
            partial = [name for name in self.new_files if ".partial" in name or ".part" in name]
            if partial:
                found.append(f"temporary files left: {partial}")
        return found


def snapshot(folder: Path) -> set[str]:
    """Every path under ``folder`` (relative), to see what a command added."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def run(
    args: Sequence[str], capsys: pytest.CaptureFixture[str], *, watch: Path | None = None
) -> Outcome:
    """Run ``postprod ARGS`` in this process (quick), watching ``watch`` for new files."""
    before = snapshot(watch) if watch is not None else set()
    capsys.readouterr()
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    after = snapshot(watch) if watch is not None else set()
    return Outcome(status, captured.out, captured.err, tuple(sorted(after - before)))


def run_process(
    args: Sequence[str], *, cwd: Path, timeout_s: float = 120, watch: Path | None = None
) -> Outcome:
    """Run ``postprod ARGS`` in a child process (for crashes, signals and concurrency)."""
    before = snapshot(watch) if watch is not None else set()
    done = subprocess.run(
        [sys.executable, "-m", "postprod", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, "PYTHONFAULTHANDLER": "0"},
    )
    after = snapshot(watch) if watch is not None else set()
    status = done.returncode
    if status < 0:  # killed by a signal (a segfault is -11)
        status = 128 + abs(status)
        err = done.stderr + f"\nkilled by {signal.Signals(abs(done.returncode)).name}"
        return Outcome(status, done.stdout, "Traceback-like crash: " + err, ())
    return Outcome(status, done.stdout, done.stderr, tuple(sorted(after - before)))


def assert_handled(outcome: Outcome, *, allowed: Iterable[str] = ()) -> None:
    """Fail with every broken promise listed."""
    problems = outcome.problems(allowed=allowed)
    assert not problems, "; ".join(problems)
