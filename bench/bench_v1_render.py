#!/usr/bin/env python3
"""Workload V1 (../shared/bench/WORKLOADS.md): render the 60 s 720p25 edit of peers/edl.py.

Runs, as whole processes in the same session: postprod (bench/v1_postprod.py), the MoviePy
peer and the single-command FFmpeg peer (both from the peers' venv), then checks every
output with the shared verify_v1.py (frame count, barcodes of every frame, black ends).

    (cd ../shared/bench && /tmp/peers-venv/bin/python make_media.py --only video,stems)
    .venv/bin/python bench/bench_v1_render.py --repeat 1

Also times postprod with smart render (whole GOPs of the sources copied where the picture is
a plain cut), and V1c: the cuts-only variant encoded again against smart render (goal: 10x),
its every frame's barcode checked against the source frame the edit names.
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
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--peers-python", default=os.path.join(tempfile.gettempdir(), "peers-venv", "bin", "python")
    )
    args = parser.parse_args()
    out = Path(tempfile.gettempdir()) / "bench-out"
    out.mkdir(exist_ok=True)
    tools = {
        "postprod": [
            sys.executable,
            str(HERE / "v1_postprod.py"),
            "--out",
            str(out / "v1_postprod.mp4"),
        ],
        "postprod-smart": [
            sys.executable,
            str(HERE / "v1_postprod.py"),
            "--smart",
            "--out",
            str(out / "v1_postprod-smart.mp4"),
        ],
        "moviepy": [
            args.peers_python,
            str(PEERS / "v1_moviepy.py"),
            "--out",
            str(out / "v1_moviepy.mp4"),
        ],
        "ffmpeg": [
            args.peers_python,
            str(PEERS / "v1_ffmpeg.py"),
            "--out",
            str(out / "v1_ffmpeg.mp4"),
        ],
    }
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
    for _ in range(args.repeat):
        for name, command in tools.items():
            runs[name].append(timed(command))
    medians = {name: statistics.median(t for t, _ in r) for name, r in runs.items()}
    print(f"V1: 1500 frames 1280x720/25 with sound, {args.repeat} run(s) each (whole process)")
    for name, r in runs.items():
        check = (
            subprocess.run(
                [args.peers_python, str(PEERS / "verify_v1.py"), str(out / f"v1_{name}.mp4")],
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()
        )
        verdict = json.loads(check[-1]) if check else {}
        rss_mb = max(rss for _, rss in r) / 1024
        print(
            f"{name:9} {medians[name]:6.2f} s  {1500 / medians[name]:5.1f} fps  {rss_mb:5.0f} MB  "
            f"PASS={verdict.get('PASS')} barcode {verdict.get('barcode_ok')}/{verdict.get('barcode_checked')}"
        )
    for name in ("postprod", "postprod-smart"):
        print(f"{name} vs MoviePy: {medians['moviepy'] / medians[name]:.2f}x faster")
        print(f"{name} time / FFmpeg time: {medians[name] / medians['ffmpeg']:.2f}")
    cuts: dict[str, list[float]] = {"encode": [], "smart": []}
    for _ in range(args.repeat):
        for name in cuts:
            flags = ["--smart"] if name == "smart" else []
            command = [sys.executable, str(HERE / "v1_postprod.py"), "--cuts-only", *flags]
            cuts[name].append(timed([*command, "--out", str(out / f"v1c_{name}.mp4")])[0])
    encode, smart = (statistics.median(cuts[name]) for name in ("encode", "smart"))
    print(f"V1c (1550 frames, cuts only): encoded again {encode:.2f} s, smart render {smart:.2f} s")
    print(f"smart render vs encoding again: {encode / smart:.1f}x faster")
    for name in cuts:
        print(f"V1c {name}: {_check_v1c(out / f'v1c_{name}.mp4')}")
    return 0


def _check_v1c(path: Path) -> str:
    """Every frame's barcode against the source and frame the cuts-only edit names."""
    import av

    sys.path.insert(0, str(PEERS))
    import edl  # type: ignore[import-not-found]
    import verify_v1  # type: ignore[import-not-found]

    expected = [(src, f) for src, first, n in edl.SEGMENTS for f in range(first, first + n)]
    with av.open(str(path)) as container:
        codes = [
            verify_v1.decode_barcode(f.to_ndarray(format="gray")) for f in container.decode(video=0)
        ]
    right = sum(code == want for code, want in zip(codes, expected, strict=False))
    verdict = "PASS" if len(codes) == len(expected) == right else "FAIL"
    return f"{verdict}: {len(codes)} frames, barcodes {right}/{len(expected)}"


if __name__ == "__main__":
    sys.exit(main())
