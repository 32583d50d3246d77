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
import importlib
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import av
import numpy as np
from numpy.typing import NDArray

from postprod.atomic import partial_path, sweep_partials
from postprod.errors import MediaError
from postprod.media.audio import LAYOUTS
from postprod.media.packets import CopiedPacket
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
    #: The same pictures give the same file (x264: no AVX-512; about 8% more encoder CPU).
    repeatable: bool = True
    codec_tag: str | None = None  # e.g. hvc1 for HEVC that Apple players open


@dataclass(frozen=True, slots=True)
class AudioSpec:
    """The sound of an output file."""

    sample_rate: int = 48000
    channels: int = 2
    codec: str = "aac"
    bit_rate: int | None = 192_000
    sample_format: str | None = None  # the encoder's, e.g. "s32" for 24-bit FLAC


class _WholeOrNothing:
    """A writer that is either closed whole (``close``) or discarded (``_discard``)."""

    def close(self) -> Path:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
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


class MediaWriter(_WholeOrNothing):
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
        muxer: str | None = None,
    ) -> None:
        """``muxer`` overrides the one the suffix names; ``image2`` writes numbered images
        straight to ``path`` (a pattern), the caller keeping them in a temporary folder."""
        if video is None and audio is None:
            raise MediaError("nothing to write", where=str(path), fix="give a picture or sound")
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise MediaError(
                f"folder {str(self.path.parent)!r} does not exist",
                where=str(self.path),
                fix="create it or choose another output path",
            )
        direct = muxer == "image2"
        if not direct:
            sweep_partials(self.path)
        self._temporary = self.path if direct else partial_path(self.path, self.path.suffix)
        self.video_spec, self.audio_spec = video, audio
        self.frames_written = 0
        self.samples_written = 0
        self.frames_copied = 0
        self._pieces: _Pieces | None = None
        try:
            self._container: Any = av.open(
                str(self._temporary),
                "w",
                format=muxer or _muxer_for(self.path.suffix),
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
        options = dict(spec.options)
        stream.options = _repeatable(spec.codec, options) if spec.repeatable else options
        context = stream.codec_context
        context.colorspace = context.color_primaries = context.color_trc = _BT709
        context.color_range = _LIMITED
        if spec.codec_tag:
            context.codec_tag = spec.codec_tag
        if start_timecode:
            stream.metadata["timecode"] = start_timecode
        return stream

    def _add_audio(self, spec: AudioSpec) -> Any:
        stream = self._container.add_stream(spec.codec, rate=spec.sample_rate)
        stream.layout = LAYOUTS.get(spec.channels, f"{spec.channels}c")
        if spec.sample_format:
            stream.format = spec.sample_format
        if spec.bit_rate and spec.codec not in ("flac",) and not spec.codec.startswith("pcm_"):
            stream.bit_rate = spec.bit_rate
        if spec.codec == "aac" and (spec.bit_rate or 0) >= 96_000:
            # FFmpeg's AAC guide: the "fast" coder is "worse with low bitrates (less than
            # 64kbps), but is better and much faster at higher bitrates" (2.4x here)
            stream.options = {"aac_coder": "fast"}
        return stream

    def copy_gops_from_here(self, reorder_frames: int) -> None:
        """Switch to smart render before any picture is written: from now on pictures are
        encoded in pieces, each a fresh run of whole GOPs, between which
        :meth:`copy_packets` copies whole GOPs of sources. ``reorder_frames`` is the
        largest B-frame delay of the sources copied (the encoder's is added)."""
        if self._video is None or self.video_spec is None or self.frames_written:
            raise MediaError("smart render must start before any picture", where=str(self.path))
        in_band = {"libx264": "avc3", "libx265": "hev1"}.get(self.video_spec.codec)
        if in_band:
            self._video.codec_context.codec_tag = in_band  # parameter sets in-band, per GOP
        self._pieces = _Pieces(self._container, self._video, self.video_spec, reorder_frames)

    def copy_packets(self, packets: Iterable[CopiedPacket], source_first: int, count: int) -> None:
        """Append ``count`` frames as copies of a source's packets (whole GOPs, from its frame
        ``source_first``), after everything encoded so far."""
        if self._pieces is None:
            raise MediaError("copying packets needs smart render", where=str(self.path))
        self._pieces.end_piece()
        start = self.frames_written
        for packet in packets:
            self._pieces.mux(packet.data, start + packet.frame - source_first, packet.keyframe)
        self.frames_written += count
        self.frames_copied += count

    def _encode(self, frame: Any) -> None:
        frame.pts = self.frames_written
        if self._pieces is not None:
            self._pieces.encode(frame)
        elif self._video is not None:
            self._container.mux(self._video.encode(frame))
        self.frames_written += 1

    def write_video(self, rgb: NDArray[np.uint8]) -> None:
        """Append one frame, an RGB ``(height, width, 3)`` uint8 array."""
        if self._video is None or self.video_spec is None:
            raise MediaError("this writer has no picture stream", where=str(self.path))
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        if self.video_spec.pixel_format != "rgb24":
            frame = frame.reformat(
                format=self.video_spec.pixel_format,
                src_colorspace="ITU709",
                dst_colorspace="ITU709",
                src_color_range="JPEG",
                dst_color_range="MPEG",
            )
        self._encode(frame)

    def write_picture(self, picture: Picture) -> None:
        """Append a decoded picture already in the output's size and format (no conversion)."""
        if self._video is None:
            raise MediaError("this writer has no picture stream", where=str(self.path))
        source = picture.frame
        # A fresh frame (one copy of the planes): the encoder keeps frames for look-ahead
        # while the decoder may reuse the buffers of the ones it handed out.
        frame = av.VideoFrame.from_ndarray(source.to_ndarray(), format=source.format.name)
        self._encode(frame)

    def write_audio(self, block: NDArray[np.float32]) -> None:
        """Append a float32 ``(channels, samples)`` block of any length."""
        if self._audio is None or self.audio_spec is None:
            raise MediaError("this writer has no sound stream", where=str(self.path))
        if block.shape[1] == 0:
            return
        layout = LAYOUTS.get(self.audio_spec.channels, f"{self.audio_spec.channels}c")
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32), format="fltp", layout=layout
        )
        frame.sample_rate = self.audio_spec.sample_rate
        frame.pts = self.samples_written
        self._container.mux(self._audio.encode(frame))
        self.samples_written += block.shape[1]

    def close(self) -> Path:
        """Flush the encoders, finish the file and move it into place.

        If finishing fails, the temporary file is removed: nothing is left behind.
        """
        try:
            if self._pieces is not None:
                self._pieces.end_piece()
            for stream in (self._video, self._audio):
                if stream is not None:
                    self._container.mux(stream.encode(None))
            self._container.close()
        except BaseException as error:
            self._discard()
            if isinstance(error, av.error.FFmpegError):
                raise MediaError(
                    f"cannot finish writing {self.path.name}: {error}",
                    where=str(self.path),
                    fix="check the free space and the output format",
                ) from None
            raise
        if self._temporary != self.path:
            os.replace(self._temporary, self.path)
        return self.path

    def _discard(self) -> None:
        container = getattr(self, "_container", None)
        if container is not None:
            with contextlib.suppress(av.error.FFmpegError, ValueError):
                container.close()
        self._temporary.unlink(missing_ok=True)


class _Pieces:
    """Smart render's picture stream: encoded pieces (each from a fresh encoder, so each
    starts a GOP of its own) and copied GOPs, muxed in order. Decode timestamps are the
    packets' count less the largest B-frame delay, so they rise by one frame per packet
    across every join whatever delay each piece has."""

    def __init__(self, container: Any, stream: Any, spec: VideoSpec, reorder_frames: int) -> None:
        self._container, self._stream, self._spec = container, stream, spec
        # x264's and x265's B-pyramids delay by up to 2 frames: 4 leaves room
        self._delay = max(reorder_frames, 4)
        self._decoded = 0
        self._encoder: Any = None

    def encode(self, frame: Any) -> None:
        if self._encoder is None:
            self._encoder = self._new_encoder()
        for packet in self._encoder.encode(frame):
            self.mux(bytes(packet), int(packet.pts), bool(packet.is_keyframe))

    def end_piece(self) -> None:
        if self._encoder is not None:
            for packet in self._encoder.encode(None):
                self.mux(bytes(packet), int(packet.pts), bool(packet.is_keyframe))
            self._encoder = None

    def mux(self, data: bytes, frame: int, keyframe: bool) -> None:
        packet = av.Packet(data)
        packet.stream = self._stream
        packet.time_base = 1 / self._spec.frame_rate
        packet.pts = frame
        packet.dts = self._decoded - self._delay
        packet.is_keyframe = keyframe
        self._decoded += 1
        self._container.mux(packet)

    def _new_encoder(self) -> Any:
        """An encoder like the stream's; without a global header, so x264 and x265 write
        their parameter sets in-band before each IDR picture."""
        spec = self._spec
        encoder: Any = av.CodecContext.create(spec.codec, "w")
        encoder.width, encoder.height, encoder.pix_fmt = spec.width, spec.height, spec.pixel_format
        encoder.time_base = 1 / spec.frame_rate
        encoder.framerate = spec.frame_rate
        encoder.colorspace = encoder.color_primaries = encoder.color_trc = _BT709
        encoder.color_range = _LIMITED
        options = dict(spec.options)
        encoder.options = _repeatable(spec.codec, options) if spec.repeatable else options
        encoder.open()
        return encoder


class ImageSequenceWriter(_WholeOrNothing):
    """A folder of numbered PNG images, with the sound as a WAV inside, moved into place whole.

    Images are ``NAME_0090000.png`` numbered from ``first_number`` (a render
    passes the programme's timecode as a frame count, as conform tools
    expect). The folder is built under a temporary name beside the target;
    an existing folder of that name is replaced only when the new one is complete.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        video: VideoSpec,
        audio: AudioSpec | None = None,
        first_number: int = 0,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(folder)
        if not self.path.parent.is_dir():
            raise MediaError(
                f"folder {str(self.path.parent)!r} does not exist",
                where=str(self.path),
                fix="create it or choose another output path",
            )
        _refuse_foreign_folder(self.path)
        sweep_partials(self.path)
        self._temporary = partial_path(self.path)
        shutil.rmtree(self._temporary, ignore_errors=True)
        self._temporary.mkdir()
        pattern = self._temporary / f"{self.path.name}_%07d.png"
        self.video_spec = video
        self._images = MediaWriter(
            pattern, video=video, options={"start_number": str(first_number)}, muxer="image2"
        )
        self._sound = (
            MediaWriter(
                self._temporary / f"{self.path.name}.wav",
                audio=audio,
                metadata=metadata,
                options={"write_bext": "1"} if metadata else None,
            )
            if audio is not None
            else None
        )

    @property
    def frames_written(self) -> int:
        return self._images.frames_written

    @property
    def samples_written(self) -> int:
        return self._sound.samples_written if self._sound is not None else 0

    def write_video(self, rgb: NDArray[np.uint8]) -> None:
        self._images.write_video(rgb)

    def write_picture(self, picture: Picture) -> None:
        self._images.write_video(picture.frame.to_ndarray(format="rgb24"))

    def write_audio(self, block: NDArray[np.float32]) -> None:
        if self._sound is not None:
            self._sound.write_audio(block)

    def close(self) -> Path:
        try:
            self._images.close()
            if self._sound is not None:
                self._sound.close()
        except BaseException:
            self._discard()
            raise
        old = partial_path(self.path, ".old")
        if self.path.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(self.path, old)
        os.replace(self._temporary, self.path)
        shutil.rmtree(old, ignore_errors=True)
        return self.path

    def _discard(self) -> None:
        for writer in (self._images, self._sound):
            if writer is not None:
                writer._discard()
        shutil.rmtree(self._temporary, ignore_errors=True)


def _refuse_foreign_folder(folder: Path) -> None:
    """An image sequence replaces only a folder that holds nothing but a previous render's
    images and sound (``NAME_0000000.png``, ``NAME.wav``): never a folder of other files."""
    if not folder.exists() and not folder.is_symlink():
        return
    if not folder.is_dir() or folder.is_symlink():
        raise MediaError(
            f"{str(folder)!r} exists and is not a folder",
            where=str(folder),
            fix="choose a new folder name for the image sequence",
        )
    ours = re.compile(re.escape(folder.name) + r"(_\d{7}\.png|\.wav)")
    foreign = [entry.name for entry in folder.iterdir() if not ours.fullmatch(entry.name)]
    if foreign:
        raise MediaError(
            f"folder {str(folder)!r} holds other files ({', '.join(sorted(foreign)[:3])}"
            f"{', ...' if len(foreign) > 3 else ''}): a render replaces only its own output",
            where=str(folder),
            fix="choose a new or empty folder",
        )


#: x264's names for the CPU features NumPy reports, AVX-512 left out (see _repeatable).
_X264_FEATURES = (
    ("SSE2", "MMX2,SSE,SSE2"),
    ("SSE3", "SSE3"),
    ("SSSE3", "SSSE3"),
    ("SSE41", "SSE4"),
    ("SSE42", "SSE4.2"),
    ("LZCNT", "LZCNT"),
    ("AVX", "AVX"),
    ("FMA3", "FMA3"),
    ("BMI", "BMI1"),
    ("BMI2", "BMI2"),
    ("AVX2", "AVX2"),
)


def _repeatable(codec: str, options: dict[str, str]) -> dict[str, str]:
    """Options that make x264 give the same bitstream for the same pictures.

    x264's AVX-512 code reads memory it has not written, so on a CPU with
    AVX-512 the same frames encode a little differently from run to run (a few
    pixels, up to ~20 levels). Telling x264 the CPU's features without AVX-512
    makes renders repeatable (measured: about 8% more CPU in the encoder at
    720p). Only on x86 CPUs with AVX-512 and only when the caller has not
    chosen x264's CPU features.
    """
    if codec != "libx264" or "asm" in options.get("x264-params", ""):
        return options
    try:
        umath = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:  # another NumPy layout: leave x264 to detect the CPU
        return options
    features: dict[str, bool] = getattr(umath, "__cpu_features__", {})
    if not features.get("AVX512F") or not features.get("SSE2"):
        return options
    names = ",".join(x264 for numpy_name, x264 in _X264_FEATURES if features.get(numpy_name))
    params = options.get("x264-params")
    options["x264-params"] = f"{params}:asm={names}" if params else f"asm={names}"
    return options


def _muxer_for(suffix: str) -> str | None:
    known = {".mov": "mov", ".mp4": "mp4", ".m4a": "mp4", ".mkv": "matroska", ".wav": "wav"}
    return (known | {".flac": "flac"}).get(suffix.lower())
