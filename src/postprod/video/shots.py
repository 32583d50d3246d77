"""Shot changes in a flat file: where one frame is suddenly unlike the frames before it.

Each frame is reduced to a small luma picture; its score is the mean absolute
difference from the previous frame (0..255). A cut is a frame whose score
is above ``threshold`` and several times the median of the recent scores,
so a fast pan or a flash of noise that stays high is not taken for a cut.
Dissolves are not cuts and are not reported.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

#: BT.709 luma weights.
_LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


@dataclass(slots=True)
class ShotDetector:
    """Feed frames in order; ``cuts`` lists the frame indexes where a new shot starts."""

    threshold: float = 30.0
    contrast: float = 3.0  # a cut's score against the median of the recent scores
    recent: int = 12
    min_shot_frames: int = 3
    cuts: list[int] = field(default_factory=list)
    frames: int = 0
    _previous: NDArray[np.float32] | None = field(default=None, init=False)
    _scores: deque[float] = field(init=False)

    def __post_init__(self) -> None:
        self._scores = deque(maxlen=self.recent)

    def feed(self, rgb: NDArray[np.uint8]) -> None:
        """The next frames, ``(n, height, width, 3)`` or one ``(height, width, 3)``."""
        batch = rgb[None] if rgb.ndim == 3 else rgb
        luma = batch.astype(np.float32) @ _LUMA
        previous = (
            luma[:-1]
            if self._previous is None
            else np.concatenate([self._previous[None], luma[:-1]])
        )
        scores = np.abs(luma[-len(previous) :] - previous).mean(axis=(1, 2))
        first = self.frames if self._previous is not None else self.frames + 1
        for offset, score in enumerate(scores.tolist()):
            self._judge(first + offset, score)
        self._previous = luma[-1]
        self.frames += len(batch)

    def _judge(self, index: int, score: float) -> None:
        baseline = float(np.median(self._scores)) if self._scores else 0.0
        is_cut = score > self.threshold and score > self.contrast * baseline
        last = self.cuts[-1] if self.cuts else 0
        if is_cut and index - last >= self.min_shot_frames:
            self.cuts.append(index)
        self._scores.append(score)
