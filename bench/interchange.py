#!/usr/bin/env python3
"""Interchange: E1 (a 2,000-event EDL imported, edited, exported) and an FCPXML and an AAF of
the same timeline, postprod against the bare OTIO adapters, in one process, alternating runs.

postprod does more than the adapters on each path: the loss survey (one warning per kind
the format cannot carry), record-times-govern leniency, exact rational FCPXML time, its
own AAF writer. Prints the median of each and the ratio adapter/postprod (above 1: postprod
faster). The adapters' AAF writer refuses these timelines (no Avid mob IDs): reported as such.

    .venv/bin/python bench/interchange.py --repeat 3 --events 2000 --aaf-repeat 1
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e1_edl import run_otio, run_postprod
from e1_edl import write_edl
from postprod.interchange import export_timeline, import_timeline


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pair(
    ours: Callable[[], object], bare: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of both, runs alternating (the machine is shared: load drifts)."""
    mine, theirs = [], []
    for _ in range(repeat):
        mine.append(_median(ours, 1))
        theirs.append(_median(bare, 1))
    return statistics.median(mine), statistics.median(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--aaf-repeat", type=int, default=1, help="AAF runs (slow: pyaaf2)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rate = 25.0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = write_edl(work / "e1.edl", events=args.events, rate=rate)
        rows: list[tuple[str, float, float | None]] = []
        ours, bare = _pair(
            lambda: run_postprod(source, work / "pp.edl", rate),
            lambda: run_otio(source, work / "otio.edl", rate),
            args.repeat,
        )
        rows.append(("E1 EDL import + trim + export", ours, bare))

        timeline = import_timeline(source, rate=rate)
        fcpxml = work / "pp.fcpxml"
        bare_text: list[str] = []

        def adapter_write() -> None:
            bare_text[:] = [otio.adapters.write_to_string(timeline, adapter_name="fcpx_xml")]

        ours, bare = _pair(lambda: export_timeline(timeline, fcpxml), adapter_write, args.repeat)
        rows.append(("FCPXML write", ours, bare))
        ours, bare = _pair(
            lambda: import_timeline(fcpxml),
            lambda: otio.adapters.read_from_string(bare_text[0], adapter_name="fcpx_xml"),
            args.repeat,
        )
        rows.append(("FCPXML read", ours, bare))

        aaf = work / "pp.aaf"
        ours = _median(lambda: export_timeline(timeline, aaf), args.aaf_repeat)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                otio.adapters.write_to_file(timeline, str(work / "otio.aaf"), adapter_name="AAF")
            bare_aaf: float | None = 0.0
        except Exception:  # the adapter's writer wants Avid mob IDs: it refuses
            bare_aaf = None
        rows.append(("AAF write", ours, bare_aaf))
        with contextlib.redirect_stdout(io.StringIO()):
            ours = _median(lambda: import_timeline(aaf), args.aaf_repeat)
            bare = _median(
                lambda: otio.adapters.read_from_file(str(aaf), adapter_name="AAF"),
                args.aaf_repeat,
            )
        rows.append(("AAF read (postprod's file)", ours, bare))
    clips = len(list(timeline.find_clips()))
    print(f"{args.events} events ({clips} clips) at {rate:g} fps, median of {args.repeat}")
    print("| step | postprod | bare OTIO adapter | adapter/postprod |")
    print("|---|---|---|---|")
    for name, ours, bare in rows:
        if bare is None:
            print(f"| {name} | {ours:.3f} s | refuses | - |")
        else:
            print(f"| {name} | {ours:.3f} s | {bare:.3f} s | {bare / ours:.2f} |")


if __name__ == "__main__":
    main()
