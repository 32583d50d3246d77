#!/usr/bin/env python3
"""L1 with postprod: the full analysis of a WAV (integrated, LRA, true peak, momentary and
short-term series), streamed from disk. Prints one JSON line like the peers."""

from __future__ import annotations

import json
import os
import sys
import tempfile

from postprod.deliver.measure import measure_file

media = os.environ.get("BENCH_MEDIA", os.path.join(tempfile.gettempdir(), "bench-media"))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(media, "programme_60min.wav")
result = measure_file(path)
print(
    json.dumps(
        {
            "peer": "postprod",
            "I_LUFS": round(result.integrated_lufs, 3),
            "LRA_LU": round(result.loudness_range_lu, 3),
            "TP_dBTP": round(result.true_peak_dbtp, 3),
            "momentary_values": int(result.momentary_lufs.size),
            "short_term_values": int(result.short_term_lufs.size),
        }
    )
)
