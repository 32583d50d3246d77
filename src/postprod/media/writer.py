"""Encode and mux picture and sound into one file, safely.

The file is written under a temporary name in the target's folder and renamed
into place only when the writer closes without an error: a crash, a failure
or Ctrl-C leaves the old file (or nothing), never half a file. Picture goes in
as RGB arrays and is converted to the codec's YUV with BT.709 matrices at
limited (16-235) range and tagged so; sound goes in as float32
``(channels, samples)`` blocks. Timestamps are integer frame and sample
counts, so picture and sound stay in sync however long the programme.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

from postprod.errors import MediaError
from postprod.media.audio import LAYOUTS
from postprod.media.video import Picture

_BT709 = 1  # AVCOL_SPC/PRI/TRC_BT709
_LIMITED = 1  # AVCOL_RANGE_MPEG


@dataclass(frozen=True, slots=True)
class VideoSpec:
    """The picture of an output file."""

    width: int
    height: int
    frame_rate: Fraction
    codec: str = "libx264"
    pixel_format: str = "yuv420p"
    options: dict[str, str] = field(default_factory=lambda: {"crf": "18", "preset": "veryfast"})


@dataclass(frozen=True, slots=True)
class AudioSpec:
    """The sound of an output file."""

    sample_rate: int = 48000
    channels: int = 2
    codec: str = "aac"
    bit_rate: int | None = 192_000


class MediaWriter:
    """Writes one file with an optional picture stream and an optional sound stream."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        video: VideoSpec | None = None,
        audio: AudioSpec | None = None,
        start_timecode: str | None = None,
        metadata: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
    ) -> None:
        if video is None and audio is None:
            raise MediaError("nothing to write", where=str(path), fix="give a picture or sound")
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise MediaError(
                f"folder {str(self.path.parent)!r} does not exist",
                where=str(self.path),
                fix="create it or choose another output path",
            )
        self._temporary = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")
        self.video_spec, self.audio_spec = video, audio
        self.frames_written = 0
        self.samples_written = 0
        try:
            self._container: Any = av.open(
                str(self._temporary),
                "w",
                format=_muxer_for(self.path.suffix),
                options=dict(options or {}),
            )
            for key, value in (metadata or {}).items():
                self._container.metadata[key] = value
            self._video = self._add_video(video, start_timecode) if video else None
            self._audio = self._add_audio(audio) if audio else None
        except (av.error.FFmpegError, ValueError) as error:
            self._discard()
            raise MediaError(
                f"cannot start writing {self.path.name}: {error}",
                where=str(self.path),
                fix="check the codec and container (for example .mp4 with libx264 and aac)",
            ) from None

    def _add_video(self, spec: VideoSpec, start_timecode: str | None) -> Any:
        stream = self._container.add_stream(spec.codec, rate=spec.frame_rate)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, spec.pixel_format
        stream.time_base = 1 / spec.frame_rate
        stream.options = dict(spec.options)
        context = stream.codec_context
        context.colorspace = context.color_primaries = context.color_trc = _BT709
        context.color_range = _LIMITED
        if start_timecode:
            stream.metadata["timecode"] = start_timecode
        return stream

    def _add_audio(self, spec: AudioSpec) -> Any:
        stream = self._container.add_stream(spec.codec, rate=spec.sample_rate)
        stream.layout = LAYOUTS[spec.channels]
        if spec.bit_rate and spec.codec not in ("flac",) and not spec.codec.startswith("pcm_"):
            stream.bit_rate = spec.bit_rate
        return stream

    def write_video(self, rgb: NDArray[np.uint8]) -> None:
        """Append one frame, an RGB ``(height, width, 3)`` uint8 array."""
        if self._video is None or self.video_spec is None:
            raise MediaError("this writer has no picture stream", where=str(self.path))
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame = frame.reformat(
            format=self.video_spec.pixel_format,
            src_colorspace="ITU709",
            dst_colorspace="ITU709",
            src_color_range="JPEG",
            dst_color_range="MPEG",
        )
        frame.pts = self.frames_written
        self._container.mux(self._video.encode(frame))
        self.frames_written += 1

    def write_picture(self, picture: Picture) -> None:
        """Append a decoded picture already in the output's size and format (no conversion)."""
        if self._video is None:
            raise MediaError("this writer has no picture stream", where=str(self.path))
        source = picture.frame
        # A fresh frame (one copy of the planes): the encoder keeps frames for look-ahead
        # while the decoder may reuse the buffers of the ones it handed out.
        frame = av.VideoFrame.from_ndarray(source.to_ndarray(), format=source.format.name)
        frame.pts = self.frames_written
        self._container.mux(self._video.encode(frame))
        self.frames_written += 1

    def write_audio(self, block: NDArray[np.float32]) -> None:
        """Append a float32 ``(channels, samples)`` block of any length."""
        if self._audio is None or self.audio_spec is None:
            raise MediaError("this writer has no sound stream", where=str(self.path))
        if block.shape[1] == 0:
            return
        layout = LAYOUTS[self.audio_spec.channels]
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32), format="fltp", layout=layout
        )
        frame.sample_rate = self.audio_spec.sample_rate
        frame.pts = self.samples_written
        self._container.mux(self._audio.encode(frame))
        self.samples_written += block.shape[1]

    def close(self) -> Path:
        """Flush the encoders, finish the file and move it into place."""
        for stream in (self._video, self._audio):
            if stream is not None:
                self._container.mux(stream.encode(None))
        self._container.close()
        os.replace(self._temporary, self.path)
        return self.path

    def _discard(self) -> None:
        container = getattr(self, "_container", None)
        if container is not None:
            with contextlib.suppress(av.error.FFmpegError, ValueError):
                container.close()
        self._temporary.unlink(missing_ok=True)

    def __enter__(self) -> MediaWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._discard()


def _muxer_for(suffix: str) -> str | None:
    known = {".mov": "mov", ".mp4": "mp4", ".m4a": "mp4", ".mkv": "matroska", ".wav": "wav"}
    return (known | {".flac": "flac"}).get(suffix.lower())
