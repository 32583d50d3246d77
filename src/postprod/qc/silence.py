"""Pauses in speech: stretches where every channel stays below a threshold.

The definition is FFmpeg's ``silencedetect`` (a sample position is silent
when its magnitude is under the threshold on every channel; a pause is a run
of such positions at least ``min_pause_s`` long), so the two agree to the
sample on the same file. Streaming: blocks in, runs out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from postprod.qc.runs import Run, RunFinder


def find_pauses(
    blocks: Iterable[NDArray[np.floating]],
    sample_rate: int,
    *,
    threshold_db: float = -40.0,
    min_pause_s: float = 0.5,
) -> list[Run]:
    """The pauses (runs of samples under ``threshold_db`` dBFS on every channel) in a stream."""
    level = 10 ** (threshold_db / 20)
    finder = RunFinder(max(1, round(min_pause_s * sample_rate)))
    for block in blocks:
        finder.feed(np.abs(block).max(axis=0) < level)
    return finder.finish()
