#!/usr/bin/env python3
"""T1 with postprod: frames 0..N-1 -> 29.97 DF labels -> frames, as the peers do it.

Same shape as ../shared/bench/peers/t1_otio.py: prints in-process rates as JSON
and writes the labels, one per line, for the comparison.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

import numpy as np

from postprod.timecode import FrameRate, frames_to_labels, labels_to_frames

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = (
    sys.argv[2]
    if len(sys.argv) > 2
    else os.path.join(tempfile.gettempdir(), "bench-out", "t1_postprod.txt")
)
rate = FrameRate.parse("29.97df")
frames = np.arange(N, dtype=np.int64)
t0 = time.perf_counter()
labels = frames_to_labels(frames, rate)
t1 = time.perf_counter()
back = labels_to_frames(labels, rate)
t2 = time.perf_counter()
mismatches = int(np.count_nonzero(back != frames))
# One ASCII line per label, written from the code-point grid (the same bytes as
# "\n".join(labels) + "\n", without a Python string per label).
lines = np.empty((N, 12), dtype=np.uint8)
lines[:, :11] = labels.view(np.uint32).reshape(N, 11)
lines[:, 11] = ord("\n")
lines.tofile(out)
print(
    json.dumps(
        {
            "peer": "postprod",
            "to_label_ops_s": round(N / (t1 - t0)),
            "from_label_ops_s": round(N / (t2 - t1)),
            "roundtrip_mismatches": mismatches,
            "last": str(labels[-1]),
        }
    )
)
