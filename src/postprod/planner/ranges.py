"""A range of the programme as the user writes it: ``IN-OUT`` in timecode or frames.

Timecodes are the programme's own (the timeline's start timecode is its
first frame); plain numbers are frames from the programme's start. OUT is
exclusive, like a record out point in an EDL: ``01:00:02:00-01:00:04:00``
is two seconds.
"""

from __future__ import annotations

import re

from postprod.errors import EditError, PostprodError
from postprod.planner.plan import FrameRange
from postprod.timecode import FrameRate
from postprod.timecode.points import parse_point

_RANGE = re.compile(r"^\s*(?P<start>[^-\s]+)\s*-\s*(?P<end>[^-\s]+)\s*$")


def parse_frame_range(text: str, rate: FrameRate, start_timecode_frames: int = 0) -> FrameRange:
    """``IN-OUT`` as programme frames; refuses an empty or backwards range."""
    match = _RANGE.match(text)
    if not match:
        raise EditError(
            f"range {text!r} is not IN-OUT",
            fix="write it as 01:00:02:00-01:00:04:00 (timecodes) or 50-100 (frames)",
        )
    start = _point(match["start"], rate, start_timecode_frames, text)
    end = _point(match["end"], rate, start_timecode_frames, text)
    if end <= start:
        raise EditError(f"range {text!r} ends before it starts", fix="give OUT after IN")
    return FrameRange(start, end - start)


def _point(value: str, rate: FrameRate, start_timecode_frames: int, text: str) -> int:
    try:
        return parse_point(value, rate, start_timecode_frames)
    except PostprodError as error:
        raise EditError(f"range {text!r}: {error.what}", fix=error.fix) from None
