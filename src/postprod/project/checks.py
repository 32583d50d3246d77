"""A project's numbers are checked when it is opened, so nothing downstream meets them.

A hand-edited or hostile ``.otio`` can hold stacks nested tens of thousands
deep (OpenTimelineIO's reader recurses in C++ and crashes the process), NaN or
infinite times, a rate of zero, negative durations, or a clip a year long that
would fill a disk when rendered. :func:`refuse_deep_nesting` runs on the text
before OTIO sees it; :func:`check_times` on the timeline after.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import opentimelineio as otio

from postprod.errors import ProjectError

#: Longest time anything in a project may span: a week of programme.
MAX_SPAN_S = 7 * 24 * 3600.0
#: Highest rate a time may be counted at (above any audio sample rate in use).
MAX_RATE = 1_000_000.0


def refuse_deep_nesting(text: str, path: Path) -> None:
    """Refuse JSON nested deeper than Python's own reader goes (about 1000 levels; a real
    project nests a few dozen), before OpenTimelineIO's recursive reader sees it."""
    try:
        json.loads(text)
    except RecursionError:
        raise ProjectError(
            f"project {path} is nested too deeply to be a real timeline",
            where=str(path),
            fix="re-export it from the editing tool",
        ) from None
    except ValueError:
        return  # malformed: OTIO's reader says where


def check_times(timeline: otio.schema.Timeline, path: Path) -> None:
    """Refuse non-finite, rate-less, negative or absurdly long times, naming the item."""
    _check(timeline.global_start_time, "the timeline's start", path, duration=False)
    for item in timeline.find_children():
        name = f"{type(item).__name__.lower()} {item.name!r}"
        source_range = getattr(item, "source_range", None)
        if source_range is not None:
            _check(source_range.start_time, f"{name}'s start", path, duration=False)
            _check(source_range.duration, f"{name}'s duration", path, duration=True)
        if isinstance(item, otio.schema.Transition):
            _check(item.in_offset, f"{name}'s in offset", path, duration=True)
            _check(item.out_offset, f"{name}'s out offset", path, duration=True)
        if isinstance(item, otio.schema.Clip):
            reference = item.media_reference
            available = getattr(reference, "available_range", None)
            if available is not None:
                _check(available.start_time, f"{name}'s media start", path, duration=False)
                _check(available.duration, f"{name}'s media duration", path, duration=True)


def _check(
    time: otio.opentime.RationalTime | None, what: str, path: Path, *, duration: bool
) -> None:
    if time is None:
        return
    value, rate = time.value, time.rate
    problem = None
    if not (math.isfinite(rate) and 0 < rate <= MAX_RATE):
        problem = f"has the rate {rate:g} (a rate is above 0 and at most {MAX_RATE:g})"
    elif not math.isfinite(value):
        problem = f"is {value:g}"
    elif duration and value < 0:
        problem = f"is negative ({value:g} at {rate:g})"
    elif abs(value / rate) > MAX_SPAN_S:
        problem = f"is {value / rate:.3g} s (at most a week: {MAX_SPAN_S:g} s)"
    if problem:
        raise ProjectError(
            f"{what} {problem}", where=str(path), fix="correct it in the editing tool or by hand"
        )
