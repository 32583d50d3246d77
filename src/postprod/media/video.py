"""Decoding pictures frame-exactly into RGB arrays.

Frames are addressed by index from the stream's first frame, computed from
timestamps with exact fractions. Reading forward continues the decoder;
jumping seeks to the keyframe before the target and decodes forward. Scaling
to the output size is FFmpeg's (swscale) as part of the one conversion to RGB,
from the source's own matrix and range (BT.709 unless the file says
otherwise; a limited 16-235 source is expanded, not shown washed out).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import av
import numpy as np
from numpy.typing import NDArray

from postprod.errors import MediaError
from postprod.media._open import check_readable, media_error

_MATRIX = {1: "ITU709", 5: "ITU601", 6: "SMPTE170M", 7: "SMPTE240M", 9: "BT2020"}
#: How a picture of another shape meets the frame: whole inside it (letterbox or pillarbox
#: bars), covering it (the overflow cropped, centred), or stretched to it.
FITS = ("fit", "fill", "stretch")


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Picture:
    """A decoded picture in the output's format, to hand to :meth:`MediaWriter.write_picture`.

    Opaque outside ``postprod.media``: the render layer passes it along untouched.
    """

    frame: Any


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a conformed picture goes on the frame: scaled to ``width`` x ``height`` with its
    top-left corner at ``x``, ``y`` (negative: that much is cropped away)."""

    width: int
    height: int
    x: int
    y: int

    @staticmethod
    def of(
        source: tuple[int, int],
        pixel_aspect: Fraction,
        frame: tuple[int, int],
        fit: str = "stretch",
    ) -> Placement:
        """The source (``pixel_aspect`` wide pixels) conformed to a square-pixel frame."""
        (src_w, src_h), (out_w, out_h) = source, frame
        if fit not in FITS:
            raise MediaError(f"unknown fit {fit!r}", fix=f"use one of {', '.join(FITS)}")
        if fit == "stretch":
            return Placement(out_w, out_h, 0, 0)
        display_w = src_w * pixel_aspect
        scales = (Fraction(out_w) / display_w, Fraction(out_h, src_h))
        scale = min(scales) if fit == "fit" else max(scales)
        width = out_w if scale == scales[0] else max(2, round(display_w * scale / 2) * 2)
        height = out_h if scale == scales[1] else max(2, round(src_h * scale / 2) * 2)
        return Placement(width, height, (out_w - width) // 2, (out_h - height) // 2)

    def fills(self, frame: tuple[int, int]) -> bool:
        """Whether the picture covers the frame exactly (nothing to pad or crop)."""
        return (self.width, self.height, self.x, self.y) == (*frame, 0, 0)

    def apply(self, picture: NDArray[np.uint8], frame: tuple[int, int]) -> NDArray[np.uint8]:
        """``picture`` (already scaled) on a black frame: bars round it, or its overflow cut."""
        if self.fills(frame):
            return picture
        out_w, out_h = frame
        canvas = np.zeros((out_h, out_w, 3), np.uint8)
        fx0, fy0 = max(0, self.x), max(0, self.y)
        fx1, fy1 = min(out_w, self.x + self.width), min(out_h, self.y + self.height)
        canvas[fy0:fy1, fx0:fx1] = picture[fy0 - self.y : fy1 - self.y, fx0 - self.x : fx1 - self.x]
        return canvas


def _to_output(frame: Any, size: tuple[int, int], pixel_format: str) -> Any:
    width, height = size
    limited = frame.format.name == pixel_format and int(frame.color_range or 1) in (0, 1)
    bt709 = int(frame.colorspace or 1) in (1, 2)  # BT.709, or unspecified (treated as BT.709)
    if (frame.width, frame.height) == (width, height) and limited and bt709:
        return frame
    source_range = "JPEG" if int(frame.color_range or 0) == 2 else "MPEG"
    return frame.reformat(
        width=width,
        height=height,
        format=pixel_format,
        src_colorspace=_MATRIX.get(int(frame.colorspace or 0), "ITU709"),
        dst_colorspace="ITU709",
        src_color_range=source_range,
        dst_color_range="MPEG",
    )


def open_video_stream(path: str | os.PathLike[str]) -> tuple[Path, Any, Any, Fraction]:
    """A video file opened for decoding: its checked path, the container, its first picture
    stream (threaded decoding) and its frame rate; one error line if it is none of those."""
    checked = check_readable(path)
    try:
        container: Any = av.open(str(checked))
    except av.error.FFmpegError as error:
        raise media_error(checked, error) from None
    if not container.streams.video:
        container.close()
        raise MediaError(
            f"{checked.name} has no picture", where=str(checked), fix="give a video file"
        )
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    rate = stream.average_rate or stream.guessed_rate
    if not rate:
        container.close()
        raise MediaError(
            f"{checked.name} does not say its frame rate",
            where=str(checked),
            fix="re-wrap or transcode it with a constant frame rate",
        )
    return checked, container, stream, Fraction(rate)


class VideoReader:
    """A video file's picture, as RGB uint8 ``(height, width, 3)`` frames by index."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path, self._container, self._stream, self.frame_rate = open_video_stream(path)
        self.width: int = self._stream.codec_context.width
        self.height: int = self._stream.codec_context.height
        self._time_base = Fraction(self._stream.time_base or Fraction(1, 90000))
        self._first_pts = self._stream.start_time or 0
        self._decoded: Iterator[Any] | None = None
        self._next_index = 0
        aspect = self._stream.codec_context.sample_aspect_ratio
        self.pixel_aspect = Fraction(aspect) if aspect else Fraction(1)  # 0/1: not said: square

    def placement(self, size: tuple[int, int], fit: str = "stretch") -> Placement:
        """Where this picture goes on a frame of ``size``, conformed by ``fit``."""
        return Placement.of(self.size, self.pixel_aspect, size, fit)

    @property
    def size(self) -> tuple[int, int]:
        """The picture's (width, height) in pixels."""
        return self.width, self.height

    @property
    def frame_count(self) -> int | None:
        """Frames in the stream, where the container says."""
        return int(self._stream.frames) or None

    def frames(
        self,
        start: int,
        count: int,
        *,
        size: tuple[int, int] | None = None,
        fit: str = "stretch",
    ) -> Iterator[NDArray[np.uint8]]:
        """``count`` frames from index ``start``, conformed to ``size`` (width, height) if
        given: stretched, or by ``fit`` (letterbox/pillarbox, or fill and crop).

        Past the end of the stream the last frame repeats (a short source holds).
        """
        if size is None:
            return self._produce(start, count, lambda frame: self._to_rgb(frame, None))
        placed = self.placement(size, fit)
        scaled = (placed.width, placed.height)
        return self._produce(
            start, count, lambda frame: placed.apply(self._to_rgb(frame, scaled), size)
        )

    def pictures(
        self, start: int, count: int, *, size: tuple[int, int], pixel_format: str = "yuv420p"
    ) -> Iterator[Picture]:
        """Like :meth:`frames`, but as encoder-ready pictures: nothing is converted when the
        source already has the output's size and format (BT.709, limited range), so a span
        that is only cut goes from decoder to encoder untouched."""
        return self._produce(
            start, count, lambda frame: Picture(_to_output(frame, size, pixel_format))
        )

    def frames_at(
        self, indices: list[int], *, size: tuple[int, int] | None = None, fit: str = "stretch"
    ) -> Iterator[NDArray[np.uint8]]:
        """The frames at ``indices``, in that order: runs forward (repeats and skips, as in
        slow and fast motion) stream from one seek; runs backwards (reverse) are decoded
        a second's chunk at a time from their far end."""
        start = 0
        while start < len(indices):
            end = start + 1
            backwards = end < len(indices) and indices[end] < indices[start]
            while end < len(indices) and (
                indices[end] <= indices[end - 1] if backwards else indices[end] >= indices[end - 1]
            ):
                end += 1
            run = indices[start:end]
            yield from (
                self._backwards(run, size, fit) if backwards else self._forwards(run, size, fit)
            )
            start = end

    def _forwards(
        self, run: list[int], size: tuple[int, int] | None, fit: str
    ) -> Iterator[NDArray[np.uint8]]:
        frames = self.frames(run[0], run[-1] - run[0] + 1, size=size, fit=fit)
        at, frame = run[0], next(frames)
        for index in run:
            while at < index:
                frame, at = next(frames), at + 1
            yield frame

    def _backwards(
        self, run: list[int], size: tuple[int, int] | None, fit: str
    ) -> Iterator[NDArray[np.uint8]]:
        chunk = 25
        position = 0
        for top in range(run[0], run[-1] - 1, -chunk):
            bottom = max(run[-1], top - chunk + 1)
            frames = list(self.frames(bottom, top - bottom + 1, size=size, fit=fit))
            while position < len(run) and run[position] >= bottom:
                yield frames[run[position] - bottom]
                position += 1

    def _produce(self, start: int, count: int, convert: Callable[[Any], _T]) -> Iterator[_T]:
        last: _T | None = None
        produced = 0
        for frame in self._frames_from(start):
            last = convert(frame)
            yield last
            produced += 1
            if produced == count:
                return
        if last is None:
            raise MediaError(
                f"{self.path.name} has no frame {start}",
                where=str(self.path),
                fix="check the clip's source range against the file's length",
            )
        for _ in range(count - produced):
            yield last

    def _frames_from(self, start: int) -> Iterator[Any]:
        if self._decoded is None or start != self._next_index:
            self._seek(start)
        assert self._decoded is not None
        try:
            for frame in self._decoded:
                index = self._index_of(frame)
                if index < start:
                    continue
                self._next_index = index + 1
                yield frame
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None
        self._decoded = None

    def _seek(self, start: int) -> None:
        target = self._first_pts + round(Fraction(start) / self.frame_rate / self._time_base)
        try:
            self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None
        self._decoded = self._container.decode(self._stream)

    def _index_of(self, frame: Any) -> int:
        pts = frame.pts if frame.pts is not None else frame.dts
        return round(Fraction(pts - self._first_pts) * self._time_base * self.frame_rate)

    def _to_rgb(self, frame: Any, size: tuple[int, int] | None) -> NDArray[np.uint8]:
        width, height = size or (frame.width, frame.height)
        source_range = "JPEG" if int(frame.color_range or 0) == 2 else "MPEG"
        if frame.format.name.startswith(("rgb", "bgr", "gbr")):
            source_range = "JPEG"
        rgb = frame.reformat(
            width=width,
            height=height,
            format="rgb24",
            src_colorspace=_MATRIX.get(int(frame.colorspace or 0), "ITU709"),
            dst_colorspace="ITU709",
            src_color_range=source_range,
            dst_color_range="JPEG",
        )
        array: NDArray[np.uint8] = rgb.to_ndarray()
        return array

    def close(self) -> None:
        """Release the file."""
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_video(path: str | os.PathLike[str]) -> VideoReader:
    """A :class:`VideoReader` for ``path`` (use it in a ``with`` block)."""
    return VideoReader(Path(path))
