#!/usr/bin/env python3
"""Workload E1: import a 2,000-event CMX 3600 EDL, trim every clip's out by one frame, export it.

postprod (``import_timeline`` / ``export_timeline``) against OpenTimelineIO's own
cmx_3600 adapter doing the same edit, in the same process, alternating runs,
at 29.97 drop-frame and at 25 fps. Prints medians, the ratio, and whether both
wrote the same events (event lines compared after parsing).

    /tmp/pv/bin/python bench/bench_e1_edl.py --repeat 5
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e1_edl import write_edl
from postprod.interchange import export_timeline, import_timeline

EVENT = re.compile(r"^\d{3,4}\s+(\S+)\s+V\s+(C|D\s+\d+)\s+(\S+) (\S+) (\S+) (\S+)", re.MULTILINE)


def trim_outs(timeline: otio.schema.Timeline, rate: float) -> None:
    """The edit: every clip one frame shorter at its out point."""
    one = otio.opentime.RationalTime(1, rate)
    for clip in timeline.find_clips():
        kept = clip.source_range
        clip.source_range = otio.opentime.TimeRange(kept.start_time, kept.duration - one)


def run_postprod(source: Path, target: Path, rate: float) -> None:
    timeline = import_timeline(source, rate=rate)
    trim_outs(timeline, rate)
    export_timeline(timeline, target)


def run_otio(source: Path, target: Path, rate: float) -> None:
    timeline = otio.adapters.read_from_file(str(source), adapter_name="cmx_3600", rate=rate)
    trim_outs(timeline, rate)
    otio.adapters.write_to_file(timeline, str(target), adapter_name="cmx_3600", rate=rate)


def edit_operations(source: Path, rate: float) -> str:
    """postprod's own edit operations on the imported timeline: milliseconds per operation."""
    from postprod import operations as ops

    timeline = import_timeline(source, rate=rate)
    track = timeline.video_tracks()[0].name
    middle = int(timeline.duration().value) // 2
    results = []
    for operation in (
        ops.Split(track, middle + 1),
        ops.Trim(track, middle + 1, "out", -1),
        ops.Slip(track, middle + 1, 1),
        ops.Extract(track, middle + 1),
        ops.CloseGaps(),
    ):
        start = time.perf_counter()
        try:
            timeline = ops.apply_operations(timeline, operation)
            outcome = "ok"
        except Exception as error:  # a refusal is a result too (e.g. no handles)
            outcome = type(error).__name__
        results.append(
            f"{operation.name} {1000 * (time.perf_counter() - start):.0f} ms ({outcome})"
        )
    return ", ".join(results)


def timed(
    run: Callable[[Path, Path, float], None], source: Path, target: Path, rate: float
) -> float:
    start = time.perf_counter()
    run(source, target, rate)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-e1-"))
    for label, rate in (("29.97 DF", 30000 / 1001), ("25", 25.0)):
        source = write_edl(folder / f"e1_{round(rate)}.edl", events=args.events, rate=rate)
        times: dict[str, list[float]] = {"postprod": [], "otio": []}
        outputs = {
            "postprod": folder / f"pp_{round(rate)}.edl",
            "otio": folder / f"otio_{round(rate)}.edl",
        }
        for _ in range(args.repeat):
            times["postprod"].append(timed(run_postprod, source, outputs["postprod"], rate))
            times["otio"].append(timed(run_otio, source, outputs["otio"], rate))
        events = {name: EVENT.findall(path.read_text()) for name, path in outputs.items()}
        same = events["postprod"] == events["otio"]
        pp, ot = statistics.median(times["postprod"]), statistics.median(times["otio"])
        print(
            f"{label}: {args.events} events ({len(events['postprod'])} event lines written): "
            f"postprod {pp:.3f} s, OTIO adapters {ot:.3f} s (medians of {args.repeat}); "
            f"OTIO/postprod = {ot / pp:.2f}; same events written: {same}"
        )
        print(f"  postprod edit operations on it: {edit_operations(source, rate)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
