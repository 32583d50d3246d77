#!/usr/bin/env python3
"""Start-up: how long a short command takes as a whole process, against bare Python.

Runs each command as its own process ``--repeat`` times (interleaved, so a noisy
moment hits every command alike), prints the median wall time, the difference
from ``python -c pass`` measured in the same run, and whether the goal is met:

- ``postprod --version`` and ``postprod tc frames 01:00:00:00 --rate 25``: within
  0.25 s of bare Python;
- ``postprod inspect demo.otio --json``: within 0.6 s;
- the help of the commands that run engines (``edit P split``, ``mixer P show``,
  ``mix``, ``render``, ``sync``, ``sfx``): timed, no goal (``tests/test_conventions.py``
  checks that none of them loads SciPy, pedalboard, Numba, matplotlib or PyAV).

    .venv/bin/python bench/startup.py [--repeat 7] [--demo PATH/demo.otio] [--before SRC]

Without ``--demo`` it makes the demo project first (``postprod demo``, about a
minute) in a temporary folder. ``--before SRC`` also times the same commands
with another checkout's ``src`` folder first on ``PYTHONPATH`` (e.g. from
``git archive COMMIT src | tar -x -C DIR``), in the same run, and prints the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
POSTPROD = str(VENV_BIN / "postprod")


def run_once(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall seconds of one whole process; stops the benchmark if the command fails."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def make_demo(folder: Path) -> Path:
    print(f"making the demo project in {folder} (about a minute) ...", flush=True)
    subprocess.run([POSTPROD, "demo", "-o", str(folder)], check=True, capture_output=True)
    return folder / "demo.otio"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (median)")
    parser.add_argument("--demo", type=Path, help="a demo project (.otio); default: make one")
    parser.add_argument("--before", type=Path, help="another checkout's src, timed alongside")
    args = parser.parse_args()
    before_env = None
    if args.before is not None:
        before_env = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
    with tempfile.TemporaryDirectory(prefix="startup-") as scratch:
        demo = args.demo if args.demo is not None else make_demo(Path(scratch) / "demo")
        if not demo.is_file():
            raise SystemExit(f"no project at {demo}")
        # (label, command, goal: seconds over bare Python, or None: timed only)
        cases: list[tuple[str, list[str], float | None]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("postprod --version", [POSTPROD, "--version"], 0.25),
            (
                "postprod tc frames 01:00:00:00 --rate 25",
                [POSTPROD, "tc", "frames", "01:00:00:00", "--rate", "25"],
                0.25,
            ),
            ("postprod inspect demo.otio --json", [POSTPROD, "inspect", str(demo), "--json"], 0.6),
            (
                "postprod edit demo.otio split --help",
                [POSTPROD, "edit", str(demo), "split", "--help"],
                None,
            ),
            (
                "postprod mixer demo.otio show --help",
                [POSTPROD, "mixer", str(demo), "show", "--help"],
                None,
            ),
            *(
                (f"postprod {name} --help", [POSTPROD, name, "--help"], None)
                for name in ("mix", "render", "sync", "sfx")
            ),
        ]
        runs = [(label, command, None) for label, command, _ in cases]
        if before_env is not None:  # the commands the older code has (a newer one may not)
            runs += [
                (f"before: {label}", command, before_env)
                for label, command, _ in cases[1:]
                if subprocess.run(command, capture_output=True, env=before_env).returncode == 0
            ]
        for _, command, env in runs:  # warm the page cache and the bytecode
            run_once(command, env)
        times: dict[str, list[float]] = {label: [] for label, _, _ in runs}
        for _ in range(args.repeat):
            for label, command, env in runs:
                times[label].append(run_once(command, env))
    medians = {label: statistics.median(values) for label, values in times.items()}
    bare = medians["python -c pass"]
    print(f"\nmedian of {args.repeat} whole-process runs, {sys.version.split()[0]}")
    print(f"{'command':44s} {'median s':>9s} {'min-max s':>13s} {'over python s':>14s}  goal")
    for label, _, goal in cases:
        values = times[label]
        over = medians[label] - bare
        verdict = "" if goal is None else f"<= {goal:.2f}: {'met' if over <= goal else 'NOT met'}"
        print(
            f"{label:44s} {medians[label]:9.3f} {min(values):6.3f}-{max(values):6.3f} "
            f"{over:14.3f}  {verdict}"
        )
    if before_env is not None:
        print(f"\nbefore ({args.before}) / now, whole process:")
        for label, _, _ in cases[1:]:
            old = medians.get(f"before: {label}")
            if old is None:
                print(f"{label:44s} (not in the older code)")
                continue
            print(
                f"{label:44s} {old:6.3f} s -> {medians[label]:6.3f} s: {old / medians[label]:.2f}x"
            )


if __name__ == "__main__":
    main()
