"""Sync by sound in bounded memory: a 25-minute pair is found to the sample, and the sync
process's peak memory stays far below what holding the takes as arrays would need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile

RATE = 24_000
MINUTES = 25
BLOCK_S = 10
OFFSET = 77_123  # the recorder rolled 3.2135 s after the camera
#: Peak RSS of the syncing process. Holding the two 25-minute takes as float32 and
#: float64 arrays (the whole-array engine) needs over 800 MB; streamed, it stays near
#: the interpreter's and the libraries' own footprint.
BOUND_MB = 400


def _room(block: int) -> np.ndarray:
    """Ten seconds of the room's sound, seeded by its place: bursts of noise."""
    rng = np.random.default_rng(block)
    noise = rng.standard_normal(BLOCK_S * RATE).astype(np.float32)
    bursts = np.repeat(rng.random(BLOCK_S * 4) > 0.5, RATE // 4).astype(np.float32)
    return 0.2 * noise * (0.1 + bursts)


def _write(path: Path, first: int, samples: int) -> Path:
    """The room's sound from sample ``first`` on, written block by block."""
    step = BLOCK_S * RATE
    with soundfile.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for start in range(first, first + samples, step):
            k = start // step
            joined = np.concatenate([_room(k), _room(k + 1)])
            piece = joined[start - k * step :][: min(step, first + samples - start)]
            out.write(piece)
    return path


# The peak from /proc (VmHWM: this program's own pages since exec), not getrusage's
# ru_maxrss, which a child keeps from its parent across fork and exec (pytest's peak).
SCRIPT = """
import json, re, sys
from pathlib import Path
from postprod.workflows.sync import sync_files
((_, result),) = sync_files(sys.argv[1], [sys.argv[2]])
status = Path("/proc/self/status").read_text()
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
print(json.dumps({"offset_s": result.offset_s, "drift_ppm": result.drift_ppm,
                  "confidence": result.confidence, "peak_mb": peak_kb / 1024}))
"""


def test_a_long_pair_syncs_in_bounded_memory(tmp_path: Path) -> None:
    samples = MINUTES * 60 * RATE
    camera = _write(tmp_path / "camera.wav", 0, samples)
    recorder = _write(tmp_path / "recorder.wav", OFFSET, samples - 2 * OFFSET)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(camera), str(recorder)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    assert abs(found["offset_s"] * RATE - OFFSET) < 1.0
    assert abs(found["drift_ppm"]) < 1.0 and found["confidence"] > 0.99
    assert found["peak_mb"] < BOUND_MB, found
