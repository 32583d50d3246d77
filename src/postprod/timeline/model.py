"""The OTIO boundary: exact frames in, ``RationalTime`` out, and back.

OTIO stores time as floating-point value and rate. postprod works in integer
frames at a ``Fraction`` rate; these helpers convert at the boundary and
refuse a time that is not a whole number of frames, naming the item, instead
of rounding it silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.errors import EditError
from postprod.timeline.otio_access import items_of

#: How far a converted time may sit from a whole frame and still be that frame.
FRAME_TOLERANCE = 1e-6


def rational_time(frames: int, rate: Fraction) -> otio.opentime.RationalTime:
    """``frames`` at ``rate`` as an OTIO time (rate stored as the float OTIO expects)."""
    return otio.opentime.RationalTime(frames, float(rate))


def time_range(start: int, duration: int, rate: Fraction) -> otio.opentime.TimeRange:
    """A range of whole frames as an OTIO ``TimeRange``."""
    return otio.opentime.TimeRange(rational_time(start, rate), rational_time(duration, rate))


def to_frames(time: otio.opentime.RationalTime, rate: Fraction, *, where: str) -> int:
    """An OTIO time as whole frames at ``rate``; refuses fractional frames.

    The time's own rate is read as the exact rate it stands for (a file's 23.976
    is 24000/1001), so an hour of frames converts with no drift; what is left
    must be within :data:`FRAME_TOLERANCE` of a whole frame.
    """
    value = time.value
    if time.rate == float(rate) and value == int(value):
        return int(value)  # the common case: already whole frames at this rate
    exact = Fraction(value) * rate / exact_rate(time.rate)
    frames = round(exact)
    if abs(exact - frames) > FRAME_TOLERANCE:
        raise EditError(
            f"time {time.value}/{time.rate} is not a whole frame at {rate} fps "
            f"({float(exact):.4f})",
            where=where,
            fix="conform the clip to the timeline's frame rate",
        )
    return frames


def to_seconds(time: otio.opentime.RationalTime) -> Fraction:
    """An OTIO time in exact seconds, its rate read as the exact rate it stands for."""
    return Fraction(time.value).limit_denominator(10**9) / exact_rate(time.rate)


def timeline_rate(timeline: otio.schema.Timeline) -> Fraction:
    """The timeline's frame rate as an exact fraction (29.97 -> 30000/1001)."""
    rates = [
        track.duration().rate for track in timeline.video_tracks() if track.duration().value
    ] or [track.duration().rate for track in timeline.tracks]
    if timeline.global_start_time is not None:
        rates.insert(0, timeline.global_start_time.rate)
    if not rates:
        raise EditError("the timeline is empty", where=timeline.name, fix="add a clip")
    return exact_rate(rates[0])


def exact_rate(rate: float) -> Fraction:
    """A float frame rate as the exact rate it stands for (23.976... -> 24000/1001)."""
    for nominal in (24, 30, 48, 60, 120):
        ntsc = Fraction(nominal * 1000, 1001)
        if abs(rate - float(ntsc)) < 1e-3:
            return ntsc
    return Fraction(rate).limit_denominator(1001)


#: Rates this close play frame for frame (23.976 in 24, 29.97 in 30: the usual conform).
SAME_RATE_TOLERANCE = Fraction(1, 500)


def playback_ratio(file_rate: Fraction | None, rate: Fraction) -> Fraction:
    """File frames per timeline frame: 1 unless the file's rate is really another one (then
    its frames are converted by time: 30 fps in a 25 fps timeline plays 6 frames per 5)."""
    if file_rate is None or abs(file_rate / rate - 1) <= SAME_RATE_TOLERANCE:
        return Fraction(1)
    return file_rate / rate


def media_clip(
    path: str | os.PathLike[str],
    *,
    name: str,
    rate: Fraction,
    available_frames: int,
    source_start: int = 0,
    duration: int | None = None,
) -> otio.schema.Clip:
    """A clip of a media file: ``duration`` frames from ``source_start``."""
    length = available_frames - source_start if duration is None else duration
    if source_start < 0 or length <= 0 or source_start + length > available_frames:
        raise EditError(
            f"frames {source_start}..{source_start + length} are outside the "
            f"{available_frames} frames of {Path(path).name}",
            where=name,
            fix="choose a range inside the media",
        )
    reference = otio.schema.ExternalReference(
        target_url=str(path), available_range=time_range(0, available_frames, rate)
    )
    return otio.schema.Clip(
        name=name, media_reference=reference, source_range=time_range(source_start, length, rate)
    )


def media_path(clip: otio.schema.Clip, project_folder: Path | None) -> Path | None:
    """The file a clip plays, relative paths resolved against the project's folder."""
    reference = clip.media_reference
    if not isinstance(reference, otio.schema.ExternalReference) or not reference.target_url:
        return None
    url = reference.target_url
    if url.startswith("file://"):  # as Resolve and Premiere write them: %20 for a space
        from urllib.parse import unquote, urlparse

        parsed = urlparse(url)
        url = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            url = f"//{parsed.netloc}{url}"
        if len(url) > 2 and url[0] == "/" and url[2] == ":":  # /C:/... of a Windows URL
            url = url[1:]
    path = Path(url)
    if not path.is_absolute() and project_folder is not None:
        path = project_folder / path
    return path


@dataclass(frozen=True, slots=True)
class MarkerAt:
    """A marker at a record frame (0 is the programme's first frame)."""

    frame: int
    name: str
    colour: str = ""
    note: str = ""


def nearest_frame(time: otio.opentime.RationalTime, rate: Fraction) -> int:
    """A time as the nearest whole frame at ``rate``: where a marker or a sound clip between
    frames (AAF, FCPXML, sound editors' EDLs) is shown on a frame list."""
    return round(Fraction(time.value) * rate / exact_rate(time.rate))


def markers(timeline: otio.schema.Timeline) -> list[MarkerAt]:
    """The timeline's markers in order: on the timeline, its tracks and clips (each on its
    nearest frame: other tools place markers between frames)."""
    rate = timeline_rate(timeline)

    def at(marker: otio.schema.Marker, offset: int = 0) -> MarkerAt:
        frame = nearest_frame(marker.marked_range.start_time, rate)
        return MarkerAt(frame + offset, marker.name, marker.color or "", marker.comment or "")

    found = [at(m) for m in items_of(timeline.tracks.markers)]
    for track in timeline.tracks:
        found += [at(m) for m in items_of(track.markers)]
        for index, child in enumerate(track):
            if not isinstance(child, otio.schema.Clip) or not child.markers:
                continue
            placed = nearest_frame(track.range_of_child_at_index(index).start_time, rate)
            source_in = nearest_frame(child.trimmed_range().start_time, rate)
            found += [at(m, placed - source_in) for m in items_of(child.markers)]
    return sorted(found, key=lambda marker: (marker.frame, marker.name))
