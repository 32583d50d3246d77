"""A video file's decoded pictures as their own Y'CbCr planes, one frame at a time.

Picture QC measures the signal the file carries (code values, before any
conversion to RGB), so the planes are handed over as NumPy views of the
decoder's own buffers: no copy, no colour conversion for the planar Y'CbCr
formats decoders give (4:2:0, 4:2:2, 4:4:4 at 8 to 16 bits). Anything else
(NV12, RGB, palettes) is converted once by swscale to planar 4:4:4 at its
bit depth. A view is valid until the next frame is decoded: copy what you keep.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

from postprod.media._open import media_error
from postprod.media.video import open_video_stream

_PLANAR = re.compile(r"^yuvj?(420|422|444)p(\d+)?(le)?$")
_MATRICES = {1: "bt709", 5: "bt601", 6: "bt601", 9: "bt2020", 10: "bt2020"}


@dataclass(frozen=True, slots=True)
class YuvPlanes:
    """One decoded picture: luma and the two chroma planes at their own sizes.

    ``y``, ``u`` and ``v`` are uint8 (8-bit) or uint16 arrays of code values;
    ``full_range`` is true for JPEG-range files (0-255 rather than 16-235);
    ``matrix`` names the Y'CbCr matrix the file says (BT.709 when it says none).
    """

    y: NDArray[Any]
    u: NDArray[Any]
    v: NDArray[Any]
    bits: int
    full_range: bool
    matrix: str


class PlaneReader:
    """A video file opened for one forward pass over its pictures as :class:`YuvPlanes`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path, self._container, self._stream, self.frame_rate = open_video_stream(path)
        self.width: int = self._stream.codec_context.width
        self.height: int = self._stream.codec_context.height

    @property
    def frame_count(self) -> int | None:
        """Frames in the stream, where the container says."""
        return int(self._stream.frames) or None

    def planes(self) -> Iterator[YuvPlanes]:
        """Every picture in presentation order, decoded one at a time."""
        try:
            for frame in self._container.decode(self._stream):
                yield _planes_of(frame)
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None

    def planes_and_sound(self) -> Iterator[YuvPlanes | NDArray[np.float32]]:
        """Pictures (as :meth:`planes`) and float32 ``(channels, n)`` blocks of the first
        sound stream at its own rate and layout, in the order the file interleaves them:
        one demux of the file feeds both decoders. Without sound, only pictures."""
        if not self._container.streams.audio:
            yield from self.planes()
            return
        sound = self._container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout=sound.layout.name, rate=sound.rate)
        try:
            for packet in self._container.demux(self._stream, sound):
                for frame in packet.decode():
                    if packet.stream is self._stream:
                        yield _planes_of(frame)
                    else:
                        for block in resampler.resample(frame):
                            yield block.to_ndarray().astype(np.float32, copy=False)
            for block in resampler.resample(None):
                yield block.to_ndarray().astype(np.float32, copy=False)
        except av.error.FFmpegError as error:
            raise media_error(self.path, error) from None

    def close(self) -> None:
        """Release the file."""
        self._container.close()

    def __enter__(self) -> PlaneReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _planes_of(frame: Any) -> YuvPlanes:
    match = _PLANAR.match(frame.format.name)
    if match is None:
        bits = max(8, min(16, _component_bits(frame)))
        frame = frame.reformat(format="yuv444p" if bits == 8 else "yuv444p16le")
        match = _PLANAR.match(frame.format.name)
        assert match is not None
        bits = 8 if bits == 8 else 16
    else:
        bits = int(match.group(2) or 8)
    dtype = np.uint8 if bits == 8 else np.dtype("<u2")
    size = 1 if bits == 8 else 2
    views = []
    for plane in frame.planes[:3]:
        flat = np.frombuffer(plane, dtype)
        views.append(flat.reshape(plane.height, plane.line_size // size)[:, : plane.width])
    return YuvPlanes(
        y=views[0],
        u=views[1],
        v=views[2],
        bits=bits,
        full_range=int(frame.color_range or 0) == 2 or frame.format.name.startswith("yuvj"),
        matrix=_MATRICES.get(int(frame.colorspace or 0), "bt709"),
    )


def _component_bits(frame: Any) -> int:
    components = frame.format.components
    return max((int(c.bits) for c in components), default=8)


def open_planes(path: str | os.PathLike[str]) -> PlaneReader:
    """A :class:`PlaneReader` for ``path`` (use it in a ``with`` block)."""
    return PlaneReader(path)
