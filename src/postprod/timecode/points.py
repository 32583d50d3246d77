"""Places and lengths as a user types them: a timecode, or a plain number of frames.

``01:00:10:00`` is a timecode on a clock that starts at ``start_frame`` (the
programme's first timecode, or a file's); ``250`` is 250 frames from that
start. Offsets (``--by``) may carry a sign: ``+5``, ``-00:00:01:00``.
"""

from __future__ import annotations

from postprod.errors import TimecodeError
from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import frames_to_label, label_to_frames


def parse_point(text: str, rate: FrameRate, start_frame: int = 0, *, what: str = "time") -> int:
    """``text`` (a timecode or frames) as frames from ``start_frame``; refuses a time before it."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    frames = _timecode(value, rate, what) - start_frame
    if frames < 0:
        raise TimecodeError(
            f"{what} {value} is before the first frame",
            fix=f"give a time from {_label(start_frame, rate)} on",
        )
    return frames


def parse_offset(text: str, rate: FrameRate, *, what: str = "offset") -> int:
    """A signed length: ``+5``, ``-12`` (frames) or ``-00:00:01:00`` (a duration as timecode)."""
    value = text.strip()
    sign = -1 if value.startswith("-") else 1
    body = value.lstrip("+-").strip()
    if body.isdigit():
        return sign * int(body)
    return sign * _timecode(body, rate, what)


def _timecode(value: str, rate: FrameRate, what: str) -> int:
    try:
        return label_to_frames(value, rate)
    except TimecodeError as error:
        raise TimecodeError(
            f"{what} {value!r} is neither frames nor a timecode ({error.what})",
            fix="write frames (250) or a timecode (01:00:10:00)",
        ) from None


def _label(frame: int, rate: FrameRate) -> str:
    return frames_to_label(frame, rate) if rate.is_smpte else str(frame)
