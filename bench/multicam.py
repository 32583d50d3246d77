#!/usr/bin/env python3
"""Multicam: create + auto-switch of four 60-minute angles, beside plain ``sync`` of them.

Four sound files (three talkers' microphones with crosstalk, and the wide angle's room
microphone), a synthetic conversation of random turns with overlaps and backchannels,
Broadcast Wave time references 0.0 / 1.3 / 2.7 / 0.4 s apart, are generated once into
$BENCH_MEDIA/multicam/ (default $TMPDIR/bench-media). Then, each as a whole process with
its peak RSS (GNU time):

* ``postprod new`` + ``postprod multicam create --sync timecode`` + ``postprod multicam
  auto --mic 1=.. 2=.. 3=.. --wide 4`` (the whole multicam analysis);
* ``postprod sync`` of the same files by timecode, and by their sound (the peers).

Prints seconds, real-time factors (the programme's length over the time) and peak memory.

    .venv/bin/python bench/multicam.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from _common import timed
from postprod.media import write_audio
from postprod.media.bwf import Bext

RATE = 48000
STARTS_S = (0.0, 1.3, 2.7, 0.4)  # each file's start after 10:00:00:00
BLOCK_S = 60


def _conversation(seconds: float, seed: int) -> list[tuple[int, float, float]]:
    """Random turns (talker, start, end): 2-15 s each, some overlaps and backchannels."""
    rng = np.random.default_rng(seed)
    turns, at, talker = [], 1.0, 0
    while at < seconds:
        length = float(rng.uniform(2, 15))
        turns.append((talker, at, min(seconds, at + length)))
        if rng.random() < 0.3:  # a backchannel from someone else
            other = (talker + 1 + int(rng.integers(2))) % 3
            when = at + float(rng.uniform(0.5, max(0.6, length - 1)))
            turns.append((other, when, when + float(rng.uniform(0.2, 0.6))))
        nxt = (talker + 1 + int(rng.integers(2))) % 3
        overlap = float(rng.uniform(0.5, 3.5)) if rng.random() < 0.15 else -0.3
        at, talker = at + length - overlap, nxt
    return turns


def _blocks(turns: list[tuple[int, float, float]], seconds: float, mic: int, start_s: float):
    """The microphone's sound, block by block (bounded memory while generating)."""
    rng = np.random.default_rng(100 + mic)
    total = round((seconds - start_s) * RATE)
    syllable = 0.18 * RATE
    for first in range(0, total, BLOCK_S * RATE):
        n = min(BLOCK_S * RATE, total - first)
        t = (first + np.arange(n)) / RATE + start_s
        voices = np.zeros((3, n), np.float32)
        for talker, begin, end in turns:
            if end <= t[0] or begin >= t[-1]:
                continue
            inside = (t >= begin) & (t < end)
            phase = np.sin(np.pi * ((t[inside] * RATE) % syllable) / syllable) ** 2
            voices[talker, inside] = phase
        noise = _voices_noise(first + round(start_s * RATE), n)
        voices *= 0.3 * noise
        if mic < 3:
            heard = voices[mic] + 0.15 * (voices.sum(axis=0) - voices[mic])
        else:
            heard = 0.5 * voices.sum(axis=0)
        heard += rng.standard_normal(n).astype(np.float32) * 1e-3
        yield heard[None, :].astype(np.float32)


def _voices_noise(first: int, n: int) -> np.ndarray:
    """The talkers' voices as the same noise in every microphone: each absolute second of
    the room seeded by its number (files starting at other times share their samples)."""
    seconds = range(first // RATE, (first + n - 1) // RATE + 1)
    room = np.concatenate(
        [np.random.default_rng(k).standard_normal((3, RATE), np.float32) for k in seconds], axis=1
    )
    offset = first - seconds[0] * RATE
    return room[:, offset : offset + n]


def _files(folder: Path, minutes: float) -> list[Path]:
    seconds = minutes * 60 + 5
    paths = [folder / f"angle{number}_{minutes:g}min.wav" for number in range(1, 5)]
    if all(path.is_file() for path in paths):
        return paths
    turns = _conversation(seconds, seed=5)
    for mic, (path, start_s) in enumerate(zip(paths, STARTS_S, strict=True)):
        bext = Bext(time_reference_samples=round((36000 + start_s) * RATE))
        write_audio(path, _blocks(turns, seconds, mic, start_s), RATE, bit_depth="16", bext=bext)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--no-audio-sync", action="store_true", help="Skip sync by sound.")
    args = parser.parse_args()
    media = Path(os.environ.get("BENCH_MEDIA", Path(tempfile.gettempdir()) / "bench-media"))
    folder = media / "multicam"
    folder.mkdir(parents=True, exist_ok=True)
    files = _files(folder, args.minutes)
    work = Path(tempfile.mkdtemp(prefix="multicam-bench-"))
    postprod = [sys.executable, "-m", "postprod"]
    project = work / "talk.otio"
    programme_s = args.minutes * 60
    try:
        new_s, new_kb = timed([*postprod, "new", str(project), "--name", "talk", "--rate", "25"])
        create_s, create_kb = timed(
            [*postprod, "multicam", "create", str(project), "--name", "talk", *map(str, files)]
        )
        mics = [f"--mic={n}={files[n - 1]}" for n in (1, 2, 3)]
        auto_s, auto_kb = timed(
            [*postprod, "multicam", "auto", str(project), *mics, "--wide", "4", "--json"]
        )
        tc_s, tc_kb = timed([*postprod, "sync", *map(str, files), "--method", "timecode"])
        peers = [("sync --method timecode", tc_s, tc_kb)]
        if not args.no_audio_sync:
            audio_s, audio_kb = timed([*postprod, "sync", *map(str, files), "--method", "audio"])
            peers.append(("sync --method audio", audio_s, audio_kb))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = create_s + auto_s
    print(f"multicam: 4 angles x {args.minutes:g} min (sound), 48 kHz mono 16-bit")
    print(f"  new               {new_s:7.2f} s  peak {new_kb / 1024:6.0f} MB")
    print(f"  multicam create   {create_s:7.2f} s  peak {create_kb / 1024:6.0f} MB")
    print(f"  multicam auto     {auto_s:7.2f} s  peak {auto_kb / 1024:6.0f} MB")
    print(
        f"  create + auto     {total:7.2f} s  = {programme_s / total:.0f}x real time "
        f"({4 * programme_s / total:.0f}x counting every angle's sound)"
    )
    for name, seconds, kb in peers:
        print(
            f"  {name:<22}{seconds:7.2f} s  peak {kb / 1024:6.0f} MB"
            f"  (multicam create + auto / this: {total / seconds:.2f})"
        )


if __name__ == "__main__":
    main()
