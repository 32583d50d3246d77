"""Runs of flagged samples followed across block edges: clipping, silence, pauses.

Feed one boolean per sample (per block, in order); a run counts when it
lasts at least ``minimum`` samples. Nothing grows with the stream's length
except the runs found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of samples, ``start`` to ``start + length`` (in samples, on any channel)."""

    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(slots=True)
class RunFinder:
    """Collects the runs of ``True`` at least ``minimum`` samples long."""

    minimum: int
    found: list[Run] = field(default_factory=list)
    samples: int = 0
    _open_at: int | None = field(default=None, init=False)

    def feed(self, flags: NDArray[np.bool_]) -> None:
        """The next block's flags."""
        if not flags.size:
            return
        # Segments of equal flags: one pass to find where the value changes.
        bounds = np.concatenate(([0], np.flatnonzero(flags[1:] != flags[:-1]) + 1, [flags.size]))
        flagged = flags[bounds[:-1]]
        starts = (bounds[:-1][flagged] + self.samples).tolist()
        ends = (bounds[1:][flagged] + self.samples).tolist()
        if self._open_at is not None and starts and starts[0] == self.samples:
            starts[0] = self._open_at  # the run from the last block goes on
        elif self._open_at is not None:
            self._close(self._open_at, self.samples)
        self._open_at = None
        if ends and ends[-1] == self.samples + flags.size:
            self._open_at = starts.pop()
            ends.pop()
        for start, end in zip(starts, ends, strict=True):
            self._close(start, end)
        self.samples += flags.size

    def finish(self) -> list[Run]:
        """Close a run still open at the end of the stream; returns every run found."""
        if self._open_at is not None:
            self._close(self._open_at, self.samples)
            self._open_at = None
        return self.found

    def _close(self, start: int, end: int) -> None:
        if end - start >= self.minimum:
            self.found.append(Run(start, end - start))
