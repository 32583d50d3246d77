#!/usr/bin/env python3
"""LTC decoder, this tree against an earlier revision's in the same run: speed on clean LTC,
and words found / mislabelled on field-style recordings (tests/test_ltc_field.py's independent
encoder: jitter, 4 kHz low-pass, 20 dB SNR; and a clean 22.05 kHz recorder).

.venv/bin/python bench/ltc_field.py [--minutes 10] [--field-seconds 60] [--before febd6eb~1]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from postprod.timecode import FrameRate, ltc

ROOT = Path(__file__).resolve().parents[1]


def _module_at(revision: str) -> ModuleType:
    """ltc.py as it was at ``revision``, loaded as its own module."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/postprod/timecode/ltc.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "ltc_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("ltc_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ltc_before"] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def _decode(module: ModuleType, audio: np.ndarray, sample_rate: int) -> list[int] | None:
    try:
        return [f.frames for f in module.decode(audio, sample_rate)]
    except Exception:  # the earlier decoder refuses rates below 16 kHz
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--field-seconds", type=float, default=60.0)
    parser.add_argument("--before", default="febd6eb~1", help="the revision to compare with")
    args = parser.parse_args()
    before = _module_at(args.before)
    seconds = args.minutes * 60
    rate = FrameRate.parse("29.97df")
    audio = ltc.encode(0, rate, seconds, sample_rate=48000)
    timings = {}
    for name, module in (("this tree", ltc), (args.before, before)):
        start = time.perf_counter()
        frames = module.decode(audio, 48000, rate)
        timings[name] = time.perf_counter() - start
        print(
            f"clean 29.97 DF, 48 kHz, {args.minutes:g} min: {name}: "
            f"{seconds / timings[name]:,.0f}x real time, {len(frames):,} frames"
        )
    print(f"speed, this tree / {args.before}: {timings[args.before] / timings['this tree']:.2f}")

    sys.path.insert(0, str(ROOT / "tests"))
    from test_ltc_field import Recording, record, word_bits

    fps = 30
    words = int(args.field_seconds * fps)
    first = 10 * 3600 * fps
    bits = word_bits(first, words, fps)
    expected = set(range(first, first + words))
    cases = {
        "dirty 48 kHz": Recording(48000, 0.02, 0.02, 0.05, 4000, None, 0.05, 5),
        "dirty 22.05 kHz": Recording(22050, 0.02, 0.02, 0.05, 4000, None, 0.05, 5),
        "clean 22.05 kHz": Recording(22050, 0.03, 0.02, 0.0, 8820, 60, 0.01, 6),
        "clean 8 kHz": Recording(8000, 0.03, 0.02, 0.0, 3200, 60, 0.01, 7),
    }
    for label, how in cases.items():
        signal = record(bits, fps, how)
        for name, module in (("this tree", ltc), (args.before, before)):
            found = _decode(module, signal, how.sample_rate)
            if found is None:
                print(f"{label}, {words} words: {name}: refused (sample rate)")
                continue
            right = len(set(found) & expected)
            wrong = sum(1 for f in found if f not in expected)
            print(f"{label}, {words} words: {name}: {right} found, {wrong} wrong labels")


if __name__ == "__main__":
    main()
