"""Native memory left behind by reading OTIO containers: OTIO's iterators vs postprod's reads.

OpenTimelineIO 0.18's ``__iter__`` on metadata (``AnyDictionary``/``AnyVector``) and on a
clip's ``effects``/``markers`` never frees its iterator. This measures the resident memory
each way of reading leaves per call (after ``malloc_trim``, so only what is still held
counts) and its time, in one process: ``dict(metadata)`` and ``list(clip.effects)`` (the
peer: OTIO's own Python API) against ``plain`` and ``items_of``
(``postprod.timeline.otio_access``), and the console's state built from the demo project.

    .venv/bin/python bench/otio_leak.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio

from postprod.timeline.otio_access import items_of, plain

_libc = ctypes.CDLL("libc.so.6")


def rss_mb() -> float:
    """Resident memory now, with the C library's free heap given back first."""
    gc.collect()
    _libc.malloc_trim(0)
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def per_call(run: Callable[[], object], calls: int) -> tuple[float, float]:
    """(bytes kept per call, microseconds per call) over ``calls`` calls after a warm-up."""
    for _ in range(min(calls // 10, 1000)):
        run()
    before = rss_mb()
    began = time.perf_counter()
    for _ in range(calls):
        run()
    elapsed = time.perf_counter() - began
    return (rss_mb() - before) * 2**20 / calls, elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--states", type=int, default=300, help="console states built")
    args = parser.parse_args()

    clip = otio.schema.Clip(name="x")
    clip.metadata["postprod"] = {
        "version": 1,
        "strip": {"gain_db": -3.0, "mute": False, "inserts": [{"kind": "eq", "gain_db": 1.5}]},
    }
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    metadata = clip.metadata["postprod"]
    rows = [
        ("dict(metadata) (OTIO's iterator)", lambda: dict(metadata)),
        ("plain(metadata)", lambda: plain(metadata)),
        ("list(clip.effects) (OTIO's iterator)", lambda: list(clip.effects)),
        ("items_of(clip.effects)", lambda: items_of(clip.effects)),
    ]
    print(f"otio {otio.__version__}, {args.calls} calls each")
    for label, run in rows:
        kept, micros = per_call(run, args.calls)
        print(f"{label:42s} {kept:8.1f} bytes kept per call   {micros:7.2f} us per call")

    sys.path.insert(0, str(Path(__file__).parent))
    from console import demo_project  # the console benchmark's demo project
    from postprod.console.state import Board

    with tempfile.TemporaryDirectory() as folder:
        board = Board(demo_project(Path(folder)))
        kept, micros = per_call(board._build, args.states)
        print(
            f"{'console state of the demo (Board._build)':42s} {kept:8.1f} bytes kept per call   {micros / 1000:7.2f} ms per call"
        )


if __name__ == "__main__":
    main()
