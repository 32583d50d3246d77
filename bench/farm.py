#!/usr/bin/env python3
"""The render farm against one process, in the same run: a programme of synthetic sources
(three camera files of 20 s with a frame-number barcode and tone, 1 s GOPs, cut into shots
of 4 s with a dissolve on every other cut, the cameras' sound under a music bed on a bus
with a reverb) rendered by ``render`` in this process, then by ``render_on_farm`` on a
LocalCluster of ``--workers`` processes of one thread each (cluster start-up and the
workers' imports timed apart). Prints one JSON line: wall and CPU times of both, the
speed-up, the farm's extra CPU, where its time went per segment (Dask's dispatch, check,
join, plan) and a model of the speed-up on 2, 10 and 100 workers from those measured
costs (CPU time, so that the shared machine's load does not enter it).

The issue's workload: ``python bench/farm.py --minutes 10`` (1080p, 10 s segments).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from postprod.audio.synth import sine
from postprod.demo.sound import music_bed
from postprod.farm.cluster import local_cluster
from postprod.farm.job import FarmResult, FarmSettings, render_on_farm
from postprod.media.audio_write import write_audio
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.operations import AddBus, AddInsert, AddTransition, Append, Project, SetStrip
from postprod.operations.project import new_project
from postprod.planner.plan import OutputFormat, RenderPlan, plan
from postprod.render.engine import render
from postprod.render.presets import output_preset
from postprod.video.patterns import test_card

RATE = Fraction(25)
SHOT_S = 4
CAMERAS = ((40, 70, 160), (190, 110, 40), (50, 150, 80))


def make_programme(folder: Path, minutes: float, size: tuple[int, int]) -> RenderPlan:
    """Sources, project and plan: ``minutes`` of shots cut from three camera files."""
    width, height = size
    source_frames = int(20 * RATE)  # 20 s per camera; shots reuse them
    cameras = []
    for number, colour in enumerate(CAMERAS):
        path = folder / f"camera_{number}.mp4"
        video = VideoSpec(
            width, height, RATE, options={"crf": "20", "preset": "ultrafast", "g": "25"}
        )
        tone_hz = 220.0 * (number + 2)
        with MediaWriter(path, video=video, audio=AudioSpec(48000, 2)) as writer:
            for index in range(source_frames):
                writer.write_video(test_card(width, height, index, colour))
                first = index * 48000 // 25
                writer.write_audio(sine(tone_hz, 1920, 48000, channels=2, start_sample=first))
        cameras.append(path.name)
    total = round(minutes * 60 * RATE)
    music = write_audio(folder / "music.wav", music_bed(total / float(RATE) + 2, 48000), 48000)
    project_path = folder / "farm.otio"
    new_project(project_path, name="farm bench", rate="25", start="01:00:00:00", size_px=size)
    project = Project(project_path)
    shot = SHOT_S * int(RATE)
    count = max(1, total // shot)
    edits: list[object] = []
    for k in range(count):
        source_in = (k * 37) % (source_frames - shot - 20) + 10  # handles for the dissolves
        media = cameras[k % 3]
        edits += [Append("V1", media, source_in, shot), Append("A1", media, source_in, shot)]
    edits += [Append("A2", music.name, 0, count * shot)]
    project.apply(*edits, description="the cut")  # type: ignore[arg-type]
    project.apply(
        *(AddTransition("V1", k * shot, 12) for k in range(2, count, 2)),
        description="dissolves",
    )
    project.apply(
        AddBus("MX"),
        AddInsert("MX", "reverb", (("room_size", 0.7), ("wet_level", 0.3)), bus=True),
        SetStrip("A2", output="MX", gain_db=-12.0),
        description="the mix",
    )
    output = OutputFormat(width, height, RATE, 48000, 2)
    return plan(project.timeline(), output, project_folder=folder)


def model(result: FarmResult, one_cpu_s: float, workers: int, frames: int) -> float:
    """The speed-up of ``workers`` worker processes (a core each) over one process on one
    core, for a programme of ``frames`` frames cut as this run cut its own, from this run's
    measured costs: each segment's CPU time (scaled per frame), the sound task's CPU time
    (one task, beside the segments), the job machine's plan, check and join (serial,
    scaled), and Dask's dispatch latency per wave of tasks."""
    t = result.timings
    rendered_frames = sum(s.frames for s in result.segments) or 1
    scale = frames / rendered_frames
    segment_cpu = float(np.mean(t.segments_cpu_s))
    segments = math.ceil(len(result.segments) * scale)
    sound = t.sound_cpu_s * scale
    serial = (t.plan_s + t.check_s + t.join_s) * scale
    waves = math.ceil(segments / workers)
    busy = max((segments * segment_cpu + sound) / workers, waves * segment_cpu, sound)
    farm = serial + busy + waves * t.dispatch_s
    return one_cpu_s * scale / farm


def _warm_up() -> None:
    import postprod.farm.tasks
    import postprod.render.engine  # noqa: F401


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--segment-s", type=float, default=10.0)
    parser.add_argument("--preset", default="h264")
    parser.add_argument("--keep", action="store_true", help="Keep the media folder.")
    args = parser.parse_args()
    import distributed

    width, height = (int(v) for v in args.size.split("x"))
    folder = Path(tempfile.mkdtemp(prefix="farm-bench-"))
    try:
        began = time.perf_counter()
        planned = make_programme(folder, args.minutes, (width, height))
        made_s = time.perf_counter() - began
        preset = output_preset(args.preset)
        suffix = preset.suffixes[0]

        load = os.getloadavg()[:1]
        began, cpu = time.perf_counter(), time.process_time()
        render(planned, folder / f"one{suffix}", preset=preset)
        one_s, one_cpu = time.perf_counter() - began, time.process_time() - cpu

        began = time.perf_counter()
        cluster = local_cluster(args.workers, dashboard=False, silence_logs=40)
        client = distributed.Client(cluster)
        client.run(_warm_up)  # a farm's workers stay up: their imports are not the job's
        start_s = time.perf_counter() - began
        try:
            settings = FarmSettings(segment_s=args.segment_s)
            began = time.perf_counter()
            result = render_on_farm(
                client, planned, folder / f"farm{suffix}", preset=preset, settings=settings
            )
            farm_s = time.perf_counter() - began
        finally:
            client.close()
            cluster.close()
        t = result.timings
        segments = len(result.segments)
        segment_s = float(np.mean(t.segments_s))
        segment_cpu = float(np.mean(t.segments_cpu_s))
        farm_cpu = sum(t.segments_cpu_s) + t.sound_cpu_s + t.check_s + t.join_s + t.plan_s
        per_segment = t.dispatch_s + (t.check_s + t.join_s + t.plan_s) / segments
        frames_10min = int(10 * 60 * RATE)
        print(
            json.dumps(
                {
                    "workload": f"{args.minutes:g} min {args.size} {args.preset}, "
                    f"{args.segment_s:g} s segments, {args.workers} workers",
                    "frames": planned.frames,
                    "load_average_before_after": [round(v, 2) for v in (*load, os.getloadavg()[0])],
                    "sources_s": round(made_s, 1),
                    "one_process_s": round(one_s, 2),
                    "one_process_cpu_s": round(one_cpu, 2),
                    "one_process_cores_used": round(one_cpu / one_s, 2),
                    "cluster_start_s": round(start_s, 2),
                    "farm_s": round(farm_s, 2),
                    "speed_up": round(one_s / farm_s, 3),
                    "farm_cpu_s": round(farm_cpu, 2),
                    "extra_cpu_pct": round(100 * (farm_cpu - one_cpu) / one_cpu, 1),
                    "segments": segments,
                    "segment_s_mean": round(segment_s, 3),
                    "segment_cpu_s_mean": round(segment_cpu, 3),
                    "sound_task_s": round(t.sound_s, 2),
                    "sound_task_cpu_s": round(t.sound_cpu_s, 2),
                    "overhead_per_segment_s": {
                        "dispatch": round(t.dispatch_s, 4),
                        "check": round(t.check_s / segments, 4),
                        "join": round(t.join_s / segments, 4),
                        "plan_split_keys": round(t.plan_s / segments, 4),
                    },
                    "overhead_per_segment_pct_of_its_render": round(
                        100 * per_segment / segment_s, 2
                    ),
                    "model_speed_up_10min_over_one_core": {
                        str(n): round(model(result, one_cpu, n, frames_10min), 2)
                        for n in (2, 10, 100)
                    },
                }
            )
        )
    finally:
        if args.keep:
            print(f"media kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
