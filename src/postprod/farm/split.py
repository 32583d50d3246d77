"""Cut a render plan's range into segments a worker each renders on its own.

A segment starts a fresh encoder, so it starts with a keyframe and its GOPs are
closed. Boundaries go where nothing is drawn across them: never inside a
transition, a title or a time-warped (or rate-converted) span, on any video
track, so each of those is rendered whole in one segment. Among the allowed
frames a cut (a span's start) near the requested length is preferred; failing
that, the allowed frame nearest to it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from postprod.planner.plan import RenderPlan, VideoSpan


@dataclass(frozen=True, slots=True)
class Segment:
    """Programme frames ``start`` .. ``start + frames``, the ``index``-th piece of a job."""

    index: int
    start: int
    frames: int

    @property
    def end(self) -> int:
        return self.start + self.frames


def split_plan(plan: RenderPlan, segment_frames: int) -> tuple[Segment, ...]:
    """The plan's range cut into segments of about ``segment_frames`` frames."""
    span = plan.output_range
    end = span.start + span.frames
    target = max(1, segment_frames)
    whole = _unbreakable(plan)
    cuts = sorted({s.start for s in _spans(plan)} | {s.start + s.length for s in _spans(plan)})
    segments: list[Segment] = []
    at = span.start
    while end - at > target + target // 2:
        boundary = _boundary(at, target, end, whole, cuts)
        if boundary is None:
            break
        segments.append(Segment(len(segments), at, boundary - at))
        at = boundary
    segments.append(Segment(len(segments), at, end - at))
    return tuple(segments)


def _spans(plan: RenderPlan) -> list[VideoSpan]:
    return [*plan.video, *(span for track in plan.overlays for span in track)]


def _unbreakable(plan: RenderPlan) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every span that must be rendered whole, merged and sorted."""
    held = sorted((span.start, span.start + span.length) for span in _spans(plan) if _whole(span))
    merged: list[tuple[int, int]] = []
    for start, end in held:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _whole(span: VideoSpan) -> bool:
    """A span a boundary must not cross: a transition, a title, a warp or rate change."""
    if span.transition != "cut":
        return True
    return any(
        source is not None
        and (source.title is not None or source.speed != 1.0 or source.rate_ratio != 1.0)
        for source in (span.a, span.b)
    )


def _allowed(frame: int, whole: list[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(whole, (frame, frame)) - 1
    return all(not start < frame < end for start, end in whole[max(0, index) : index + 2])


def _boundary(
    at: int, target: int, end: int, whole: list[tuple[int, int]], cuts: list[int]
) -> int | None:
    """The next boundary after ``at``: an allowed cut within half a segment of the ideal
    place, else the allowed frame nearest to it; None if none is before ``end``."""
    ideal = at + target
    low, high = at + max(1, target // 2), min(end - 1, at + target + target // 2)
    near = [c for c in cuts[bisect.bisect_left(cuts, low) : bisect.bisect_right(cuts, high)]]
    near = [c for c in near if _allowed(c, whole)]
    if near:
        return min(near, key=lambda c: (abs(c - ideal), c))
    for distance in range(0, end - at):
        for frame in (ideal + distance, ideal - distance):
            if at < frame < end and _allowed(frame, whole):
                return frame
    return None
