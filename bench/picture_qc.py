#!/usr/bin/env python3
"""Picture QC of a 1080p25 H.264 programme: postprod's checks against FFmpeg's filters.

Runs, in the same session and as whole processes (interpreter start to the
last frame): postprod's picture pass (``deliver.picture_qc.measure_picture``:
black, freeze, EBU R 103 luma and R'G'B', BT.1702 luminance and red flashes and
regular patterns; and once more without the pattern rule, to show its cost);
FFmpeg's ``blackdetect`` + ``freezedetect`` + ``signalstats`` chained in one
``av.filter.Graph`` fed by PyAV's decoder (the peer); and the decode alone
(what both pay). Prints frames per second, the ratio postprod / FFmpeg, and
peak RSS. The goal of issue 20: postprod at least as fast as the three filters.

    .venv/bin/python bench/picture_qc.py --minutes 60 --repeat 1    # the issue's workload
    .venv/bin/python bench/picture_qc.py --minutes 5                # a shorter one

The programme is made once (libx264 veryfast, crf 20, GOP 50, seeded moving
pictures with a black gap, a freeze and a flashing stretch) in
``$BENCH_MEDIA`` (default ``$TMPDIR/bench-media``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import re
import subprocess

WIDTH, HEIGHT, RATE = 1920, 1080, 25


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall and CPU (user + system) seconds and peak RSS (KB) of one whole process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{command} failed:\n{done.stderr[-2000:]}")
    user = re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    cpu = sum(float(m.group(1)) for m in (user, system) if m)
    return elapsed, cpu, int(rss.group(1)) if rss else 0


def make_programme(path: Path, minutes: float) -> int:
    """A seeded 1080p25 H.264 programme; returns its frame count."""
    import av
    import numpy as np

    frames = round(minutes * 60 * RATE)
    rng = np.random.default_rng(20)
    texture = rng.integers(40, 200, (HEIGHT // 8, WIDTH // 8), dtype=np.uint8)
    texture = np.kron(texture, np.ones((8, 8), np.uint8))
    cb = np.full((HEIGHT // 2, WIDTH // 2), 128, np.uint8)
    cb[:, : WIDTH // 4] = 100
    cr = np.full((HEIGHT // 2, WIDTH // 2), 128, np.uint8)
    cr[: HEIGHT // 4] = 160
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        video = out.add_stream("libx264", rate=RATE)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "20", "g": "50", "keyint_min": "50"}
        for index in range(frames):
            second = index // RATE
            if second % 120 == 60 and index % RATE < 3 * RATE // 2:  # black now and then
                y = np.full((HEIGHT, WIDTH), 16, np.uint8)
            elif second % 120 == 90:  # a held second
                y = np.roll(texture, 4 * (index - index % RATE), axis=1)
            elif second % 300 == 150:  # flashing
                y = np.full((HEIGHT, WIDTH), 235 if index % 5 < 3 else 16, np.uint8)
            else:
                y = np.roll(texture, 4 * index, axis=1)
            packed = np.concatenate([y.ravel(), cb.ravel(), cr.ravel()])
            frame = av.VideoFrame.from_ndarray(packed.reshape(-1, WIDTH), format="yuv420p")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
    tmp.replace(path)
    return frames


def run_postprod(path: Path, pattern: bool = True) -> dict[str, object]:
    from postprod.deliver.picture_qc import measure_picture, picture_checks
    from postprod.qc.picture_rules import PictureRules

    rules = PictureRules(pattern=pattern)
    measured = measure_picture(path, rules)
    checks = picture_checks(measured, rules)
    return {
        "frames": measured.result.frames,
        "failed": [c.name for c in checks if not c.passed],
        "findings": sum(len(c.findings) for c in checks),
    }


def run_ffmpeg(path: Path) -> dict[str, object]:
    import av
    import av.filter

    frames = 0
    events = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        graph = av.filter.Graph()
        source = graph.add_buffer(template=stream)
        black = graph.add("blackdetect", "d=2:pix_th=0.10")
        freeze = graph.add("freezedetect", "n=-60dB:d=2")
        stats = graph.add("signalstats", "")
        sink = graph.add("buffersink")
        source.link_to(black)
        black.link_to(freeze)
        freeze.link_to(stats)
        stats.link_to(sink)
        graph.configure()
        for frame in container.decode(stream):
            graph.push(frame)
            while True:
                try:
                    out = graph.pull()
                except (av.error.BlockingIOError, av.error.EOFError):
                    break
                frames += 1
                events += sum(
                    1 for key in out.metadata if key.startswith(("lavfi.black", "lavfi.freeze"))
                )
        graph.push(None)
        while True:
            try:
                graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                break
            frames += 1
    return {"frames": frames, "events": events}


def run_decode(path: Path) -> dict[str, object]:
    import av

    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            frames += 1
    return {"frames": frames}


def run_postprod_no_pattern(path: Path) -> dict[str, object]:
    return run_postprod(path, pattern=False)


RUNNERS = {
    "postprod": run_postprod,
    "no-pattern": run_postprod_no_pattern,
    "ffmpeg": run_ffmpeg,
    "decode": run_decode,
}
ORDER = ("decode", "ffmpeg", "no-pattern", "postprod")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="programme length")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--run", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # one measured process
        print(json.dumps(RUNNERS[args.run](args.file)))
        return 0
    media = Path(os.environ.get("BENCH_MEDIA", Path(tempfile.gettempdir()) / "bench-media"))
    media.mkdir(parents=True, exist_ok=True)
    path = media / f"picture_qc_{args.minutes:g}min_1080p25.mp4"
    if not path.is_file():
        start = time.perf_counter()
        make_programme(path, args.minutes)
        print(f"made {path} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    frames = round(args.minutes * 60 * RATE)
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in RUNNERS}
    for _ in range(args.repeat):
        for name in ORDER:
            command = [sys.executable, __file__, "--run", name, "--file", str(path)]
            results[name].append(timed(command))
    print(f"{args.minutes:g} min 1080p25 H.264 ({frames} frames), {args.repeat} run(s), median:")
    fps, cpu_ms = {}, {}
    for name in ORDER:
        wall = statistics.median(r[0] for r in results[name])
        cpu = statistics.median(r[1] for r in results[name])
        rss = max(r[2] for r in results[name]) // 1024
        fps[name], cpu_ms[name] = frames / wall, cpu / frames * 1000
        print(
            f"  {name:9s} {wall:8.1f} s  {fps[name]:7.1f} fps  "
            f"CPU {cpu:7.1f} s ({cpu_ms[name]:.1f} ms a frame)  peak RSS {rss} MB"
        )
    print(f"  postprod / ffmpeg speed (wall): {fps['postprod'] / fps['ffmpeg']:.2f}x")
    print(f"  ffmpeg / postprod CPU a frame:  {cpu_ms['ffmpeg'] / cpu_ms['postprod']:.2f}x")
    measured = {name: cpu_ms[name] - cpu_ms["decode"] for name in ORDER[1:]}
    print(
        f"  beyond the decode: ffmpeg {measured['ffmpeg']:.1f} ms, "
        f"postprod {measured['postprod']:.1f} ms CPU a frame "
        f"({measured['no-pattern']:.1f} ms without the pattern rule: "
        f"patterns add {measured['postprod'] - measured['no-pattern']:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
