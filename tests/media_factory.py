"""Small real media for tests, written with PyAV directly (independent of postprod's writer).

Pictures are flat colours whose value follows the frame index, sound is a sine
per channel, so tests can check exactly which frame or sample ended up where.
Import from any test as ``from media_factory import write_video, write_wav, tone``
(pytest's default import mode puts ``tests/`` on ``sys.path``; works under xdist).

What each helper can write, all in a fraction of a second at the defaults:

- :func:`write_video`: MP4/MOV/MKV/MXF/TS (container from the suffix or
  ``container=``) with libx264, mpeg4, mpeg2video, prores_ks, ... at any exact
  rate, optional sound (aac, pcm_s24le, ...), an optional start timecode (a
  ``tmcd`` track in MOV/MP4, the material package timecode in MXF) and optional
  colour tags. dnxhd is not covered: it accepts only broadcast frame sizes.
- :func:`write_wav`: PCM WAV of a float32 ``(channels, samples)`` array, with an
  optional BWF ``bext`` TimeReference.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

#: FFmpeg channel layout names by channel count.
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}

#: Encoder options that keep the test encoders fast and near-lossless.
_FAST_OPTIONS = {"libx264": {"crf": "12", "preset": "ultrafast"}, "prores_ks": {"profile": "2"}}


def frame_value(index: int) -> int:
    """The grey level written on frame ``index``: distinct for neighbouring frames."""
    return (16 + 7 * index) % 224 + 16


def write_video(
    path: Path,
    *,
    frames: int = 25,
    rate: Fraction = Fraction(25),
    size: tuple[int, int] = (320, 180),
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    audio: bool = True,
    audio_codec: str = "aac",
    audio_rate: int = 48000,
    audio_channels: int = 2,
    tone_hz: float = 440.0,
    start_timecode: str | None = None,
    colour: tuple[int, int, int] | None = None,
    colour_tags: Mapping[str, int] | None = None,
    container: str | None = None,
    container_options: Mapping[str, str] | None = None,
) -> Path:
    """A video file with ``frames`` frames at exactly ``rate`` and, optionally, sound.

    ``container`` is FFmpeg's muxer name ("mp4", "mov", "matroska", "mxf",
    "mpegts"); by default FFmpeg picks it from the suffix. ``colour`` is the
    flat RGB fill of every frame (default: :func:`frame_value` grey);
    ``colour_tags`` sets codec-context colour fields by FFmpeg's numbers, e.g.
    ``{"color_primaries": 1, "color_trc": 1, "colorspace": 1, "color_range": 1}``
    for BT.709 limited range. ``container_options`` go to the muxer (e.g.
    ``{"movflags": "+faststart"}``). The sound lasts as long as the picture.
    """
    width, height = size
    with av.open(str(path), "w", format=container, options=dict(container_options or {})) as out:
        video = out.add_stream(codec, rate=rate)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        video.options = dict(_FAST_OPTIONS.get(codec, {}))
        for name, value in (colour_tags or {}).items():
            setattr(video.codec_context, name, value)
        if start_timecode:
            video.metadata["timecode"] = start_timecode
        sound = None
        layout = LAYOUTS[audio_channels]
        if audio:
            sound = out.add_stream(audio_codec, rate=audio_rate)
            sound.layout = layout
        for index in range(frames):
            pixels = np.empty((height, width, 3), np.uint8)
            pixels[:] = colour if colour is not None else frame_value(index)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if sound is not None:
            total = round(Fraction(frames) / rate * audio_rate)
            samples = tone(total, audio_rate, tone_hz, channels=audio_channels)
            for start in range(0, total, 1024):
                block = np.ascontiguousarray(samples[:, start : start + 1024])
                chunk = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
                chunk.sample_rate, chunk.pts = audio_rate, start
                out.mux(sound.encode(chunk))
            out.mux(sound.encode())
    return path


def tone(
    samples: int, rate: int, hz: float, *, channels: int = 1, level: float = 0.5
) -> np.ndarray:
    """A sine of ``hz`` at ``level`` (linear peak), float32 ``(channels, samples)``."""
    t = np.arange(samples) / rate
    wave = (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.tile(wave, (channels, 1))


def write_wav(
    path: Path,
    samples: np.ndarray,
    rate: int = 48000,
    codec: str = "pcm_s24le",
    *,
    time_reference_samples: int | None = None,
) -> Path:
    """A WAV of float32 ``(channels, samples)`` in the given PCM codec.

    ``time_reference_samples`` adds a BWF ``bext`` chunk (EBU Tech 3285) whose
    TimeReference counts samples since midnight (3600 * rate is 01:00:00).
    """
    channels = samples.shape[0]
    layout = LAYOUTS[channels]
    options = {"write_bext": "1"} if time_reference_samples is not None else {}
    with av.open(str(path), "w", format="wav", options=options) as container:
        if time_reference_samples is not None:
            container.metadata["time_reference"] = str(time_reference_samples)
        stream = container.add_stream(codec, rate=rate)
        stream.layout = layout
        for start in range(0, samples.shape[1], 4096):
            block = np.ascontiguousarray(samples[:, start : start + 4096], dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def write_flat_range(
    path: Path, rgb: tuple[int, int, int], full_range: bool, frames: int = 3
) -> Path:
    """A lossless FFV1 file written with PyAV directly, tagged full (JPEG) or limited range.

    FFV1 decodes to plain yuv420p with the range as a tag (H.264 full range decodes to
    the old yuvj420p, which swscale expands whatever it is told), so this checks that
    the reader reads the tag.
    """
    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.codec_context.color_range = 2 if full_range else 1
        stream.codec_context.colorspace = 1
        pixels = np.empty((180, 320, 3), np.uint8)
        pixels[:] = rgb
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24").reformat(
                format="yuv420p",
                src_colorspace="ITU709",
                dst_colorspace="ITU709",
                src_color_range="JPEG",
                dst_color_range="JPEG" if full_range else "MPEG",
            )
            frame.color_range = 2 if full_range else 1
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path
