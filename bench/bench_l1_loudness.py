#!/usr/bin/env python3
"""Workload L1 (../shared/bench/WORKLOADS.md): loudness of a 60-minute stereo programme.

Runs, in the same session and as whole processes: postprod's full analysis
(integrated, LRA, true peak, momentary and short-term series), FFmpeg's
ebur128 filter with true peak driven through PyAV, and pyloudnorm
(integrated only, from the peers' own virtual environment). Prints medians,
ratios and how far the figures agree.

    python3 ../shared/bench/make_media.py --only programme     # once, in a peers venv
    .venv/bin/python bench/bench_l1_loudness.py --repeat 3 [--peers-python /tmp/peers-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = HERE.parents[1] / "shared" / "bench" / "peers"


def run(command: list[str]) -> tuple[float, float, int, dict[str, object]]:
    """Wall and CPU seconds, peak RSS (KB) and the JSON figures of one whole process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{command} failed:\n{done.stderr[-2000:]}")
    user = re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(float(m.group(1)) for m in (user, system) if m)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return elapsed, cpu, int(rss.group(1)) if rss else 0, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wav", type=Path)
    parser.add_argument(
        "--peers-python",
        default=os.path.join(tempfile.gettempdir(), "peers-venv", "bin", "python"),
        help="the peers' venv (pyloudnorm); skipped if missing",
    )
    args = parser.parse_args()
    media = Path(os.environ.get("BENCH_MEDIA", Path(tempfile.gettempdir()) / "bench-media"))
    wav = args.wav or media / "programme_60min.wav"
    if not wav.is_file():
        print(
            f"{wav} is missing: run ../shared/bench/make_media.py --only programme", file=sys.stderr
        )
        return 2
    tools = {
        "postprod": [sys.executable, str(HERE / "l1_postprod.py"), str(wav)],
        "ffmpeg ebur128 (PyAV)": [sys.executable, str(PEERS / "l1_pyav_ebur128.py"), str(wav)],
    }
    if Path(args.peers_python).exists():
        tools["pyloudnorm"] = [args.peers_python, str(PEERS / "l1_pyloudnorm.py"), str(wav)]
    with open(wav, "rb") as handle:  # into the page cache, as the shared baseline does
        while handle.read(1 << 24):
            pass
    times: dict[str, list[float]] = {name: [] for name in tools}
    cpus: dict[str, list[float]] = {name: [] for name in tools}
    rss: dict[str, int] = {name: 0 for name in tools}
    figures: dict[str, dict[str, object]] = {}
    load = os.getloadavg()[0]
    for _ in range(args.repeat):  # interleaved, so a busy moment hits every tool alike
        for name, command in tools.items():
            elapsed, cpu, peak_kb, figures[name] = run(command)
            times[name].append(elapsed)
            cpus[name].append(cpu)
            rss[name] = max(rss[name], peak_kb)
    print(f"L1: {wav.name}, {args.repeat} runs each (whole process, median)")
    print(f"load average before the runs: {load:.2f} (other work on the machine slows every tool)")
    ours = statistics.median(times["postprod"])
    for name in tools:
        median = statistics.median(times[name])
        print(
            f"{name:24} {median:7.2f} s wall  {statistics.median(cpus[name]):6.2f} s CPU  "
            f"{rss[name] / 1024:6.0f} MB  {3600 / median:5.0f}x real time   {figures[name]}"
        )
    for name in tools:
        if name != "postprod":
            print(f"postprod vs {name}: {statistics.median(times[name]) / ours:.2f}x faster")
    ref = figures["postprod"]
    for name in tools:
        if name == "postprod":
            continue
        other = figures[name]
        gaps = {
            key: round(float(ref[key]) - float(other[key]), 3)  # type: ignore[arg-type]
            for key in ("I_LUFS", "LRA_LU", "TP_dBTP")
            if key in other and other[key] is not None
        }
        print(f"difference postprod - {name}: {gaps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
