"""What the benchmark runners share: timing a whole process with its peak RSS."""

from __future__ import annotations

import re
import subprocess
import time


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB, GNU time) of one run of ``command``; stops on failure."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{command} failed:\n{done.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return elapsed, int(rss.group(1)) if rss else 0
