"""Processes at once lose nothing: edits of one project queue, log entries all land."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from postprod.project import History, load_project

from . import hostile


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "postprod", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_four_edits_of_one_project_at_once_keep_four_markers(
    tmp_path: Path, record_property
) -> None:
    record_property("kind", "concurrency")
    project = hostile.project(tmp_path)
    runs = [
        _start(["edit", str(project), "add-marker", "--at", str(i), "--name", f"m{i}"], tmp_path)
        for i in range(4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    markers = sorted(m.name for m in load_project(project).tracks.markers)
    assert markers == ["m0", "m1", "m2", "m3"]
    history = History(project)
    assert [e.event for e in history.events()] == ["edit"] * 4
    # every journalled state is a project, and undo walks back through all four
    for _ in range(4):
        history.undo()
    assert not list(load_project(project).tracks.markers)


@pytest.mark.long
def test_eight_writers_of_the_studio_log_lose_nothing(tmp_path: Path, record_property) -> None:
    record_property("kind", "concurrency")
    log = tmp_path / "studio.sqlite3"
    env = {**os.environ, "POSTPROD_LOG": str(log)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "postprod", "log", "add", "--kind", "note", "--note", f"n{i}"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    shown = subprocess.run(
        [sys.executable, "-m", "postprod", "log", "show", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    notes = sorted(entry["note"] for entry in json.loads(shown.stdout))
    assert notes == [f"n{i}" for i in range(8)]
    verified = subprocess.run(
        [sys.executable, "-m", "postprod", "log", "verify"], env=env, capture_output=True
    )
    assert verified.returncode == 0
