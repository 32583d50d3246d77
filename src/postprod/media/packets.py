"""Compressed pictures as they are: a source's GOPs, and its packets for copying.

Smart render copies the packets of whole GOPs from a source into the output
instead of decoding and encoding them again. That is only sound where the
packets decode the same in the new file: the same codec, size, pixel format,
rate and colour, and GOPs that stand alone (H.264: each starts at an IDR
picture, which nothing before it can be referenced across). This module
reads a source's layout (demuxing only, no decoding) and hands out the
packets of a run of whole GOPs, ready for :meth:`MediaWriter.copy_packets`.

H.264 in MP4 and MOV stores NAL units with length prefixes and its parameter
sets in the file header; an output that mixes copied and newly encoded GOPs
carries each GOP's own parameter sets in-band, before its IDR picture, in
Annex B form (the muxer rewrites Annex B into length prefixes), and is tagged
``avc3``, the sample entry for in-band parameter sets.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from postprod.media._open import media_error, open_input

_START = b"\x00\x00\x00\x01"
#: Codecs whose every frame is a keyframe: any frame range copies.
INTRA_CODECS = ("prores", "dnxhd")
#: Codecs smart render copies (an open-GOP HEVC stream's keyframes do not stand alone).
COPYABLE_CODECS = ("h264", *INTRA_CODECS)


@dataclass(frozen=True, slots=True)
class StreamLayout:
    """What a video stream's packets are: their format, and where each GOP starts."""

    codec: str
    width: int
    height: int
    pixel_format: str
    frame_rate: Fraction
    limited_bt709: bool  # limited range, BT.709 (or untagged, which we read as BT.709)
    frames: int
    gop_starts: tuple[int, ...]  # frame indices of the keyframes that start a stand-alone GOP
    reorder_frames: int  # how far decode order runs ahead of display order (B-frames)
    decode_order: tuple[int, ...] = ()  # each packet's frame (display order), in decode order

    def copyable(self, first: int, count: int) -> list[tuple[int, int]]:
        """The runs ``(start, frames)`` of frames ``first`` .. ``first + count`` that copy:
        whole GOPs, and the head of the GOP the range ends in, as far as a run of packets
        from its keyframe (in decode order) shows exactly its first frames and none past
        the end (B-frames that need a later picture stop it)."""
        end = first + count
        bounds = [*self.gop_starts, self.frames]
        runs: list[tuple[int, int]] = []
        for start, stop in itertools.pairwise(bounds):
            if start < first or start >= end:
                continue
            frames = stop - start if stop <= end else self._head(start, end)
            if frames == 0:
                continue
            if runs and sum(runs[-1]) == start:
                runs[-1] = (runs[-1][0], runs[-1][1] + frames)
            else:
                runs.append((start, frames))
        return runs

    def _head(self, start: int, end: int) -> int:
        """How many frames from keyframe ``start`` a decode-order run of packets shows
        exactly (frames ``start`` .. ``start + n``, all before ``end``)."""
        at = self.decode_order.index(start)
        best, highest = 0, start - 1
        for taken, frame in enumerate(self.decode_order[at : at + (end - start) + 8], start=1):
            highest = max(highest, frame)
            if highest >= end:
                break
            if highest == start + taken - 1:
                best = taken
        return best


@dataclass(frozen=True, slots=True)
class CopiedPacket:
    """One source packet, ready to mux: its bytes, its frame (display order), keyframe flag."""

    data: bytes
    frame: int
    keyframe: bool


def stream_layout(path: str | os.PathLike[str]) -> StreamLayout | None:
    """The layout of a file's first video stream, or ``None`` if it has none we could copy
    (no picture, a codec smart render does not copy, or no constant frame rate)."""
    with open_input(path) as container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        context = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate
        if context.name not in COPYABLE_CODECS or not rate:
            return None
        first_pts = stream.start_time or 0
        time_base = Fraction(stream.time_base)
        intra = context.name in INTRA_CODECS
        length_prefixed = _is_avcc(context.extradata)
        starts: list[int] = []
        order: list[int] = []
        reorder = 0
        decoded = 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None:
                    continue
                frame = round((packet.pts - first_pts) * time_base * Fraction(rate))
                reorder = max(reorder, decoded - frame)
                order.append(frame)
                if intra or (packet.is_keyframe and _is_idr(bytes(packet), length_prefixed)):
                    starts.append(frame)
                decoded += 1
        except av.error.FFmpegError as error:
            raise media_error(Path(path), error) from None
        limited = int(context.color_range or 1) == 1 and int(context.colorspace or 1) in (1, 2)
        return StreamLayout(
            codec=context.name,
            width=context.width,
            height=context.height,
            pixel_format=context.format.name if context.format else "",
            frame_rate=Fraction(rate),
            limited_bt709=limited,
            frames=decoded,
            gop_starts=tuple(sorted(starts)),
            reorder_frames=reorder,
            decode_order=tuple(order),
        )


def copy_packets(path: str | os.PathLike[str], first: int, count: int) -> Iterator[CopiedPacket]:
    """The packets of frames ``first`` .. ``first + count`` in decode order: a run that
    :meth:`StreamLayout.copyable` gave (it starts at a keyframe; what it holds decodes
    from its own packets)."""
    with open_input(path) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate or stream.guessed_rate)
        time_base = Fraction(stream.time_base)
        first_pts = stream.start_time or 0
        annex_b = stream.codec_context.name == "h264" and _is_avcc(stream.codec_context.extradata)
        parameter_sets = _parameter_sets(stream.codec_context.extradata) if annex_b else b""
        target = first_pts + round(Fraction(first) / rate / time_base)
        try:
            container.seek(target, stream=stream, backward=True, any_frame=False)
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None:
                    continue
                frame = round((packet.pts - first_pts) * time_base * rate)
                if frame >= first + count and packet.is_keyframe:
                    return  # the next GOP: every packet of ours is out (closed GOPs)
                if not first <= frame < first + count:
                    continue
                data = bytes(packet)
                if annex_b:
                    data = _to_annex_b(data, parameter_sets if packet.is_keyframe else b"")
                yield CopiedPacket(data, frame, bool(packet.is_keyframe))
        except av.error.FFmpegError as error:
            raise media_error(Path(path), error) from None


def _is_avcc(extradata: Any) -> bool:
    """Whether a stream's H.264 header is an ``avcC`` record (packets length-prefixed)."""
    return bool(extradata) and bytes(extradata)[0] == 1


def _nal_units(data: bytes, length_prefixed: bool) -> list[bytes]:
    """The NAL units of an H.264 packet: length-prefixed (AVCC, 4-byte lengths) or Annex B."""
    if not length_prefixed:
        return [unit.rstrip(b"\x00") for unit in data.split(b"\x00\x00\x01")[1:]]
    units, at = [], 0
    while at + 4 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        units.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    return units


def _is_idr(data: bytes, length_prefixed: bool) -> bool:
    """Whether an H.264 keyframe holds an IDR picture (an I picture of an open GOP does not:
    the B pictures after it may refer back across it)."""
    return any(unit and unit[0] & 0x1F == 5 for unit in _nal_units(data, length_prefixed))


def _parameter_sets(extradata: bytes) -> bytes:
    """The SPS and PPS of an ``avcC`` record, in Annex B form."""
    record = bytes(extradata)
    units: list[bytes] = []
    at = 6
    for _ in range(record[5] & 0x1F):  # sequence parameter sets
        size = int.from_bytes(record[at : at + 2], "big")
        units.append(record[at + 2 : at + 2 + size])
        at += 2 + size
    count, at = record[at], at + 1
    for _ in range(count):  # picture parameter sets
        size = int.from_bytes(record[at : at + 2], "big")
        units.append(record[at + 2 : at + 2 + size])
        at += 2 + size
    return b"".join(_START + unit for unit in units)


def _to_annex_b(data: bytes, prefix: bytes) -> bytes:
    """A length-prefixed packet as Annex B (start codes), after ``prefix`` (parameter sets)."""
    return prefix + b"".join(_START + unit for unit in _nal_units(data, True))
