"""Join picture segments and one sound file by stream copy (the render farm's last step).

Each segment is a complete picture-only file from a fresh encoder, so it starts
with a keyframe and holds closed GOPs; the sound was encoded once for the whole
range. Joining copies every packet as it is and writes new timestamps: a
segment's presentation times move by the frames before it, decode times are the
packet count less the largest reorder delay of any segment, so both rise across
every join. Packets of picture and sound are interleaved by time as they are
read, so memory holds a packet or two whatever the length. The file is written
under a temporary name and renamed into place only when complete.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from postprod.atomic import partial_path, sweep_partials
from postprod.errors import MediaError
from postprod.media._open import open_input


@dataclass(frozen=True, slots=True)
class SegmentFacts:
    """What a segment file holds, read by demuxing (no decoding)."""

    path: Path
    frames: int
    first_frame: int  # presentation time of its earliest frame, in frames
    last_frame: int  # of its latest
    starts_on_keyframe: bool
    reorder_frames: int  # how far its first decode time lies before its first picture
    codec: str
    extradata: bytes

    def problem(self, frames: int) -> str | None:
        """Why this segment cannot be joined as ``frames`` frames, or None."""
        if self.frames != frames:
            return f"{self.frames} frames instead of {frames}"
        if self.first_frame != 0 or self.last_frame != frames - 1:
            return f"timestamps {self.first_frame}..{self.last_frame} instead of 0..{frames - 1}"
        if not self.starts_on_keyframe:
            return "it does not start on a keyframe"
        return None


def segment_facts(path: str | os.PathLike[str], frame_rate: Fraction) -> SegmentFacts:
    """Demux ``path``'s picture stream: its frame count, first and last timestamps (in
    frames at ``frame_rate``), whether its first packet is a keyframe."""
    with open_input(path) as container:
        if not container.streams.video:
            raise MediaError("the segment has no picture", where=str(path))
        stream = container.streams.video[0]
        base = Fraction(stream.time_base) * frame_rate
        count, first_key = 0, False
        low: int | None = None
        high: int | None = None
        first_dts: int | None = None
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            frame = round(packet.pts * base)
            if count == 0:
                first_key = bool(packet.is_keyframe)
                first_dts = round(packet.dts * base) if packet.dts is not None else frame
            low = frame if low is None else min(low, frame)
            high = frame if high is None else max(high, frame)
            count += 1
        return SegmentFacts(
            Path(path),
            count,
            low if low is not None else 0,
            high if high is not None else -1,
            first_key,
            max(0, (low or 0) - (first_dts or 0)),
            stream.codec_context.name,
            bytes(stream.codec_context.extradata or b""),
        )


def join_segments(
    segments: list[SegmentFacts],
    sound: str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    *,
    frame_rate: Fraction,
    start_timecode: str | None = None,
) -> Path:
    """Write ``out``: the segments' pictures one after another and ``sound``'s stream, all
    copied; the file appears under its name whole or not at all."""
    if not segments:
        raise MediaError("no segments to join", where=str(out))
    first = segments[0]
    for segment in segments[1:]:
        if (segment.codec, segment.extradata) != (first.codec, first.extradata):
            raise MediaError(
                f"segment {segment.path.name} was encoded differently from {first.path.name}",
                where=str(out),
                fix="render the job again without --resume",
            )
    target = Path(out)
    sweep_partials(target)
    temporary = partial_path(target, target.suffix)
    delay = max(segment.reorder_frames for segment in segments)
    try:
        with contextlib.ExitStack() as stack:
            template = stack.enter_context(open_input(first.path)).streams.video[0]
            output: Any = stack.enter_context(av.open(str(temporary), "w"))
            video = output.add_stream_from_template(template)
            video.time_base = 1 / frame_rate
            video.codec_context.framerate = frame_rate  # the muxer's rate (and its tmcd track)
            if start_timecode:
                video.metadata["timecode"] = start_timecode
            pictures = _pictures(segments, frame_rate, delay)
            if sound is None:
                for packet in pictures:
                    packet.stream = video
                    output.mux(packet)
            else:
                heard = stack.enter_context(open_input(sound))
                audio = output.add_stream_from_template(heard.streams.audio[0])
                _interleave(output, pictures, video, _sound_packets(heard), audio)
        os.replace(temporary, target)
    except av.error.FFmpegError as error:
        temporary.unlink(missing_ok=True)
        raise MediaError(
            f"cannot join the segments into {target.name}: {error}", where=str(target)
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def _pictures(segments: list[SegmentFacts], frame_rate: Fraction, delay: int) -> Iterator[Any]:
    """Every segment's picture packets in decode order, retimed in frames (time base
    1/rate): pts moved by the frames before the segment, dts the packet count less
    ``delay``."""
    offset, decoded = 0, 0
    for segment in segments:
        with open_input(segment.path) as container:
            stream = container.streams.video[0]
            base = Fraction(stream.time_base) * frame_rate
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None:
                    continue
                packet.pts = offset + round(packet.pts * base) - segment.first_frame
                packet.dts = decoded - delay
                packet.time_base = 1 / frame_rate
                decoded += 1
                yield packet
        offset += segment.frames


def _sound_packets(container: Any) -> Iterator[Any]:
    stream = container.streams.audio[0]
    for packet in container.demux(stream):
        if packet.size != 0:
            yield packet


def _interleave(
    output: Any, pictures: Iterator[Any], video: Any, sounds: Iterator[Any], audio: Any
) -> None:
    """Mux both streams in time order, a packet at a time."""
    picture = next(pictures, None)
    sound = next(sounds, None)
    while picture is not None or sound is not None:
        take_picture = sound is None or (
            picture is not None and picture.dts * picture.time_base <= sound.dts * sound.time_base
        )
        if take_picture:
            assert picture is not None
            picture.stream = video
            output.mux(picture)
            picture = next(pictures, None)
        else:
            assert sound is not None
            sound.stream = audio
            output.mux(sound)
            sound = next(sounds, None)
