#!/usr/bin/env python3
"""S1: sync a 30-minute camera recording against three 30-minute recorder files.

The files are generated here (speech-like, seeded) into $TMPDIR/bench-media/s1/: each
recorder starts at a known offset, with noise at 10 dB SNR and a known clock drift.
Times `postprod.workflows.sync.sync_files` (decoding included) and prints the real-time
factor and the errors. There is no peer for this workload (WORKLOADS.md).

    .venv/bin/python bench/s1_sync.py [--minutes 30]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import signal

from postprod.media import write_audio
from postprod.workflows.sync import sync_files

RATE = 48000
RECORDERS = [(1.2345, 0.0), (-3.5, 50.0), (7.25, -80.0)]  # (offset_s, drift_ppm)


def speech_like(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    sos = signal.butter(4, [200, 4000], btype="bandpass", fs=RATE, output="sos")
    t = np.arange(n) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2 * (
        0.5 + 0.5 * (np.sin(2 * np.pi * 0.1 * t) > 0)
    )
    return (0.2 * signal.sosfilt(sos, rng.standard_normal(n)) * envelope).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args()
    seconds = args.minutes * 60
    folder = Path(os.environ.get("BENCH_MEDIA", Path(tempfile.gettempdir()) / "bench-media")) / "s1"
    folder.mkdir(parents=True, exist_ok=True)
    world = speech_like(seconds + 20, seed=11)  # the sound in the room, 10 s either side
    camera = folder / "camera.wav"
    write_audio(
        camera, world[None, 10 * RATE : 10 * RATE + int(seconds * RATE)], RATE, bit_depth="16"
    )
    recorders = []
    for k, (offset_s, drift_ppm) in enumerate(RECORDERS):
        start = 10 * RATE + round(offset_s * RATE)
        take = world[start : start + int(seconds * RATE)].astype(np.float64)
        if (
            drift_ppm
        ):  # the recorder's clock runs slow by drift_ppm: fewer samples per second of sound
            ratio = round(1e6 / abs(drift_ppm))
            up, down = (ratio, ratio + 1) if drift_ppm > 0 else (ratio + 1, ratio)
            take = signal.resample_poly(take, up, down)
        noise = np.random.default_rng(k).normal(0, np.sqrt(np.mean(take**2) / 10), take.size)
        path = folder / f"recorder_{k + 1}.wav"
        write_audio(path, (take + noise).astype(np.float32)[None], RATE, bit_depth="16")
        recorders.append(path)
    t0 = time.perf_counter()
    results = sync_files(camera, recorders)
    elapsed = time.perf_counter() - t0
    audio_s = seconds * (1 + len(recorders))
    print(
        f"S1: {len(recorders)} x {args.minutes:g} min against a {args.minutes:g} min camera: "
        f"{elapsed:.1f} s, {seconds * len(recorders) / elapsed:.0f}x real time (recordings synced), "
        f"{audio_s / elapsed:.0f}x counting the camera"
    )
    for (path, result), (offset_s, drift_ppm) in zip(results, RECORDERS, strict=True):
        print(
            f"  {path.name}: offset {result.offset_s:+.6f} s (error {1000 * (result.offset_s - offset_s):+.3f} ms), "
            f"drift {result.drift_ppm:+.1f} ppm (true {drift_ppm:+.1f}), confidence {result.confidence:.2f}"
        )


if __name__ == "__main__":
    main()
