"""Building a project from media files: clips that know their file's exact rate and length.

A clip's ``available_range`` is the whole file in its own timecode (it starts
at the file's start timecode, as editing systems write it), and its source
range is counted from there, so the project reads the same in other OTIO
tools. Rates are the file's exact rate (30000/1001, never 29.97).
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.errors import EditError
from postprod.media.probe import probe
from postprod.timecode import FrameRate, label_to_frames
from postprod.timeline.model import exact_rate, rational_time, time_range


def clip_from_media(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    source_start: int = 0,
    duration: int | None = None,
    target_url: str | None = None,
) -> otio.schema.Clip:
    """A clip of ``duration`` frames of a video file from its frame ``source_start``
    (0 is the file's first frame); ``target_url`` is what the project stores (default
    the path as given, so a relative path stays relative to the project)."""
    file = Path(path)
    info = probe(file)
    video = info.video
    if video is None or not video.frame_rate or not video.frames:
        raise EditError(
            f"{file.name} has no picture of known rate and length",
            where=str(file),
            fix="give a video file with a constant frame rate",
        )
    rate, available = Fraction(video.frame_rate), int(video.frames)
    length = _length(file, name, available, source_start, duration)
    first = first_frame_timecode(info.start_timecode, rate)
    reference = otio.schema.ExternalReference(
        target_url=target_url or str(path), available_range=time_range(first, available, rate)
    )
    return otio.schema.Clip(
        name=name or file.stem,
        media_reference=reference,
        source_range=time_range(first + source_start, length, rate),
    )


def clip_of_file(
    path: str | os.PathLike[str],
    rate: Fraction,
    *,
    name: str | None = None,
    source_start: int = 0,
    duration: int | None = None,
    target_url: str | None = None,
) -> otio.schema.Clip:
    """A clip of a video or sound file for a timeline at ``rate``: a video file by
    :func:`clip_from_media`, a sound file as the whole frames of ``rate`` it lasts.
    ``target_url`` is what the project stores (default: the path as given)."""
    file = Path(path)
    info = probe(file)
    if info.video is not None and info.video.frame_rate:
        return clip_from_media(
            file, name=name, source_start=source_start, duration=duration, target_url=target_url
        )
    if info.audio is None:
        raise EditError(
            f"{file.name} has neither picture nor sound",
            where=str(file),
            fix="give a video or audio file",
        )
    available = int(Fraction(info.duration_s).limit_denominator(10**6) * rate)
    length = _length(file, name, available, source_start, duration)
    reference = otio.schema.ExternalReference(
        target_url=target_url or str(path), available_range=time_range(0, available, rate)
    )
    return otio.schema.Clip(
        name=name or file.stem,
        media_reference=reference,
        source_range=time_range(source_start, length, rate),
    )


def timeline_of(
    clips: list[otio.schema.Clip], *, name: str, start_frame: int = 0
) -> otio.schema.Timeline:
    """A timeline with the clips one after another on track V1, starting at ``start_frame``
    (the programme's first timecode, as frames at the clips' rate)."""
    if not clips:
        raise EditError("a timeline needs at least one clip", where=name, fix="give clips")
    rate = exact_rate(clips[0].source_range.duration.rate)
    timeline = otio.schema.Timeline(name=name)
    timeline.global_start_time = rational_time(start_frame, rate)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.extend(clip.deepcopy() for clip in clips)
    timeline.tracks.append(track)
    return timeline


def _length(
    file: Path, name: str | None, available: int, source_start: int, duration: int | None
) -> int:
    """The clip's length (default: to the media's end), refused outside the media."""
    length = available - source_start if duration is None else duration
    if source_start < 0 or length <= 0 or source_start + length > available:
        raise EditError(
            f"frames {source_start}..{source_start + length} are outside the "
            f"{available} frames of {file.name}",
            where=name or file.stem,
            fix="choose a range inside the media",
        )
    return length


def first_frame_timecode(label: str | None, rate: Fraction) -> int:
    """A file's start timecode as frames (0 without one, or at a non-SMPTE rate)."""
    smpte = FrameRate.parse(rate)
    if not label or not smpte.is_smpte:
        return 0
    return label_to_frames(label, smpte)


#: The OTIO generator kind of a title (``parameters``: ``text``, and ``style``).
TITLE_KIND = "postprod.title"
#: How a title is drawn: a full-frame card on black, or keyed over the picture below it
#: (a lower third: a name over a band at the bottom left; or text centred on the picture).
TITLE_STYLES = ("card", "lower-third", "centre")


def title_clip(text: str, frames: int, rate: Fraction, *, style: str = "card") -> otio.schema.Clip:
    """A title of ``frames`` frames: an OTIO generator clip, so other tools keep it as a
    clip (of unknown media) and postprod draws it. ``\\n`` separates lines."""
    if style not in TITLE_STYLES:
        raise EditError(
            f"unknown title style {style!r}", fix=f"use one of {', '.join(TITLE_STYLES)}"
        )
    if frames <= 0:
        raise EditError(f"a title of {frames} frames", fix="give it a duration")
    reference = otio.schema.GeneratorReference(
        name="title",
        generator_kind=TITLE_KIND,
        parameters={"text": text, "style": style},
        available_range=time_range(0, frames, rate),
    )
    return otio.schema.Clip(
        name=text.split("\n")[0][:40] or "title",
        media_reference=reference,
        source_range=time_range(0, frames, rate),
    )
