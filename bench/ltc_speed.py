#!/usr/bin/env python3
"""LTC speed: encode and decode one hour at 29.97 DF, 48 kHz; prints x real time.

.venv/bin/python bench/ltc_speed.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import time

from postprod.timecode import FrameRate, ltc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args()
    rate, seconds = FrameRate.parse("29.97df"), args.minutes * 60
    t0 = time.perf_counter()
    audio = ltc.encode(0, rate, seconds, sample_rate=48000)
    t1 = time.perf_counter()
    frames = ltc.decode(audio, 48000, rate)
    t2 = time.perf_counter()
    print(f"encode {seconds / (t1 - t0):,.0f}x real time ({t1 - t0:.2f} s)")
    print(f"decode {seconds / (t2 - t1):,.0f}x real time ({t2 - t1:.2f} s), {len(frames):,} frames")


if __name__ == "__main__":
    main()
