"""Stopped, killed and starved runs: no file under the final name, the previous output and
the sources intact, leftovers removed by the next run. These are the ``long`` cases."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import opentimelineio as otio
import pytest

from postprod.project import History, load_project
from postprod.timeline.model import media_clip, rational_time

from . import hostile

pytestmark = pytest.mark.long


def _sums(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if p.is_file() and ".partial" not in p.name
    }


def _long_project(folder: Path, seconds: int) -> Path:
    """A project whose A1 plays a ``seconds``-long sound (a mix that takes a while)."""
    hostile.good_wav(folder / "long.wav", seconds=seconds)
    timeline = otio.schema.Timeline("long", global_start_time=rational_time(0, hostile.RATE))
    a1 = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    frames = seconds * 25
    a1.append(
        media_clip(
            Path("long.wav"),
            name="long",
            rate=hostile.RATE,
            available_frames=frames,
            duration=frames,
        )
    )
    timeline.tracks.append(a1)
    path = folder / "long.otio"
    otio.adapters.write_to_file(timeline, str(path), adapter_name="otio_json")
    return path


def _start(args: list[object], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "postprod", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_partial(folder: Path, run: subprocess.Popen[str], timeout_s: float = 60) -> bool:
    """True once a temporary appears (the run is writing); False if it ended first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and run.poll() is None:
        if any(".partial" in p.name for p in folder.iterdir()):
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize(
    ("sent", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_a_stopped_mix_leaves_the_previous_output(
    sent: signal.Signals, status: int, tmp_path: Path, record_property
) -> None:
    record_property("kind", "interrupt and kill")
    project = _long_project(tmp_path, 120)
    out = tmp_path / "mix.wav"
    out.write_bytes(b"the previous mix")
    before = _sums(tmp_path)
    run = _start(["mix", project, "-o", out], tmp_path)
    if not _wait_for_partial(tmp_path, run):
        pytest.skip("the mix ended before it could be interrupted")
    run.send_signal(sent)
    _, err = run.communicate(timeout=60)
    assert run.returncode == status, err
    assert err == "interrupted\n"
    assert _sums(tmp_path) == before  # previous output and sources unchanged
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_a_killed_mix_leaves_a_temporary_the_next_run_removes(
    tmp_path: Path, record_property
) -> None:
    record_property("kind", "interrupt and kill")
    project = _long_project(tmp_path, 120)
    out = tmp_path / "mix.wav"
    run = _start(["mix", project, "-o", out], tmp_path)
    if not _wait_for_partial(tmp_path, run):
        pytest.skip("the mix ended before it could be killed")
    run.kill()
    run.communicate(timeout=60)
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if ".partial" in p.name]  # SIGKILL: no clean-up
    short = _long_project(tmp_path / "again", 1) if (tmp_path / "again").mkdir() is None else None
    assert short is not None
    # the same output, a quick mix: the killed run's temporary goes
    done = _start(["mix", short, "-o", out], tmp_path)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert out.exists() and not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_a_render_stopped_by_sigterm_leaves_nothing(tmp_path: Path, record_property) -> None:
    record_property("kind", "interrupt and kill")
    hostile.good_video(tmp_path / "cam.mp4")
    project = hostile.project(tmp_path)
    timeline = load_project(project)
    v1 = timeline.video_tracks()[0]
    for _ in range(40):  # 40 s of picture
        v1.append(
            media_clip(
                Path("cam.mp4"), name="cam", rate=hostile.RATE, available_frames=25, duration=25
            )
        )
    otio.adapters.write_to_file(timeline, str(project), adapter_name="otio_json")
    before = _sums(tmp_path)
    run = _start(["render", project, "-o", tmp_path / "out.mp4"], tmp_path)
    if not _wait_for_partial(tmp_path, run):
        pytest.skip("the render ended before it could be stopped")
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 143 and err == "interrupted\n"
    assert _sums(tmp_path) == before and not (tmp_path / "out.mp4").exists()


def test_sigterm_keeps_a_recording_take(tmp_path: Path, record_property) -> None:
    record_property("kind", "interrupt and kill")
    project = hostile.project(tmp_path)
    source = hostile.good_wav(tmp_path / "in.wav", seconds=20)
    run = _start(
        ["record", project, "-t", "A1", "--input", f"file:{source}", "--realtime"], tmp_path
    )
    if not _wait_for_partial(tmp_path, run):
        pytest.skip("the recording ended before it could be stopped")
    time.sleep(0.5)
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=60)
    assert "Traceback" not in err
    takes = list(tmp_path.glob("A1_take*.wav"))
    assert len(takes) == 1 and takes[0].stat().st_size > 44
    names = [c.name for c in load_project(project).find_clips()]
    assert any("take" in name for name in names), (names, out, err)
    assert History(project).events()[-1].event == "edit"


def test_ctrl_c_at_start_up_is_one_line(tmp_path: Path, record_property) -> None:
    record_property("kind", "interrupt and kill")
    for delay_s in (0.2, 0.4, 0.7, 1.0):
        run = _start(["probe", "--help"], tmp_path)
        time.sleep(delay_s)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
        if "Traceback" in err and "src/postprod/cli/__init__.py" not in err:
            continue  # the interpreter's own start, before any of postprod's code runs
        assert "Traceback" not in err and len(err.splitlines()) <= 1, err


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (needs root and mount); skipped, saying why, where it cannot be made."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small tmpfs: mount needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize(
    "command",
    [
        ["normalize", "{W}", "-o", "{S}/out.wav", "--target", "-23"],
        [
            "tc",
            "ltc",
            "encode",
            "--start",
            "01:00:00:00",
            "-r",
            "25",
            "--duration",
            "60",
            "-o",
            "{S}/out.wav",
        ],
        ["mix", "{P}", "-o", "{S}/out.wav", "--tail", "30"],
        ["export", "{P}", "-o", "{S}/out.otio"],
    ],
    ids=["normalize", "ltc-encode", "mix", "export-after-filling"],
)
def test_a_full_disk_is_one_line_naming_the_file(
    command: list[str], tmp_path: Path, small_disk: Path, record_property
) -> None:
    record_property("kind", "full disk")
    project = hostile.project(tmp_path)
    wav = hostile.good_wav(tmp_path / "long.wav", seconds=20)
    if "export" in command:
        filler = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill the disk to the last block
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(filler)
    args = [
        a.replace("{W}", str(wav)).replace("{S}", str(small_disk)).replace("{P}", str(project))
        for a in command
    ]
    run = _start(args, tmp_path)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "out." in err
    assert "space" in err
    assert sorted(p.name for p in small_disk.iterdir()) == (
        ["filler"] if "export" in command else []
    )


def test_edits_killed_at_any_moment_leave_a_loadable_project(
    tmp_path: Path, record_property
) -> None:
    record_property("kind", "interrupt and kill")
    project = hostile.project(tmp_path)
    rng = random.Random(21)
    for attempt in range(6):
        run = _start(
            ["edit", project, "add-marker", "--at", str(attempt), "--name", f"m{attempt}"],
            tmp_path,
        )
        time.sleep(rng.uniform(0.2, 1.5))
        run.kill()
        run.communicate(timeout=60)
        # whatever the moment: the project loads, and the next edit journals cleanly
        timeline = load_project(project)
        names = {m.name for m in timeline.tracks.markers}
        assert names <= {f"m{i}" for i in range(attempt + 1)}
    done = _start(["edit", project, "add-marker", "--at", "9", "--name", "last"], tmp_path)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    history = History(project)
    assert history.events()[-1].event == "edit"
    history.undo()
    assert "last" not in {m.name for m in load_project(project).tracks.markers}
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]
