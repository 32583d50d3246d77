"""autocut: pauses found as FFmpeg's silencedetect finds them, jump cuts, shots split apart."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postprod.cli import main
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.project import History, load_project
from postprod.qc.runs import Run
from postprod.qc.silence import find_pauses
from postprod.render.project import render_project
from postprod.timeline.autocut import pause_cuts
from postprod.timeline.slots import slots
from postprod.video import patterns
from postprod.video.patterns import read_barcode
from postprod.workflows.autocut import SilenceSettings, cut_pauses, cut_shots

SR = 48000
FPS = 25
#: (start_s, end_s) of the talk in the test file; the rest is room tone at -60 dBFS.
TALK = ((0.0, 1.0), (1.3, 2.0), (3.0, 3.6), (4.6, 5.0))
LENGTH_S = 5.0


def _dialogue(seed: int = 1) -> np.ndarray:
    """Speech-like bursts (a voiced buzz with noise) where TALK says, room tone elsewhere."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(LENGTH_S * SR)) / SR
    room = rng.normal(0, 10 ** (-60 / 20) / 3, t.size)
    voice = 0.3 * np.sign(np.sin(2 * np.pi * 140 * t)) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    voice += rng.normal(0, 0.05, t.size)
    talking = np.zeros(t.size, bool)
    for start, end in TALK:
        talking[int(start * SR) : int(end * SR)] = True
    mono = np.where(talking, voice, room).astype(np.float32)
    return np.stack([mono, mono])


@pytest.fixture(scope="module")
def talking_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 5 s 320x180 clip whose frames carry their index and whose sound is TALK."""
    path = tmp_path_factory.mktemp("autocut") / "take.mov"
    sound = _dialogue()
    spec = VideoSpec(320, 180, Fraction(FPS), codec="libx264")
    with MediaWriter(path, video=spec, audio=AudioSpec(SR, 2, codec="pcm_s16le")) as writer:
        for index in range(int(LENGTH_S * FPS)):
            writer.write_video(patterns.test_card(320, 180, index, (90, 90, 90)))
            writer.write_audio(sound[:, index * SR // FPS : (index + 1) * SR // FPS])
    return path


def _silencedetect(
    samples: np.ndarray, noise_db: float, duration_s: float
) -> list[tuple[float, float]]:
    """FFmpeg's silencedetect through PyAV: (start_s, end_s) of each silence."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        format="fltp", sample_rate=SR, layout="stereo", time_base=Fraction(1, SR)
    )
    detect = graph.add("silencedetect", f"noise={noise_db}dB:d={duration_s}")
    sink = graph.add("abuffersink")
    source.link_to(detect)
    detect.link_to(sink)
    graph.configure()
    starts: list[float] = []
    ends: list[float] = []

    def drain() -> None:
        while True:
            try:
                frame = sink.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            if "lavfi.silence_start" in frame.metadata:
                starts.append(float(frame.metadata["lavfi.silence_start"]))
            if "lavfi.silence_end" in frame.metadata:
                ends.append(float(frame.metadata["lavfi.silence_end"]))

    for first in range(0, samples.shape[1], 1024):
        block = np.ascontiguousarray(samples[:, first : first + 1024])
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = SR, first, Fraction(1, SR)
        source.push(frame)
        drain()
    source.push(None)
    drain()
    ends += [samples.shape[1] / SR] * (len(starts) - len(ends))
    return list(zip(starts, ends, strict=True))


def test_pauses_agree_with_ffmpeg_silencedetect() -> None:
    samples = _dialogue()
    ours = find_pauses(
        (samples[:, i : i + 10000] for i in range(0, samples.shape[1], 10000)),
        SR,
        threshold_db=-40,
        min_pause_s=0.25,
    )
    theirs = _silencedetect(samples, -40, 0.25)
    assert len(ours) == len(theirs) == 3
    for run, (start_s, end_s) in zip(ours, theirs, strict=True):
        assert abs(run.start / SR - start_s) < 0.001
        assert abs(run.end / SR - end_s) < 0.001
    # and where the test file says the pauses are
    assert [(round(r.start / SR, 2), round(r.end / SR, 2)) for r in ours] == [
        (1.0, 1.3),
        (2.0, 3.0),
        (3.6, 4.6),
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400_000), st.integers(1, 100_000)), max_size=8),
    st.floats(0, 0.3),
    st.sampled_from([Fraction(24), Fraction(25), Fraction(30000, 1001)]),
)
def test_cuts_stay_inside_each_pause_less_its_margins(
    runs: list[tuple[int, int]], margin_s: float, rate: Fraction
) -> None:
    pauses = [Run(start, length) for start, length in sorted(runs)]
    for start, end in pause_cuts(pauses, SR, rate, margin_s=margin_s):
        assert end > start
        cut_start_s, cut_end_s = start / rate, end / rate
        assert any(
            p.start / SR + margin_s - 1e-9 <= cut_start_s
            and cut_end_s <= p.end / SR - margin_s + 1e-9
            for p in pauses
        )


def test_jump_cuts_take_the_pauses_out_of_picture_and_sound(
    talking_head: Path, tmp_path: Path
) -> None:
    result = cut_pauses(talking_head, SilenceSettings(-40, 0.25, 0.1))
    # pauses 1.0-1.3, 2.0-3.0, 3.6-4.6 less 0.1 s each side: frames 28-30, 53-72, 93-112
    assert result.removed == ((28, 30), (53, 72), (93, 112))
    picture = [s for s in slots(result.timeline.tracks[0], Fraction(FPS)) if not s.is_gap]
    sound = [s for s in slots(result.timeline.tracks[1], Fraction(FPS)) if not s.is_gap]
    assert [(s.start, s.length) for s in picture] == [(s.start, s.length) for s in sound]
    project = tmp_path / "cut.otio"
    assert (
        main(["autocut", str(talking_head), "-o", str(project), "--silence", "--min-pause", "0.25"])
        == 0
    )
    out = render_project(project, tmp_path / "cut.mp4")
    assert out.frames == 125 - 2 - 19 - 19
    with av.open(str(out.path)) as container:
        indexes = [read_barcode(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    assert indexes == [*range(0, 28), *range(30, 53), *range(72, 93), *range(112, 125)]


def test_autocut_a_project_in_place_is_one_undoable_edit(
    talking_head: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.otio"
    assert main(["autocut", str(talking_head), "-o", str(project), "--shots"]) == 0
    original = project.read_bytes()
    assert History(project).events() == [] and History(project).folder.is_dir()
    capsys.readouterr()
    assert main(["autocut", str(talking_head), "-o", str(project), "--shots"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "already exists" in err and project.read_bytes() == original
    assert (
        main(
            [
                "autocut",
                str(project),
                "-o",
                str(project),
                "--silence",
                "--min-pause",
                "0.25",
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert len(report["removed_frames"]) == 3
    assert load_project(project).duration().value == 125 - 40
    assert main(["edit", str(project), "undo"]) == 0
    assert project.read_bytes() == original


def test_a_flat_file_splits_at_its_shots(tmp_path: Path) -> None:
    path = tmp_path / "flat.mp4"
    colours = [(200, 40, 40)] * 20 + [(40, 160, 60)] * 15 + [(30, 30, 170)] * 25
    with MediaWriter(path, video=VideoSpec(320, 180, Fraction(FPS))) as writer:
        for index, colour in enumerate(colours):
            writer.write_video(patterns.test_card(320, 180, index, colour))
    result = cut_shots(path)
    assert result.shots == (20, 35)
    clips = [(s.start, s.length) for s in slots(result.timeline.tracks[0], Fraction(FPS))]
    assert clips == [(0, 20), (20, 15), (35, 25)]


def test_autocut_refuses_unclear_requests(
    talking_head: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in ([], ["--silence", "--shots"]):
        assert main(["autocut", str(talking_head), "-o", str(tmp_path / "x.otio"), *extra]) == 2
    assert main(["autocut", str(talking_head), "-o", str(tmp_path / "x.mp4"), "--silence"]) == 2
    assert (
        main(["autocut", str(tmp_path / "none.wav"), "-o", str(tmp_path / "x.otio"), "--silence"])
        == 2
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("error:") == 4
