"""A whole job on the command line alone, from nothing to a delivered master and a programme:
a new project, its tracks, media edited in, the console set, titles, a delivery, a render.
Every step is a ``postprod`` command; the results are decoded and measured."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from media_factory import tone, write_video, write_wav
from postprod.cli import main
from postprod.media.probe import probe
from postprod.qc.loudness import measure

RATE_HZ = 48000


def _run(*argv: str) -> None:
    status = main(list(argv))
    assert status == 0, f"postprod {' '.join(argv)} exited {status}"


def _rms_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples, dtype=np.float64))) + 1e-12))


@pytest.fixture()
def rushes(tmp_path: Path) -> Path:
    """What arrives from the shoot: two camera files with sound, a line, a music cue."""
    folder = tmp_path / "rushes"
    folder.mkdir()
    write_video(folder / "cam_a.mp4", frames=75, tone_hz=440.0, start_timecode="14:00:00:00")
    write_video(folder / "cam_b.mp4", frames=75, tone_hz=660.0, colour=(200, 40, 40))
    line = tone(RATE_HZ * 2, RATE_HZ, 1000.0, level=0.3)
    write_wav(folder / "line.wav", line, RATE_HZ)
    music = tone(RATE_HZ * 6, RATE_HZ, 220.0, channels=2, level=0.3)
    write_wav(folder / "music.wav", music, RATE_HZ)
    return folder


def test_a_job_from_nothing_to_a_delivered_master(
    tmp_path: Path, rushes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "job" / "job.otio"
    job.parent.mkdir()
    p = str(job)
    _run("new", p, "--rate", "25", "--start", "10:00:00:00", "--name", "The Job",
         "--size", "320x180", "--sample-rate", "48000")  # fmt: skip
    _run("track", "add", p, "--audio", "DIA", "--layout", "mono")
    _run("track", "add", p, "--audio", "MX", "--layout", "stereo")
    _run("track", "remove", p, "A2")
    _run("track", "rename", p, "A1", "FX")

    # the picture: A (from its own timecode 14:00:00:10), then B, dissolved; a title over B
    _run("edit", p, "append", "-t", "V1", "-m", str(rushes / "cam_a.mp4"),
         "--in", "14:00:00:10", "--duration", "50")  # fmt: skip
    _run("edit", p, "append", "-t", "V1", "-m", str(rushes / "cam_b.mp4"),
         "--in", "10", "--duration", "50")  # fmt: skip
    _run("edit", p, "add-transition", "-t", "V1", "--at", "10:00:02:00", "--frames", "10")
    _run("edit", p, "title", "THE END", "--at", "10:00:03:00", "--frames", "25",
         "--style", "centre")  # fmt: skip
    # the sound: the line on DIA at one second, music under everything
    _run("edit", p, "overwrite", "-t", "DIA", "--at", "10:00:01:00", "-m", str(rushes / "line.wav"))
    _run("edit", p, "append", "-t", "MX", "-m", str(rushes / "music.wav"), "--duration", "100")
    # the console: the music down and faded in, a reverb bus fed from the dialogue
    _run("mixer", p, "set", "--track", "MX", "--gain-db", "-6", "--pan", "-0.2")
    _run("mixer", p, "bus", "add", "VERB")
    _run("mixer", p, "insert", "add", "--bus", "VERB", "reverb", "room_size=0.3")
    _run("mixer", p, "send", "add", "--track", "DIA", "--bus", "VERB", "--level-db", "-12")
    _run("mixer", p, "insert", "add", "--track", "DIA", "highpass", "cutoff_frequency_hz=80")
    _run("clip", p, "fade-in", "-t", "MX", "--at", "10:00:00:00", "--frames", "25")
    capsys.readouterr()

    # what the project says now
    _run("mixer", p, "show", "--json")
    console = json.loads(capsys.readouterr().out)
    strips = {strip["name"]: strip for strip in console["tracks"]}
    assert set(strips) == {"FX", "DIA", "MX"}
    assert strips["MX"]["gain_db"] == -6 and strips["MX"]["pan"] == -0.2
    assert (strips["DIA"]["layout"], strips["MX"]["layout"]) == ("mono", "stereo")
    assert [i["effect"] for i in strips["DIA"]["inserts"]] == ["highpass"]
    assert strips["DIA"]["sends"] == [{"bus": "VERB", "level_db": -12.0, "pre_fader": False}]
    assert [bus["name"] for bus in console["buses"]] == ["VERB"]
    _run("inspect", p, "--json")
    shown = json.loads(capsys.readouterr().out)
    assert shown["start_timecode"] == "10:00:00:00" and shown["duration_frames"] == 100
    _run("edit", p, "history")
    assert capsys.readouterr().out.count("edit") >= 15  # every step is one undoable edit

    # delivery: the sound mastered to EBU R 128 and checked
    out = tmp_path / "delivery"
    _run("deliver", p, "--preset", "ebu-r128", "-o", str(out))
    (master,) = out.glob("*.wav")
    sound, rate = soundfile.read(master, dtype="float32", always_2d=True)
    assert rate == RATE_HZ and sound.shape[0] == 4 * RATE_HZ  # 100 frames at 25 fps
    loudness = measure(sound.T, rate)
    assert abs(loudness.integrated_lufs + 23.0) < 0.5
    (report,) = out.glob("*.qc.json")
    assert json.loads(report.read_text())["passed"] is True

    # the programme: picture and sound, at the project's size and start timecode
    programme = tmp_path / "job.mp4"
    _run("render", p, "-o", str(programme))
    info = probe(programme)
    assert info.start_timecode == "10:00:00:00"
    with av.open(str(programme)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 100 and frames[0].shape == (180, 320, 3)
    mid_b = frames[65].astype(int)  # B alone (red), before the title
    assert mid_b[..., 0].mean() > 120 and mid_b[..., 1].mean() < 90
    titled = frames[90].astype(int)
    assert titled.max() > 230  # white letters of the title over B

    # the mix follows the console: music at 220 Hz panned left of centre, faded in
    mix = tmp_path / "mix.wav"
    _run("mix", p, "-o", str(mix))
    mixed, _ = soundfile.read(mix, dtype="float32", always_2d=True)
    first_tenth = mixed[: RATE_HZ // 10]
    settled = mixed[int(0.6 * RATE_HZ) : int(0.9 * RATE_HZ)]
    assert _rms_db(first_tenth) < _rms_db(settled) - 10  # the fade in
    left, right = _rms_db(settled[:, 0]), _rms_db(settled[:, 1])
    assert left > right  # panned left

    # and all of it can be taken back, step by step
    for _ in range(3):
        _run("edit", p, "undo")
    capsys.readouterr()
    _run("mixer", p, "show", "--json")
    undone = json.loads(capsys.readouterr().out)
    dia = next(s for s in undone["tracks"] if s["name"] == "DIA")
    assert dia["inserts"] == [] and dia["sends"] == []
