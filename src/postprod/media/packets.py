"""Compressed pictures as they are: a source's GOPs, and its packets for copying.

Smart render copies the packets of whole GOPs from a source into the output
instead of decoding and encoding them again. That is only sound where the
packets decode the same in the new file: the same codec, size, pixel format,
rate and colour, and GOPs that stand alone (H.264 and HEVC: each starts at
an IDR picture, which nothing before it can be referenced across; an open
GOP's CRA or non-IDR I picture does not count). This module
reads a source's layout (demuxing only, no decoding) and hands out the
packets of a run of whole GOPs, ready for :meth:`MediaWriter.copy_packets`,
from one open file per source (:class:`PacketSources`).

H.264 and HEVC in MP4 and MOV store NAL units with length prefixes and their
parameter sets in the file header; an output that mixes copied and newly
encoded GOPs carries each GOP's own parameter sets in-band, before its IDR
picture, in Annex B form (the muxer rewrites Annex B into length prefixes),
and is tagged ``avc3`` or ``hev1``, the sample entries for in-band
parameter sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from postprod.media._open import check_readable, media_error

_START = b"\x00\x00\x00\x01"
#: Codecs whose every frame is a keyframe: any frame range copies.
INTRA_CODECS = ("prores", "dnxhd")
#: Codecs smart render copies.
COPYABLE_CODECS = ("h264", "hevc", *INTRA_CODECS)


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
    codec_tag: str = ""  # e.g. apch: ProRes 422 HQ

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


class PacketSources:
    """The sources a smart render copies from, each opened once: its layout, read when
    first asked for, and its packets, run by run. Close it when the render is done."""

    def __init__(self) -> None:
        self._open: dict[str, _Source] = {}

    def layout(self, path: str) -> StreamLayout | None:
        """The layout of ``path``'s first video stream, or ``None`` if it has none we could
        copy (no picture, a codec smart render does not copy, no constant frame rate)."""
        return self._source(path).layout

    def packets(self, path: str, first: int, count: int) -> Iterator[CopiedPacket]:
        """The packets of frames ``first`` .. ``first + count`` in decode order: a run that
        :meth:`StreamLayout.copyable` gave (it starts at a keyframe; what it holds decodes
        from its own packets)."""
        return self._source(path).packets(first, count)

    def _source(self, path: str) -> _Source:
        if path not in self._open:
            self._open[path] = _Source(Path(path))
        return self._open[path]

    def close(self) -> None:
        for source in self._open.values():
            source.close()
        self._open.clear()


class _Source:
    """One open source file: its first video stream's layout and packets."""

    def __init__(self, path: Path) -> None:
        self.path = check_readable(path)
        try:
            self._container: Any = av.open(str(self.path))
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None
        self.layout: StreamLayout | None = None
        if self._container.streams.video:
            self._stream = self._container.streams.video[0]
            rate = self._stream.average_rate or self._stream.guessed_rate
            context = self._stream.codec_context
            if context.name in COPYABLE_CODECS and rate:
                self._rate = Fraction(rate)
                self._time_base = Fraction(self._stream.time_base or Fraction(1, 90000))
                self._first_pts = self._stream.start_time or 0
                self.layout = self._scan()

    def _frame(self, packet: Any) -> int:
        pts: int = packet.pts
        return round((pts - self._first_pts) * self._time_base * self._rate)

    def _demux(self) -> Iterator[Any]:
        try:
            for packet in self._container.demux(self._stream):
                if packet.size and packet.pts is not None:
                    yield packet
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None

    def _scan(self) -> StreamLayout:
        """Every packet's frame in decode order, the IDR keyframes, the B-frame delay."""
        context = self._stream.codec_context
        intra = context.name in INTRA_CODECS
        nal = _NalFormat.of(context.name, bytes(context.extradata or b""))
        starts: list[int] = []
        order: list[int] = []
        for packet in self._demux():
            frame = self._frame(packet)
            if intra or (packet.is_keyframe and nal.is_idr(bytes(packet))):
                starts.append(frame)
            order.append(frame)
        reorder = max((index - frame for index, frame in enumerate(order)), default=0)
        limited = int(context.color_range or 1) == 1 and int(context.colorspace or 1) in (1, 2)
        return StreamLayout(
            codec=context.name,
            width=context.width,
            height=context.height,
            pixel_format=context.format.name if context.format else "",
            frame_rate=self._rate,
            limited_bt709=limited,
            frames=len(order),
            gop_starts=tuple(sorted(starts)),
            reorder_frames=max(reorder, 0),
            decode_order=tuple(order),
            codec_tag=str(context.codec_tag or ""),
        )

    def packets(self, first: int, count: int) -> Iterator[CopiedPacket]:
        context = self._stream.codec_context
        nal = _NalFormat.of(context.name, bytes(context.extradata or b""))
        target = self._first_pts + round(Fraction(first) / self._rate / self._time_base)
        try:
            self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None
        for packet in self._demux():
            frame = self._frame(packet)
            if frame >= first + count and packet.is_keyframe:
                return  # the next GOP: every packet of ours is out (closed GOPs)
            if first <= frame < first + count:
                data = nal.annex_b(bytes(packet), bool(packet.is_keyframe))
                yield CopiedPacket(data, frame, bool(packet.is_keyframe))

    def close(self) -> None:
        self._container.close()


@dataclass(frozen=True, slots=True)
class _NalFormat:
    """How a stream's packets hold NAL units: H.264 or HEVC, length-prefixed (``avcC`` or
    ``hvcC`` header, with its parameter sets) or Annex B (start codes, ``length_size`` 0).
    Other codecs have no NAL units: their packets pass as they are."""

    codec: str
    length_size: int = 0
    parameter_sets: bytes = b""  # Annex B, to go before each IDR picture

    @staticmethod
    def of(codec: str, extradata: bytes) -> _NalFormat:
        if codec not in ("h264", "hevc") or not extradata or extradata[0] != 1:
            return _NalFormat(codec)
        if codec == "h264":
            return _NalFormat(codec, (extradata[4] & 3) + 1, _avcc_parameter_sets(extradata))
        return _NalFormat(codec, (extradata[21] & 3) + 1, _hvcc_parameter_sets(extradata))

    def units(self, data: bytes) -> list[bytes]:
        if not self.length_size:
            return [unit.rstrip(b"\x00") for unit in data.split(b"\x00\x00\x01")[1:]]
        units, at, size = [], 0, self.length_size
        while at + size <= len(data):
            length = int.from_bytes(data[at : at + size], "big")
            units.append(data[at + size : at + size + length])
            at += size + length
        return units

    def is_idr(self, data: bytes) -> bool:
        """Whether a keyframe holds an IDR picture (an open GOP's I or CRA picture does not:
        the pictures after it may refer back across it)."""
        if self.codec == "h264":
            return any(unit and unit[0] & 0x1F == 5 for unit in self.units(data))
        if self.codec == "hevc":
            return any(unit and (unit[0] >> 1) & 0x3F in (19, 20) for unit in self.units(data))
        return True

    def annex_b(self, data: bytes, keyframe: bool) -> bytes:
        """A length-prefixed packet in Annex B, a keyframe's after the parameter sets."""
        if not self.length_size:
            return data
        prefix = self.parameter_sets if keyframe else b""
        return prefix + b"".join(_START + unit for unit in self.units(data))


def _avcc_parameter_sets(record: bytes) -> bytes:
    """The SPS and PPS of an ``avcC`` record, in Annex B form."""
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


def _hvcc_parameter_sets(record: bytes) -> bytes:
    """The VPS, SPS and PPS of an ``hvcC`` record, in Annex B form."""
    units: list[bytes] = []
    at = 23
    for _ in range(record[22]):  # arrays of NAL units by type
        kind, count = record[at] & 0x3F, int.from_bytes(record[at + 1 : at + 3], "big")
        at += 3
        for _ in range(count):
            size = int.from_bytes(record[at : at + 2], "big")
            if kind in (32, 33, 34):  # VPS, SPS, PPS (not SEI)
                units.append(record[at + 2 : at + 2 + size])
            at += 2 + size
    return b"".join(_START + unit for unit in units)
