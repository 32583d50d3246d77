"""What a media file holds: container, duration, streams and start timecode, through PyAV.

The start timecode is read where files carry it: the QuickTime/MP4 ``tmcd``
track (FFmpeg reports it as the ``timecode`` tag of the track or of the video
stream it belongs to) or container metadata (MXF, MOV). A BWF's ``bext``
TimeReference counts samples since midnight, not frames; it is reported as
``time_reference_samples`` and becomes a label only where a frame rate is
known (the caller's business).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from postprod.errors import MediaError
from postprod.media._open import open_input

STREAM_TYPES = ("video", "audio")


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of a file. Video fields are ``None`` on audio streams and vice versa."""

    index: int
    type: str  # "video" | "audio" | "other"
    codec: str
    duration_s: float | None
    width: int | None = None
    height: int | None = None
    frame_rate: Fraction | None = None
    frames: int | None = None
    pixel_format: str | None = None
    sample_aspect_ratio: Fraction | None = None
    color_range: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None
    sample_format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stream as JSON-ready data (the ``probe --json`` contract)."""
        data: dict[str, Any] = {"index": self.index, "type": self.type, "codec": self.codec}
        data["duration_s"] = self.duration_s
        if self.type == "video":
            data |= {
                "width": self.width,
                "height": self.height,
                "frame_rate": _ratio(self.frame_rate),
                "frames": self.frames,
                "pixel_format": self.pixel_format,
                "sample_aspect_ratio": _ratio(self.sample_aspect_ratio),
                "color_range": self.color_range,
            }
        elif self.type == "audio":
            data |= {
                "sample_rate": self.sample_rate,
                "channels": self.channels,
                "channel_layout": self.channel_layout,
                "sample_format": self.sample_format,
            }
        return data


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """A whole file: its container, length, streams and start timecode."""

    path: Path
    format: str
    duration_s: float
    start_timecode: str | None
    streams: tuple[StreamInfo, ...]
    time_reference_samples: int | None = None

    @property
    def video(self) -> StreamInfo | None:
        """The first video stream, if any."""
        return next((s for s in self.streams if s.type == "video"), None)

    @property
    def audio(self) -> StreamInfo | None:
        """The first audio stream, if any."""
        return next((s for s in self.streams if s.type == "audio"), None)

    def to_dict(self) -> dict[str, Any]:
        """The file as JSON-ready data (the ``probe --json`` contract)."""
        data: dict[str, Any] = {
            "path": str(self.path),
            "format": self.format,
            "duration_s": self.duration_s,
            "start_timecode": self.start_timecode,
            "streams": [stream.to_dict() for stream in self.streams],
        }
        if self.time_reference_samples is not None:
            data["time_reference_samples"] = self.time_reference_samples
        return data


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Read a file's header and stream parameters; clear errors for anything unreadable."""
    with open_input(path) as container:
        streams = tuple(_stream_info(stream, container) for stream in container.streams)
        if not any(s.type in STREAM_TYPES for s in streams):
            raise MediaError(
                f"{str(path)!r} holds no audio or video stream",
                fix="give a picture or sound file",
            )
        durations = [s.duration_s for s in streams if s.duration_s is not None]
        if container.duration is not None:
            duration_s = float(container.duration) / av.time_base
        else:
            duration_s = max(durations, default=0.0)
        return MediaInfo(
            path=Path(path),
            format=container.format.name,
            duration_s=duration_s,
            start_timecode=_start_timecode(container),
            streams=streams,
            time_reference_samples=_time_reference(container),
        )


def _stream_info(stream: Any, container: Any) -> StreamInfo:
    kind = stream.type if stream.type in STREAM_TYPES else "other"
    context: Any = getattr(stream, "codec_context", None)
    codec = context.name if context is not None else str(getattr(stream, "codec_tag", "") or "")
    if kind == "other" and (codec in ("", "none") or stream.metadata.get("timecode")):
        codec = "tmcd" if stream.metadata.get("timecode") else "data"
    duration_s = None
    if stream.duration is not None and stream.time_base is not None:
        duration_s = float(stream.duration * stream.time_base)
    if kind == "video":
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        frame_rate = Fraction(rate) if rate else None
        return StreamInfo(
            index=stream.index,
            type=kind,
            codec=codec,
            duration_s=duration_s,
            width=context.width,
            height=context.height,
            frame_rate=frame_rate,
            frames=_frame_count(stream, container, frame_rate, duration_s),
            pixel_format=context.pix_fmt,
            sample_aspect_ratio=Fraction(stream.sample_aspect_ratio)
            if stream.sample_aspect_ratio
            else None,
            color_range={1: "limited", 2: "full"}.get(int(context.color_range or 0)),
        )
    if kind == "audio":
        return StreamInfo(
            index=stream.index,
            type=kind,
            codec=codec,
            duration_s=duration_s,
            sample_rate=context.sample_rate,
            channels=context.channels,
            channel_layout=context.layout.name,
            sample_format=context.format.name if context.format else None,
        )
    return StreamInfo(index=stream.index, type=kind, codec=codec, duration_s=duration_s)


def _frame_count(
    stream: Any, container: Any, frame_rate: Fraction | None, duration_s: float | None
) -> int | None:
    """The container's own count where it keeps one (MP4, MOV), else duration x rate."""
    if stream.frames:
        return int(stream.frames)
    if frame_rate is None:
        return None
    if duration_s is None and container.duration is not None:
        duration_s = float(container.duration) / av.time_base
    return None if duration_s is None else round(duration_s * frame_rate)


def _start_timecode(container: Any) -> str | None:
    """The ``timecode`` tag of a tmcd track, the video stream or the container."""
    ordered = sorted(container.streams, key=lambda s: s.type != "data")
    for stream in ordered:
        label = stream.metadata.get("timecode")
        if label:
            return str(label)
    label = container.metadata.get("timecode")
    return str(label) if label else None


def _time_reference(container: Any) -> int | None:
    value = container.metadata.get("time_reference")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _ratio(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"
