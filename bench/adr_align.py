#!/usr/bin/env python3
"""ADR: align a 60-second replacement line to its guide; and clean ten minutes of dialogue.

Generates the material (a formant voice: the guide, and the actor's take with its own
uneven timing, 150 ms late and drifting syllable by syllable), times
`postprod.audio.adr.align_take` (features, warp, stretch) and prints the sync error
before and after, as the command reports it and as measured independently at each
syllable's onset. Then times `clean_blocks` (noise, 50 Hz hum, clicks) on ten minutes.
There is no peer for these workloads (WORKLOADS.md has none; VocALign is not scriptable).

    .venv/bin/python bench/adr_align.py [--seconds 60] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import signal

from postprod.audio.adr import align_take
from postprod.audio.cleanup import CleanSettings, clean_blocks, learn_noise
from postprod.audio.synth import voice

RATE = 48000
VOWELS = "aeiou"


def line(seconds: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Guide, replacement and the guide's syllable starts."""
    rng = np.random.default_rng(seed)
    count = int((seconds - 1.5) / 0.42)
    lengths = rng.uniform(0.12, 0.3, count)
    gaps = rng.uniform(0.1, 0.2, count)
    starts = 0.4 + np.concatenate([[0.0], np.cumsum(lengths + gaps)[:-1]])
    take_starts = starts + 0.15 + np.cumsum(rng.uniform(-0.05, 0.055, count))
    take_lengths = lengths * rng.uniform(0.8, 1.25, count)
    guide = voice(
        [(s, d, VOWELS[k % 5]) for k, (s, d) in enumerate(zip(starts, lengths, strict=True))],
        seconds,
        RATE,
        f0_hz=115,
        rng=np.random.default_rng(seed + 1),
    )
    take = voice(
        [
            (s, d, VOWELS[k % 5])
            for k, (s, d) in enumerate(zip(take_starts, take_lengths, strict=True))
        ],
        seconds + 1.0,
        RATE,
        f0_hz=128,
        rng=np.random.default_rng(seed + 2),
    )
    return guide, 0.6 * take, starts


def onsets(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    envelope = signal.sosfiltfilt(signal.butter(2, 80, fs=RATE, output="sos"), np.abs(x))
    found = []
    for start in starts:
        lo, hi = round((start - 0.1) * RATE), round((start + 0.1) * RATE)
        window = envelope[lo:hi]
        found.append((lo + int(np.argmax(window > 0.5 * window.max()))) / RATE)
    return np.array(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    guide, take, starts = line(args.seconds)
    align_take(guide[None, : RATE * 3], take[None, : RATE * 3], RATE)  # compile the warp once
    times = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        result = align_take(guide[None], take[None], RATE)
        times.append(time.perf_counter() - began)
    truth_before = np.abs(onsets(take[: guide.size], starts) - onsets(guide, starts)) * 1000
    truth_after = np.abs(onsets(result.audio[0], starts) - onsets(guide, starts)) * 1000
    print(f"ADR: {args.seconds:.0f} s line, {starts.size} syllables")
    print(
        f"  align: best {min(times):.2f} s of {args.repeat} ({args.seconds / min(times):.1f}x real time)"
    )
    for label, error in (("before", result.error_before), ("after", result.error_after)):
        print(f"  reported {label}: median {error.median_ms:.1f} ms, p95 {error.p95_ms:.1f} ms")
    for label, error in (("before", truth_before), ("after", truth_after)):
        print(
            f"  syllable onsets {label}: median {np.median(error):.1f} ms, "
            f"p95 {np.percentile(error, 95):.1f} ms"
        )

    minutes = 10
    rng = np.random.default_rng(5)
    speech = np.tile(guide, int(np.ceil(minutes * 60 / args.seconds)))[: minutes * 60 * RATE]
    t = np.arange(speech.size) / RATE
    dirty = speech + 0.02 * rng.standard_normal(speech.size) + 0.02 * np.sin(2 * np.pi * 50 * t)
    dirty[rng.integers(0, dirty.size, 200)] += 0.5
    dirty32 = dirty.astype(np.float32)[None]

    def blocks():
        return (dirty32[:, i : i + 65536] for i in range(0, dirty32.shape[1], 65536))

    began = time.perf_counter()
    profile = learn_noise(blocks(), RATE)
    out = np.concatenate(
        list(clean_blocks(blocks(), RATE, CleanSettings(hum_hz=50.0, declick=True), profile)),
        axis=1,
    )
    seconds = time.perf_counter() - began
    snr = lambda x: 10 * np.log10(np.sum(speech**2) / np.sum((x - speech) ** 2))  # noqa: E731
    print(
        f"clean: {minutes} min of dialogue (noise, 50 Hz hum, clicks) in {seconds:.2f} s = "
        f"{minutes * 60 / seconds:.0f}x real time; SNR {snr(dirty):.1f} -> {snr(out[0]):.1f} dB"
    )


if __name__ == "__main__":
    main()
