#!/usr/bin/env python3
"""Silence-based cutting of a 60-minute dialogue file: postprod against FFmpeg's silencedetect.

Both read the same 48 kHz mono 16-bit WAV and look for pauses under -40 dBFS
of at least 0.5 s: postprod with ``find_pauses`` over ``iter_audio_blocks``
(and the frame ranges it would cut, at 25 fps with 0.1 s margins), FFmpeg
with the ``silencedetect`` filter driven through PyAV (decode + filter graph;
auto-editor's package downloads a binary at run time and cannot run here).
Alternating runs in one process; prints medians, the ratio, and how far the
pause boundaries of the two differ (the goal: within one frame, 40 ms).

    /tmp/pv/bin/python bench/bench_silence.py --minutes 60 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile

from postprod.media.audio import iter_audio_blocks
from postprod.qc.silence import find_pauses
from postprod.timeline.autocut import pause_cuts

SR = 48000


def write_dialogue(path: Path, minutes: float, seed: int = 7) -> Path:
    """Talk (voiced buzz + breath noise, 0.5-6 s) and pauses (0.1-2.5 s) over -62 dBFS room tone."""
    rng = np.random.default_rng(seed)
    total = int(minutes * 60 * SR)
    with soundfile.SoundFile(path, "w", SR, 1, "PCM_16") as out:
        written, talking = 0, True
        while written < total:
            length = int((rng.uniform(0.5, 6.0) if talking else rng.uniform(0.1, 2.5)) * SR)
            length = min(max(length, SR // 10), total - written)
            t = (np.arange(length) + written) / SR
            if talking:
                pitch = rng.uniform(90, 220)
                block = 0.25 * np.sign(np.sin(2 * np.pi * pitch * t))
                block *= 0.5 + 0.5 * np.abs(np.sin(2 * np.pi * rng.uniform(2, 5) * t))
                block += rng.normal(0, 0.04, length)
            else:
                block = rng.normal(0, 10 ** (-62 / 20) / 3, length)
            out.write(block.astype(np.float32))
            written += length
            talking = not talking
    return path


def run_postprod(path: Path) -> list[tuple[float, float]]:
    pauses = find_pauses(iter_audio_blocks(path, block_samples=1 << 18), SR, threshold_db=-40)
    pause_cuts(pauses, SR, Fraction(25), margin_s=0.1)
    return [(run.start / SR, run.end / SR) for run in pauses]


def run_ffmpeg(path: Path) -> list[tuple[float, float]]:
    starts: list[float] = []
    ends: list[float] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        graph = av.filter.Graph()
        source = graph.add_abuffer(template=stream)
        detect = graph.add("silencedetect", "noise=-40dB:d=0.5")
        sink = graph.add("abuffersink")
        source.link_to(detect)
        detect.link_to(sink)
        graph.configure()

        def drain() -> None:
            while True:
                try:
                    frame = sink.pull()
                except (av.BlockingIOError, av.EOFError):
                    return
                if "lavfi.silence_start" in frame.metadata:
                    starts.append(float(frame.metadata["lavfi.silence_start"]))
                if "lavfi.silence_end" in frame.metadata:
                    ends.append(float(frame.metadata["lavfi.silence_end"]))

        for frame in container.decode(stream):
            source.push(frame)
            drain()
        source.push(None)
        drain()
        duration = float(container.duration or 0) / av.time_base
    ends += [duration] * (len(starts) - len(ends))
    return list(zip(starts, ends, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = write_dialogue(
        Path(tempfile.mkdtemp(prefix="bench-silence-")) / "dialogue.wav", args.minutes
    )
    times: dict[str, list[float]] = {"postprod": [], "ffmpeg": []}
    found: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.repeat):
        for name, run in (("postprod", run_postprod), ("ffmpeg", run_ffmpeg)):
            start = time.perf_counter()
            found[name] = run(path)
            times[name].append(time.perf_counter() - start)
    ours, theirs = found["postprod"], found["ffmpeg"]
    worst = max(
        (max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(ours, theirs, strict=False)),
        default=0.0,
    )
    pp, ff = statistics.median(times["postprod"]), statistics.median(times["ffmpeg"])
    print(
        f"{args.minutes:g} min dialogue: {len(ours)} pauses (postprod), {len(theirs)} (silencedetect); "
        f"largest boundary difference {worst * 1000:.3f} ms; "
        f"postprod {pp:.2f} s, FFmpeg silencedetect via PyAV {ff:.2f} s (medians of {args.repeat}); "
        f"ffmpeg/postprod = {ff / pp:.2f}; {args.minutes * 60 / pp:.0f}x real time"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
