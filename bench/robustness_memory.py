#!/usr/bin/env python3
"""Peak memory against programme length: mix, loudness, normalize, qc, sync and render
on a short and a long programme, each command a whole ``postprod`` process (peak RSS
from GNU time). Memory should be flat: the long run within 20 % of the short one.

    .venv/bin/python bench/robustness_memory.py                  # 10 and 60 min (render 1, 5)
    .venv/bin/python bench/robustness_memory.py --minutes 10 120 --render-minutes 1 10

Sound is a stereo 48 kHz 16-bit WAV (speech-like tone bursts over noise), written in
blocks; the picture a 320x180 25 fps H.264 file; both in BENCH_MEDIA (default: a
temporary folder), made once and kept.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from postprod.timeline.model import media_clip, rational_time

RATE = 48_000
FPS = Fraction(25)
POSTPROD = [sys.executable, "-m", "postprod"]


def sound(path: Path, minutes: float) -> Path:
    if path.exists():
        return path
    rng = np.random.default_rng(1)
    block = RATE * 10
    with soundfile.SoundFile(path, "w", RATE, 2, "PCM_16") as out:
        for start in range(0, int(minutes * 60 * RATE), block):
            t = (start + np.arange(block)) / RATE
            burst = (np.sin(2 * np.pi * 0.3 * t) > 0).astype(np.float32)
            tone = 0.2 * np.sin(2 * np.pi * 220 * t) * burst
            noise = 0.01 * rng.standard_normal(block)
            out.write(np.stack([tone + noise, tone + noise], axis=1).astype(np.float32))
    return path


def excerpt(path: Path, source: Path, at_s: float, seconds: float) -> Path:
    if not path.exists():
        data, _ = soundfile.read(
            source, start=int(at_s * RATE), frames=int(seconds * RATE), dtype="float32"
        )
        soundfile.write(path, data, RATE, "PCM_16")
    return path


def picture(path: Path, minutes: float) -> Path:
    if path.exists():
        return path
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "30"}
        frame_rgb = np.zeros((180, 320, 3), np.uint8)
        for index in range(int(minutes * 60 * 25)):
            frame_rgb[:] = (index * 7) % 256
            frame = av.VideoFrame.from_ndarray(frame_rgb, format="rgb24")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def project(path: Path, media: Path, frames: int, *, video: bool) -> Path:
    timeline = otio.schema.Timeline(path.stem, global_start_time=rational_time(0, FPS))
    kind = otio.schema.TrackKind.Video if video else otio.schema.TrackKind.Audio
    track = otio.schema.Track("V1" if video else "A1", kind=kind)
    track.append(
        media_clip(media, name=media.stem, rate=FPS, available_frames=frames, duration=frames)
    )
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path), adapter_name="otio_json")
    return path


def measure(folder: Path, minutes: float) -> dict[str, tuple[float, int]]:
    wav = sound(folder / f"programme_{minutes:g}min.wav", minutes)
    frames = int(minutes * 60 * 25)
    mixable = project(folder / f"mix_{minutes:g}min.otio", wav, frames, video=False)
    line = excerpt(folder / f"line_{minutes:g}min.wav", wav, minutes * 30, 20)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    runs = {
        "mix": ["mix", mixable, "-o", out / "mix.wav"],
        "loudness": ["loudness", wav, "--json"],
        "normalize": ["normalize", wav, "-o", out / "norm.wav", "--target", "-23"],
        "qc": ["qc", wav, "--preset", "ebu-r128", "--json"],
        "sync": ["sync", wav, line, "--json"],
    }
    figures = {}
    for name, args in runs.items():
        figures[name] = _run(args)
    return figures


def measure_render(folder: Path, minutes: float) -> tuple[float, int]:
    video = picture(folder / f"picture_{minutes:g}min.mp4", minutes)
    frames = int(minutes * 60 * 25)
    renderable = project(folder / f"render_{minutes:g}min.otio", video, frames, video=True)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    return _run(["render", renderable, "-o", out / "render.mp4", "--proxy"])


def _run(args: list[object]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one ``postprod`` run; ``qc`` may exit 3 (a check
    failed), which is still a measurement."""
    command = ["/usr/bin/time", "-v", *POSTPROD, *map(str, args)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"{args} failed:\n{done.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return elapsed, int(rss.group(1)) if rss else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs=2, default=[10, 60])
    parser.add_argument("--render-minutes", type=float, nargs=2, default=[1, 5])
    options = parser.parse_args()
    folder = Path(os.environ.get("BENCH_MEDIA", tempfile.gettempdir())) / "robustness-memory"
    folder.mkdir(parents=True, exist_ok=True)
    short, long = options.minutes
    rows = {}
    for minutes in (short, long):
        for name, figure in measure(folder, minutes).items():
            rows.setdefault(name, {})[minutes] = figure
    r_short, r_long = options.render_minutes
    rows["render"] = {m: measure_render(folder, m) for m in (r_short, r_long)}
    print(
        "| command | short | peak RSS short (MB) | long | peak RSS long (MB) | long / short | wall long (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, by_length in rows.items():
        (a_min, (_, a_kb)), (b_min, (b_s, b_kb)) = sorted(by_length.items())
        ratio = b_kb / a_kb if a_kb else float("nan")
        print(
            f"| {name} | {a_min:g} min | {a_kb / 1024:.0f} | {b_min:g} min | {b_kb / 1024:.0f} "
            f"| {ratio:.2f} | {b_s:.1f} |"
        )


if __name__ == "__main__":
    main()
