"""What a media file holds: container, duration, streams and start timecode, through PyAV.

Only headers are read (FFmpeg's ``avformat_find_stream_info``), except in one
case: a video stream whose container keeps neither a frame count nor a
duration (raw ``.h264``/``.m2v`` elementary streams) is counted by demuxing its
packets, which reads the file once without decoding it. ``frames_from`` says
which of ``"container"`` (the header's own count: MP4, MOV, AVI),
``"duration"`` (stream duration x rate: MKV, MXF, MPEG-TS) or ``"packets"``
gave the count.

The start timecode is read where files carry it: the QuickTime/MP4 ``tmcd``
track (FFmpeg reports it as the ``timecode`` tag of that data stream and of
the video stream it belongs to), then any stream's ``timecode`` tag, then the
container's (MXF material package, MOV). A BWF's ``bext`` TimeReference counts
samples since midnight, not frames: it is reported as
``time_reference_samples`` and never turned into a label here, because a WAV
has no frame rate (the caller knows the project's rate).

A file whose sample index points past its end (a copy that stopped early) is
refused as truncated rather than described from its header.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from postprod.errors import MediaError
from postprod.media._open import open_input

STREAM_TYPES = ("video", "audio")

#: FFmpeg's names (``av_color_*_name``, as ffprobe prints them) for the colour enums.
COLOR_PRIMARIES = {
    1: "bt709",
    4: "bt470m",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "film",
    9: "bt2020",
    10: "smpte428",
    11: "smpte431",
    12: "smpte432",
    22: "ebu3213",
}
COLOR_TRANSFERS = {
    1: "bt709",
    4: "gamma22",
    5: "gamma28",
    6: "smpte170m",
    7: "smpte240m",
    8: "linear",
    9: "log100",
    10: "log316",
    11: "iec61966-2-4",
    12: "bt1361e",
    13: "iec61966-2-1",
    14: "bt2020-10",
    15: "bt2020-12",
    16: "smpte2084",
    17: "smpte428",
    18: "arib-std-b67",
}
COLOR_SPACES = {
    0: "gbr",
    1: "bt709",
    4: "fcc",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "ycgco",
    9: "bt2020nc",
    10: "bt2020c",
    11: "smpte2085",
    12: "chroma-derived-nc",
    13: "chroma-derived-c",
    14: "ictcp",
}
#: Video quantisation range: limited ("tv", 16-235 at 8 bits) or full ("pc", 0-255).
COLOR_RANGES = {1: "limited", 2: "full"}

_PCM_BITS = re.compile(r"^pcm_[suf](\d+)")
_MATROSKA_DURATION = re.compile(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of a file. Video fields are ``None`` on audio streams and vice versa."""

    index: int
    type: str  # "video" | "audio" | "other"
    codec: str
    duration_s: float | None
    language: str | None = None
    # picture
    width: int | None = None
    height: int | None = None
    frame_rate: Fraction | None = None
    frames: int | None = None
    frames_from: str | None = None  # "container" | "duration" | "packets"
    pixel_format: str | None = None
    sample_aspect_ratio: Fraction | None = None
    color_range: str | None = None
    color_space: str | None = None
    color_primaries: str | None = None
    color_transfer: str | None = None
    # picture: bits per component; sound: bits per sample where the codec fixes it
    bit_depth: int | None = None
    # sound
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None
    sample_format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stream as JSON-ready data (the ``probe --json`` contract)."""
        data: dict[str, Any] = {"index": self.index, "type": self.type, "codec": self.codec}
        data["duration_s"] = self.duration_s
        data["language"] = self.language
        if self.type == "video":
            data |= {
                "width": self.width,
                "height": self.height,
                "frame_rate": _ratio(self.frame_rate),
                "frames": self.frames,
                "frames_from": self.frames_from,
                "pixel_format": self.pixel_format,
                "bit_depth": self.bit_depth,
                "sample_aspect_ratio": _ratio(self.sample_aspect_ratio),
                "color_range": self.color_range,
                "color_space": self.color_space,
                "color_primaries": self.color_primaries,
                "color_transfer": self.color_transfer,
            }
        elif self.type == "audio":
            data |= {
                "sample_rate": self.sample_rate,
                "channels": self.channels,
                "channel_layout": self.channel_layout,
                "sample_format": self.sample_format,
                "bit_depth": self.bit_depth,
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


def probe(path: str | os.PathLike[str], *, count_packets: bool = True) -> MediaInfo:
    """Read a file's header and stream parameters; clear errors for anything unreadable.

    ``count_packets=False`` never reads past the header: a video stream whose
    container keeps no count or duration then has ``frames=None``.
    """
    import av  # loads with the first file, so importing this module stays cheap

    with open_input(path) as container:
        file = Path(path)
        _refuse_truncated(container, file)
        durations = [_stream_duration(stream) for stream in container.streams]
        streams = [
            _stream_info(stream, duration)
            for stream, duration in zip(container.streams, durations, strict=True)
        ]
        if not any(s.type in STREAM_TYPES for s in streams):
            raise MediaError(
                f"{str(file)!r} holds no audio or video stream",
                fix="give a picture or sound file",
            )
        uncounted = [s.index for s in streams if s.type == "video" and s.frames is None]
        if uncounted and count_packets:
            streams = _count_packets(container, streams, uncounted)
        if container.duration is not None:
            duration_s = float(container.duration) / av.time_base
        else:
            duration_s = max((s.duration_s or 0.0 for s in streams), default=0.0)
        return MediaInfo(
            path=file,
            format=container.format.name,
            duration_s=duration_s,
            start_timecode=_start_timecode(container),
            streams=tuple(streams),
            time_reference_samples=_time_reference(container),
        )


def _refuse_truncated(container: Any, file: Path) -> None:
    """Refuse a file whose sample index (MP4, MOV, MKV cues) points past its last byte."""
    size = file.stat().st_size
    for stream in container.streams:
        entries = stream.index_entries
        if len(entries) == 0:
            continue
        last = entries[len(entries) - 1]
        needed = int(last.pos) + int(last.size)
        if last.pos >= 0 and needed > size:
            raise MediaError(
                f"{str(file)!r} is truncated: its index expects at least {needed} bytes "
                f"but the file has {size}",
                where=f"stream {stream.index}",
                fix="copy or export the file again completely",
            )


def _stream_duration(stream: Any) -> Fraction | None:
    """The stream's exact length in seconds from its header, or Matroska's DURATION tag."""
    if stream.duration is not None and stream.time_base is not None:
        return Fraction(stream.duration) * Fraction(stream.time_base)
    match = _MATROSKA_DURATION.match(str(stream.metadata.get("DURATION", "")))
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + Fraction(seconds)
    return None


def _stream_info(stream: Any, duration: Fraction | None) -> StreamInfo:
    kind = stream.type if stream.type in STREAM_TYPES else "other"
    context: Any = stream.codec_context
    common: dict[str, Any] = {
        "index": stream.index,
        "type": kind,
        "codec": _codec_name(stream, context),
        "duration_s": None if duration is None else float(duration),
        "language": stream.language,
    }
    if kind == "video":
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        frame_rate = Fraction(rate) if rate else None
        frames, frames_from = None, None
        if stream.frames:
            frames, frames_from = int(stream.frames), "container"
        elif frame_rate is not None and duration is not None:
            frames, frames_from = round(duration * frame_rate), "duration"
        sar = stream.sample_aspect_ratio
        return StreamInfo(
            **common,
            width=context.width,
            height=context.height,
            frame_rate=frame_rate,
            frames=frames,
            frames_from=frames_from,
            pixel_format=context.pix_fmt,
            sample_aspect_ratio=Fraction(sar) if sar else None,
            color_range=COLOR_RANGES.get(int(context.color_range or 0)),
            color_space=COLOR_SPACES.get(int(context.colorspace)),
            color_primaries=COLOR_PRIMARIES.get(int(context.color_primaries)),
            color_transfer=COLOR_TRANSFERS.get(int(context.color_trc)),
            bit_depth=_picture_bits(context.pix_fmt),
        )
    if kind == "audio":
        sample_format = context.format.name if context.format else None
        return StreamInfo(
            **common,
            sample_rate=context.sample_rate,
            channels=context.channels,
            channel_layout=context.layout.name,
            sample_format=sample_format,
            bit_depth=_sound_bits(context, sample_format),
        )
    return StreamInfo(**common)


def _codec_name(stream: Any, context: Any) -> str:
    """FFmpeg's codec name (``mp3``, not the decoder ``mp3float``); ``tmcd`` or ``data`` for data."""
    name = str(context.codec.canonical_name) if context is not None else ""
    if stream.type in STREAM_TYPES or name not in ("", "none"):
        return name or "unknown"
    return "tmcd" if stream.metadata.get("timecode") else "data"


def _picture_bits(pix_fmt: str | None) -> int | None:
    """Bits per component of the pixel format (8 for yuv420p, 10 for yuv422p10le)."""
    if not pix_fmt:
        return None
    import av

    try:
        components = av.VideoFormat(pix_fmt).components
    except (ValueError, av.error.FFmpegError):
        return None
    return int(components[0].bits) if components else None


def _sound_bits(context: Any, sample_format: str | None) -> int | None:
    """Bits per sample where the codec fixes them: PCM, and lossless 16-bit.

    Lossy codecs (AAC, MP3) have no bit depth; FLAC/ALAC decoded to 32-bit
    integers may hold 20 or 24 bits, which the header does not say here.
    """
    match = _PCM_BITS.match(str(context.name))
    if match:
        return int(match.group(1))
    if context.codec.lossless and sample_format in ("s16", "s16p"):
        return 16
    return None


def _count_packets(
    container: Any, streams: list[StreamInfo], indexes: list[int]
) -> list[StreamInfo]:
    """Frame counts (and durations) of the given video streams by demuxing their packets."""
    counts = dict.fromkeys(indexes, 0)
    for packet in container.demux(*(container.streams[i] for i in indexes)):
        if packet.size:
            counts[packet.stream.index] += 1
    counted = []
    for info in streams:
        if info.index in counts:
            frames = counts[info.index]
            duration_s = info.duration_s
            if duration_s is None and info.frame_rate:
                duration_s = float(frames / info.frame_rate)
            info = replace(info, frames=frames, frames_from="packets", duration_s=duration_s)
        counted.append(info)
    return counted


def _start_timecode(container: Any) -> str | None:
    """The ``timecode`` tag of a tmcd track, of any stream, or of the container."""
    ordered = sorted(container.streams, key=lambda s: s.type != "data")
    for stream in ordered:
        label = stream.metadata.get("timecode")
        if label:
            return str(label)
    label = container.metadata.get("timecode")
    return str(label) if label else None


def _time_reference(container: Any) -> int | None:
    """The BWF ``bext`` TimeReference (samples since midnight), if the file has one."""
    value = container.metadata.get("time_reference")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _ratio(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"
