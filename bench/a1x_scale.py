#!/usr/bin/env python3
"""A1x: the console's memory at scale, 64 tracks x 10 minutes (WORKLOADS.md A1 scale variant).

Each track is a generated source (seeded noise shaped by a slow envelope, made
block by block, so the sources themselves hold no memory), with the A1 strip
(three EQ bands and a compressor), pan and, on every fourth track, a reverb
send; master limiter; the mix is written to a 24-bit WAV. Prints wall time
and peak RSS (``resource``).

    .venv/bin/python bench/a1x_scale.py [--tracks 64] [--minutes 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import numpy as np
from numpy.typing import NDArray

from postprod.audio.mixer import Mixer, Session, Track
from postprod.effects.console import BusState, ConsoleState, SendState, StripState
from postprod.effects.registry import EffectSpec
from postprod.media import write_audio

RATE = 48000


class NoiseSource:
    """Deterministic noise, any span on request, nothing held."""

    channels = 1

    def __init__(self, seed: int, samples: int) -> None:
        self.seed, self.samples = seed, samples

    def read(self, start: int, count: int) -> NDArray[np.float32]:
        rng = np.random.default_rng([self.seed, max(start, 0)])
        block = (0.05 * rng.standard_normal((1, count))).astype(np.float32)
        position = start + np.arange(count)
        block[:, (position < 0) | (position >= self.samples)] = 0.0
        return block


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=64)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    samples = int(args.minutes * 60 * RATE)
    strip = (
        EffectSpec.of("low_shelf", cutoff_frequency_hz=120, gain_db=-2),
        EffectSpec.of("peak", cutoff_frequency_hz=2500, gain_db=2, q=1.0),
        EffectSpec.of("high_shelf", cutoff_frequency_hz=8000, gain_db=1),
        EffectSpec.of("compressor", threshold_db=-24, ratio=3),
    )
    tracks = tuple(
        Track(
            f"t{k}",
            NoiseSource(k, samples),
            StripState(
                gain_db=-12,
                pan=((k % 9) - 4) / 4,
                inserts=strip,
                sends=(SendState("reverb", -10),) if k % 4 == 0 else (),
            ),
        )
        for k in range(args.tracks)
    )
    session = Session(
        RATE,
        tracks,
        ConsoleState(
            (BusState("reverb", inserts=(EffectSpec.of("reverb", wet_level=1.0, dry_level=0.0),)),),
            master_inserts=(EffectSpec.of("limiter", ceiling_db=-1),),
        ),
    )
    out = os.path.join(tempfile.gettempdir(), "bench-out", "a1x_postprod.wav")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    start = time.perf_counter()
    write_audio(out, (b.master for b in Mixer(session).blocks(samples, block_samples=8192)), RATE)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = samples / RATE
    print(
        f"{args.tracks} tracks x {seconds:.0f} s: {elapsed:.1f} s ({seconds / elapsed:.1f}x real time), peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
