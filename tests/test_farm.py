"""The render farm on a real Dask LocalCluster (2 worker processes, 1 thread each).

The programme: the demo's edit at 320x180 (fade up, cuts, a dissolve, a clock
wipe, a split screen and a lower third on V2, a fade out) with camera C slowed
to 50 %, the demo's mix (an ADR take through a reverb, music ducked under it)
and a reverb on the music bus. Farm renders with 1 s segments are compared with
a one-process render of the same plan: every frame (pixels for ProRes, which
codes each frame alone; the barcode for H.264), every sample (PCM, and AAC,
which is encoded once), timestamps and duration.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from postprod.cli import main
from postprod.demo.production import SOURCES, DemoSettings, make_project, write_source
from postprod.demo.sound import write_sounds
from postprod.errors import RenderError
from postprod.farm.cluster import local_cluster
from postprod.farm.job import FarmSettings, render_on_farm, work_folder
from postprod.farm.keys import segment_key
from postprod.farm.paths import PathMap, map_plan
from postprod.farm.split import Segment, split_plan
from postprod.farm.tasks import read_render_log
from postprod.operations import AddInsert
from postprod.operations.timing import Speed
from postprod.planner.plan import FrameRange, OutputFormat, RenderPlan, Source, plan
from postprod.render.engine import render
from postprod.render.presets import output_preset
from postprod.video.patterns import read_barcode

distributed = pytest.importorskip("distributed")
# a worker started again after a kill looks for its HTTP port: not a problem
pytestmark = pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")

SETTINGS = DemoSettings(
    width=320, height=180, source_frames=60, handle_frames=10, clip_frames=25, transition_frames=8
)
RATE = Fraction(25)
ONE_SECOND = FarmSettings(segment_s=1.0)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One LocalCluster for the module: 2 worker processes, 1 thread each, no dashboard."""
    cluster = local_cluster(2, dashboard=False, silence_logs=40)
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderPlan]:
    """The project and its plan."""
    folder = tmp_path_factory.mktemp("farm")
    sources = tuple(write_source(folder / f"camera_{s.name}.mp4", s, SETTINGS) for s in SOURCES)
    sounds = write_sounds(
        folder,
        sample_rate=SETTINGS.sample_rate,
        line_s=SETTINGS.line_frames / float(RATE),
        music_s=SETTINGS.programme_frames / float(RATE) + 4,
    )
    project = make_project(folder / "farm.otio", sources, sounds, SETTINGS)
    c_at = SETTINGS.transition_frames + 2 * SETTINGS.clip_frames + 6  # inside camera C
    project.apply(Speed("V1", c_at, 50.0))
    project.apply(AddInsert("MX", "reverb", (("room_size", 0.8), ("wet_level", 0.4)), bus=True))
    output = OutputFormat(SETTINGS.width, SETTINGS.height, RATE, SETTINGS.sample_rate, 2)
    return project.path, plan(project.timeline(), output, project_folder=folder)


def _one_process(programme: tuple[Path, RenderPlan], preset: str, suffix: str) -> Path:
    project, planned = programme
    out = project.with_name(f"one_process_{preset}{suffix}")
    if not out.exists():
        render(planned, out, preset=output_preset(preset))
    return out


def _decode(path: Path) -> tuple[list[np.ndarray], list[int], np.ndarray]:
    """Every frame (RGB), the picture's presentation times in frames, every sample."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames, times = [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            times.append(round(frame.pts * stream.time_base * RATE))
    with av.open(str(path)) as container:
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    return frames, times, sound


def _segments_cross_nothing(planned: RenderPlan, segments: tuple[Segment, ...]) -> None:
    boundaries = [s.start for s in segments[1:]]
    for span in [*planned.video, *(s for track in planned.overlays for s in track)]:
        warped = any(
            src is not None and (src.title is not None or src.speed != 1.0)
            for src in (span.a, span.b)
        )
        if span.transition != "cut" or warped:
            assert not [b for b in boundaries if span.start < b < span.start + span.length]


def test_a_prores_farm_render_equals_the_one_process_render(
    client: Any, programme: tuple[Path, RenderPlan]
) -> None:
    project, planned = programme
    reference = _one_process(programme, "prores", ".mov")
    out = project.with_name("farm.mov")
    result = render_on_farm(client, planned, out, preset="prores", settings=ONE_SECOND)
    assert len(result.segments) >= 4 and result.rendered == len(result.segments)
    _segments_cross_nothing(planned, result.segments)
    frames, times, sound = _decode(out)
    ref_frames, _ref_times, ref_sound = _decode(reference)
    assert len(frames) == len(ref_frames) == planned.frames
    assert times == list(range(planned.frames))  # monotonic, every frame, none twice
    for index, (got, want) in enumerate(zip(frames, ref_frames, strict=True)):
        assert np.array_equal(got, want), f"frame {index} differs"
    assert sound.shape == ref_sound.shape and sound.size == 2 * planned.samples  # s24, packed
    assert np.array_equal(sound, ref_sound)  # PCM: sample-identical
    assert not work_folder(out).exists()
    with av.open(str(out)) as container:
        assert container.streams.video[0].metadata.get("timecode") == "01:00:00:00"


def test_an_h264_farm_render_of_a_range_shows_the_same_frames_and_sound(
    client: Any, programme: tuple[Path, RenderPlan]
) -> None:
    project, whole = programme
    planned = whole.with_range(FrameRange(20, 70))  # across the dissolve and the slow motion
    reference = project.with_name("one_process_range.mp4")
    render(planned, reference, preset=output_preset("h264"))
    out = project.with_name("farm.mp4")
    result = render_on_farm(client, planned, out, preset="h264", settings=ONE_SECOND)
    assert len(result.segments) >= 2
    frames, times, sound = _decode(out)
    ref_frames, _, ref_sound = _decode(reference)
    assert times == list(range(70))
    barcodes = [read_barcode(f) for f in frames]
    assert barcodes == [read_barcode(f) for f in ref_frames]
    worst = max(
        np.abs(a.astype(int) - b.astype(int)).mean()
        for a, b in zip(frames, ref_frames, strict=True)
    )
    assert worst < 2.0  # the same pictures, coded in other GOPs (crf 18)
    assert np.array_equal(sound, ref_sound)  # AAC encoded once, as the one-process render does
    assert sound.shape[1] >= planned.samples * 70 // planned.frames  # whole frames of 1024
    with av.open(str(out)) as container:
        assert container.streams.video[0].metadata.get("timecode") == "01:00:00:20"


def test_segments_never_cut_a_transition_title_or_speed_change(
    programme: tuple[Path, RenderPlan],
) -> None:
    _, planned = programme
    for frames in (5, 13, 25, 40):
        segments = split_plan(planned, frames)
        assert segments[0].start == 0 and segments[-1].end == planned.frames
        assert all(a.end == b.start for a, b in itertools.pairwise(segments))
        _segments_cross_nothing(planned, segments)
    ranged = split_plan(planned.with_range(replace(planned.output_range, start=10, frames=60)), 25)
    assert ranged[0].start == 10 and ranged[-1].end == 70


def test_a_task_key_follows_what_the_segment_shows(programme: tuple[Path, RenderPlan]) -> None:
    _, planned = programme
    first, second = split_plan(planned, 25)[:2]
    key = segment_key(planned, first, {"preset": "h264"})
    assert key == segment_key(planned, first, {"preset": "h264"})
    assert key != segment_key(planned, second, {"preset": "h264"})
    assert key != segment_key(planned, first, {"preset": "prores"})
    moved = replace(planned, video=(replace(planned.video[0], name="other"), *planned.video[1:]))
    assert key != segment_key(moved, first, {"preset": "h264"})


def test_path_mapping_rewrites_media_paths_on_the_workers(
    programme: tuple[Path, RenderPlan],
) -> None:
    _, planned = programme
    folder = str(Path(planned.audio[0].path).parent)
    mapped = map_plan(planned, (PathMap.parse(f"{folder}=/Volumes/media"),))
    assert all(s.path.startswith("/Volumes/media/") for s in mapped.audio)
    sources = [s for span in mapped.video for s in (span.a, span.b) if s is not None]
    assert sources and all(s.path.startswith("/Volumes/media/") for s in sources)
    assert PathMap.parse("/mnt/a=/b").apply("/mnt/ab/x") == "/mnt/ab/x"  # whole names only
    with pytest.raises(RenderError):
        PathMap.parse("/mnt/a")


def test_a_worker_killed_mid_segment_does_not_spoil_the_job(
    client: Any, programme: tuple[Path, RenderPlan]
) -> None:
    project, planned = programme
    reference = _one_process(programme, "prores", ".mov")
    out = project.with_name("killed.mov")
    work = work_folder(out)
    killed: list[int] = []

    def kill_a_rendering_worker() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not killed:
            log = read_render_log(work)
            ended = {(e["key"], e["pid"]) for e in log if e["event"] == "done"}
            running = [e for e in log if e["event"] == "start" and e["segment"] >= 0]
            running = [e for e in running if (e["key"], e["pid"]) not in ended]
            if running:
                pid = int(str(running[0]["pid"]))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_rendering_worker)
    killer.start()
    try:
        render_on_farm(client, planned, out, preset="prores", settings=ONE_SECOND)
    finally:
        killer.join()
    assert killed
    frames, times, sound = _decode(out)
    ref_frames, _, ref_sound = _decode(reference)
    assert times == list(range(planned.frames))
    assert all(np.array_equal(a, b) for a, b in zip(frames, ref_frames, strict=True))
    assert np.array_equal(sound, ref_sound)
    client.wait_for_workers(2, timeout=60)  # the nanny has started a new one


def test_a_segment_failing_three_times_fails_the_job_with_a_report_and_no_file(
    client: Any, programme: tuple[Path, RenderPlan]
) -> None:
    project, planned = programme
    broken = project.with_name("broken.mp4")
    broken.write_bytes(b"not a video file at all" * 100)
    at = split_plan(planned, 25)[2].start + 3  # a frame of the third segment

    def spoiled(source: Source | None, start: int, length: int) -> Source | None:
        if source is None or source.title is not None or not start <= at < start + length:
            return source
        return replace(source, path=str(broken))

    video = tuple(
        replace(s, a=spoiled(s.a, s.start, s.length), b=spoiled(s.b, s.start, s.length))
        for s in planned.video
    )
    out = project.with_name("failed.mov")
    with pytest.raises(RenderError) as failure:
        render_on_farm(
            client, replace(planned, video=video), out, preset="prores", settings=ONE_SECOND
        )
    message = str(failure.value)
    assert "failed 3 times" in message and "broken.mp4" in message
    assert "segment " in message and "frames " in message and "01:00:0" in message
    assert not out.exists() and not out.with_name(".failed.partial.mov").exists()
    starts: dict[str, int] = {}
    for entry in read_render_log(work_folder(out)):
        if entry["event"] == "start":
            starts[str(entry["key"])] = starts.get(str(entry["key"]), 0) + 1
    assert max(starts.values()) == 3  # the failing segment, three attempts


class _Stop(Exception):
    """Stands for Ctrl-C in the middle of a job."""


def test_resume_renders_no_finished_segment_again(
    client: Any, programme: tuple[Path, RenderPlan]
) -> None:
    project, planned = programme
    out = project.with_name("resumed.mov")
    work = work_folder(out)

    seen: list[Any] = []

    def stop_after_two(progress: Any) -> None:
        seen.append(progress)
        if progress.segments_done >= 2:
            raise _Stop

    with pytest.raises(_Stop):
        render_on_farm(
            client, planned, out, preset="prores", settings=ONE_SECOND, progress=stop_after_two
        )
    assert not out.exists() and work.is_dir()
    assert [p.segments_done for p in seen] == [0, 1, 2]  # progress: segments, fps, time left
    assert seen[-1].frames_done < seen[-1].frames and seen[-1].frames_per_s > 0
    assert seen[-1].time_left_s is not None and seen[-1].time_left_s > 0
    deadline = time.monotonic() + 30  # let the tasks already running finish
    while time.monotonic() < deadline:
        log = read_render_log(work)
        if sum(e["event"] == "start" for e in log) == sum(e["event"] == "done" for e in log):
            break
        time.sleep(0.05)
    before = {e["key"] for e in read_render_log(work) if e["event"] == "done"}
    before.discard(None)
    result = render_on_farm(
        client, planned, out, preset="prores", settings=replace(ONE_SECOND, resume=True)
    )
    assert result.reused >= 2 and result.rendered == len(result.segments) - result.reused
    assert out.is_file() and not work.exists()
    frames, times, _ = _decode(out)
    assert times == list(range(planned.frames))
    reference, _, _ = _decode(_one_process(programme, "prores", ".mov"))
    assert all(np.array_equal(a, b) for a, b in zip(frames, reference, strict=True))


def test_the_render_command_on_the_farm_then_status_and_a_batch(
    client: Any,
    programme: tuple[Path, RenderPlan],
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, planned = programme
    address = client.scheduler.address
    out = project.with_name("cli.mov")
    args = ["render", str(project), "-o", str(out), "--preset", "prores"]
    assert main([*args, "--farm", address, "--segment-s", "1", "--range", "25-75"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    frames, times, _ = _decode(out)
    assert len(frames) == 50 and times == list(range(50))
    with av.open(str(out)) as container:
        assert container.streams.video[0].metadata.get("timecode") == "01:00:01:00"
    assert main(["farm", "status", address]) == 0
    shown = capsys.readouterr().out
    assert "workers" in shown and "postprod tasks" in shown
    jobs = project.with_name("jobs.toml")
    jobs.write_text(
        f'farm = "{address}"\nsegment_s = 2\n'
        f'[[job]]\nproject = "{project.name}"\npresets = ["h264"]\nout = "batch"\n'
    )
    assert main(["farm", "submit", str(jobs)]) == 0
    written = project.parent / "batch" / f"{project.stem}.h264.mp4"
    frames, times, _ = _decode(written)
    assert len(frames) == planned.frames and times == list(range(planned.frames))


def test_farm_mistakes_are_one_line_and_status_2(
    programme: tuple[Path, RenderPlan],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, _ = programme
    out = str(project.with_name("never.mov"))
    args = ["render", str(project), "-o", out, "--preset", "prores"]
    assert main([*args, "--farm", "render-1:8786"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main([*args, "--farm", "local", "--map", "/mnt/a"]) == 2
    assert "FROM=TO" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if postprod[farm] were not there
    assert main([*args, "--farm", "local"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "postprod[farm]" in err[0]
    assert not Path(out).exists()


def test_farm_deliver_spreads_the_presets_over_the_workers(
    client: Any, programme: tuple[Path, RenderPlan], capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = programme
    out = project.parent / "deliveries"
    args = ["farm", "deliver", str(project), "-p", "ebu-r128", "-p", "podcast", "-o", str(out)]
    status = main([*args, "--farm", client.scheduler.address])
    shown = capsys.readouterr().out
    assert status in (0, 3)  # 3: a QC check failed, reported like deliver's
    masters = sorted(path.name for path in out.iterdir() if path.suffix == ".wav")
    assert any("ebu-r128" in name for name in masters) and any(
        "podcast" in name for name in masters
    )
    assert "LUFS" in shown and shown.count("QC ") == 2


def test_media_a_worker_cannot_see_is_named_with_the_worker(
    client: Any, programme: tuple[Path, RenderPlan]
) -> None:
    project, planned = programme
    out = project.with_name("unmapped.mov")
    elsewhere = FarmSettings(segment_s=1.0, maps=(PathMap(str(project.parent), "/nowhere"),))
    with pytest.raises(RenderError) as failure:
        render_on_farm(client, planned, out, preset="prores", settings=elsewhere)
    message = str(failure.value)
    assert "missing on worker tcp://" in message and "/nowhere/" in message
    assert "--map" in message and not out.exists()


def _qc_reports(folder: Path) -> dict[str, dict[str, Any]]:
    """The JSON QC reports a delivery wrote, by preset."""
    import json

    reports = (json.loads(path.read_text()) for path in folder.glob("*.qc.json"))
    return {report["preset"]: report for report in reports}


def test_deliver_on_the_farm_measures_what_a_plain_deliver_does(
    client: Any, programme: tuple[Path, RenderPlan], capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = programme
    farmed, plain = project.parent / "deliver_farm", project.parent / "deliver_plain"
    presets = ("ebu-r128", "podcast")
    picked = [arg for name in presets for arg in ("--preset", name)]
    status = main(
        ["deliver", str(project), *picked, "-o", str(farmed), "--farm", client.scheduler.address]
    )
    assert status in (0, 3)  # 3: a QC check failed, as a plain deliver reports it
    assert capsys.readouterr().out.count("QC ") == 2
    for name in presets:
        assert main(["deliver", str(project), "--preset", name, "-o", str(plain)]) in (0, 3)
    on_farm, here = _qc_reports(farmed), _qc_reports(plain)
    assert set(on_farm) == set(here) == set(presets)
    for name in presets:
        masters = [
            path for path in farmed.iterdir() if name in path.name and path.suffix != ".json"
        ]
        assert masters and all(path.stat().st_size > 0 for path in masters)
        assert on_farm[name]["passed"] == here[name]["passed"]
        checks = {(c["name"], c["passed"]) for c in on_farm[name]["checks"]}
        assert checks == {(c["name"], c["passed"]) for c in here[name]["checks"]}
        for figure, value in here[name]["loudness"].items():
            assert on_farm[name]["loudness"][figure] == pytest.approx(value, abs=0.05), figure


def test_deliver_farm_mistakes_are_one_line_and_status_2(
    programme: tuple[Path, RenderPlan],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, _ = programme
    out = project.parent / "never_delivered"
    args = ["deliver", str(project), "-p", "ebu-r128", "-p", "podcast", "-o", str(out)]
    assert main(args) == 2  # several presets need --farm
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--farm" in err[0]
    assert main([*args, "--farm", "local", "--fix"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if postprod[farm] were not there
    assert main([*args, "--farm", "local"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "postprod[farm]" in err[0]
    assert not out.exists()
