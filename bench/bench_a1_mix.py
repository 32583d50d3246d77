#!/usr/bin/env python3
"""Workload A1 (../shared/bench/WORKLOADS.md): mix 8 stems x 5 minutes.

Runs, as whole processes in the same session: postprod's console
(bench/a1_postprod.py), the hand-written pedalboard + NumPy peer and the
single-command FFmpeg peer (from the peers' venv; its ffmpeg comes from the
imageio-ffmpeg wheel). Prints median wall time, peak RSS (GNU time), ratios,
and checks every output with the shared check_wav.py; also how far
postprod's output is from the pedalboard peer's (the same plugins).

    (cd ../shared/bench && /tmp/peers-venv/bin/python make_media.py --only stems,ir)
    .venv/bin/python bench/bench_a1_mix.py --repeat 3 [--peers-python /tmp/peers-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import timed

HERE = Path(__file__).resolve().parent
PEERS = HERE.parents[1] / "shared" / "bench" / "peers"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--peers-python", default=os.path.join(tempfile.gettempdir(), "peers-venv", "bin", "python")
    )
    args = parser.parse_args()
    out = Path(tempfile.gettempdir()) / "bench-out"
    out.mkdir(exist_ok=True)
    tools = {
        "postprod": [
            sys.executable,
            str(HERE / "a1_postprod.py"),
            "--out",
            str(out / "a1_postprod.wav"),
        ],
        "pedalboard": [
            args.peers_python,
            str(PEERS / "a1_pedalboard.py"),
            "--out",
            str(out / "a1_pedalboard.wav"),
        ],
        "ffmpeg": [
            args.peers_python,
            str(PEERS / "a1_ffmpeg.py"),
            "--out",
            str(out / "a1_ffmpeg.wav"),
        ],
    }
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
    for _ in range(args.repeat):
        for name, command in tools.items():
            runs[name].append(timed(command))
    print(f"A1: 8 stems x 300 s, {args.repeat} runs each (whole process, median)")
    medians = {name: statistics.median(t for t, _ in r) for name, r in runs.items()}
    for name, r in runs.items():
        checked = subprocess.run(
            [args.peers_python, str(PEERS / "check_wav.py"), str(out / f"a1_{name}.wav")],
            capture_output=True,
            text=True,
        ).stdout.strip()
        rss_mb = max(rss for _, rss in r) / 1024
        print(
            f"{name:11} {medians[name]:6.2f} s  {300 / medians[name]:5.0f}x RT  {rss_mb:6.0f} MB  {checked}"
        )
    for name in ("pedalboard", "ffmpeg"):
        print(f"postprod time / {name} time: {medians['postprod'] / medians[name]:.2f}")
    compare = (
        "import soundfile as sf, numpy as np, json;"
        f"a,_=sf.read('{out / 'a1_postprod.wav'}',dtype='float32');"
        f"b,_=sf.read('{out / 'a1_pedalboard.wav'}',dtype='float32');"
        "d=a-b;print(json.dumps({'max_abs_difference': float(abs(d).max()),"
        "'residual_db': float(10*np.log10((d**2).mean()/(b**2).mean()))}))"
    )
    diff = subprocess.run([args.peers_python, "-c", compare], capture_output=True, text=True)
    print("postprod vs pedalboard output:", json.loads(diff.stdout) if diff.stdout else diff.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
