#!/usr/bin/env python3
"""Workload T1 (../shared/bench/WORKLOADS.md): 1,000,000 frames to 29.97 DF labels and back.

Runs postprod and the two peers (OpenTimelineIO, the `timecode` package) in the
same session, each as a whole process (interpreter start, imports, work, writing
the labels), ``--repeat`` times, and prints medians, in-process rates, ratios
against each peer, and whether all three wrote identical labels.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_t1_timecode.py --repeat 5
"""

from __future__ import annotations

import argparse
import filecmp
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = HERE.parents[1] / "shared" / "bench" / "peers"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--frames", type=int, default=1_000_000)
    args = parser.parse_args()
    if not PEERS.is_dir():
        print(f"the peers are not at {PEERS}: clone next to ../shared", file=sys.stderr)
        return 2
    out = Path(tempfile.mkdtemp(prefix="bench-t1-"))
    scripts = {
        "postprod": HERE / "t1_postprod.py",
        "opentimelineio": PEERS / "t1_otio.py",
        "timecode": PEERS / "t1_timecode.py",
    }
    results: dict[str, dict[str, object]] = {}
    for name, script in scripts.items():
        walls, reports = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(script), str(args.frames), str(out / f"{name}.txt")],
                capture_output=True,
                text=True,
                check=True,
            )
            walls.append(time.perf_counter() - start)
            reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
        results[name] = {
            "wall_s": statistics.median(walls),
            "wall_min_max": (min(walls), max(walls)),
            "to_label_ops_s": statistics.median(int(r["to_label_ops_s"]) for r in reports),
            "from_label_ops_s": statistics.median(int(r["from_label_ops_s"]) for r in reports),
            "mismatches": reports[-1]["roundtrip_mismatches"],
        }
    ours = results["postprod"]
    print(f"T1: {args.frames:,} frames at 29.97 DF, there and back, {args.repeat} runs each")
    print(
        f"{'tool':16} {'wall s (median)':>16} {'labels/s out':>14} {'labels/s back':>14} {'mismatches':>11}"
    )
    for name, r in results.items():
        print(
            f"{name:16} {r['wall_s']:16.3f} {r['to_label_ops_s']:14,} {r['from_label_ops_s']:14,} {r['mismatches']:>11}"
        )
    for peer in ("opentimelineio", "timecode"):
        r = results[peer]
        in_process_ours = (
            args.frames / ours["to_label_ops_s"] + args.frames / ours["from_label_ops_s"]
        )
        in_process_peer = args.frames / r["to_label_ops_s"] + args.frames / r["from_label_ops_s"]
        print(
            f"postprod vs {peer}: whole process {r['wall_s'] / ours['wall_s']:.1f}x faster, "
            f"conversion alone {in_process_peer / in_process_ours:.1f}x faster"
        )
    same = all(
        filecmp.cmp(out / "postprod.txt", out / f"{p}.txt", shallow=False)
        for p in ("opentimelineio", "timecode")
    )
    print(f"labels identical across all three: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
