"""The rhythm of a cut: shot lengths over time, their mean and median, cuts per minute,
and how many cuts fall within one frame of a beat.

Read from :class:`~postprod.timeline.inspect.TimelineInfo` (plain frames), so it needs
neither OTIO nor NumPy. A shot is a clip of the picture track; a cut is where a
shot starts right where the one before it ends (a shot after a gap starts from
black, which is not counted as a cut).
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from dataclasses import asdict, dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Any

from postprod.errors import EditError
from postprod.timeline.inspect import TimelineInfo

#: A cut this many frames from a beat or nearer is on the beat.
ON_BEAT_FRAMES = 1


@dataclass(frozen=True, slots=True)
class Pace:
    """The figures ``inspect --rhythm`` prints (times in seconds, frames where named)."""

    track: str
    frame_rate: float
    shots: list[tuple[int, int]]  # (record start frame, length in frames)
    cuts: list[int]  # record frames
    mean_shot_s: float
    median_shot_s: float
    cuts_per_minute: float
    beats: list[int]  # the beats cuts were compared with (record frames), may be empty
    cuts_on_beat: int | None  # None without beats

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pace_of(info: TimelineInfo, track: str | None = None, beats: list[int] | None = None) -> Pace:
    """The pace of ``track`` (default: the first picture track) against ``beats``."""
    pictures = [name for name, kind in info.tracks if kind.lower().startswith("video")]
    name = track or (pictures[0] if pictures else "")
    if name not in {n for n, _ in info.tracks}:
        raise EditError(f"no track {name!r} to measure", fix="give --track with a picture track")
    clips = sorted(
        (item.record_in, item.record_out)
        for item in info.items
        if item.track == name and item.kind == "clip"
    )
    shots = [(start, end - start) for start, end in clips]
    cuts = [b[0] for a, b in pairwise(clips) if a[1] == b[0]]
    rate = float(Fraction(info.rate)) if info.rate else 25.0
    lengths_s = [length / rate for _, length in shots]
    span_s = (clips[-1][1] - clips[0][0]) / rate if clips else 0.0
    marks = sorted(beats or [])
    on_beat = None
    if marks:
        on_beat = sum(1 for cut in cuts if _distance(cut, marks) <= ON_BEAT_FRAMES)
    return Pace(
        name,
        rate,
        shots,
        cuts,
        statistics.fmean(lengths_s) if lengths_s else 0.0,
        statistics.median(lengths_s) if lengths_s else 0.0,
        len(cuts) / (span_s / 60) if span_s > 0 else 0.0,
        marks,
        on_beat,
    )


def _distance(frame: int, marks: list[int]) -> int:
    k = bisect_left(marks, frame)
    near = [abs(frame - marks[j]) for j in (k - 1, k) if 0 <= j < len(marks)]
    return min(near)
