"""Small real media for tests, written with PyAV directly (independent of postprod's writer).

Pictures are flat colours whose value follows the frame index, sound is a sine
per channel, so tests can check exactly which frame or sample ended up where.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


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
    audio: bool = True,
    audio_rate: int = 48000,
    tone_hz: float = 440.0,
    start_timecode: str | None = None,
    colour: tuple[int, int, int] | None = None,
) -> Path:
    """A video file (container from the suffix) with ``frames`` frames and, optionally, sound."""
    width, height = size
    with av.open(str(path), "w") as container:
        video = container.add_stream(codec, rate=rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            video.options = {"crf": "12", "preset": "ultrafast"}
        if start_timecode:
            video.metadata["timecode"] = start_timecode
        sound = None
        if audio:
            sound = container.add_stream("aac", rate=audio_rate)
            sound.layout = "stereo"
        for index in range(frames):
            pixels = np.empty((height, width, 3), np.uint8)
            pixels[:] = colour if colour is not None else frame_value(index)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            total = round(Fraction(frames) / rate * audio_rate)
            samples = tone(total, audio_rate, tone_hz, channels=2)
            for start in range(0, total, 1024):
                block = np.ascontiguousarray(samples[:, start : start + 1024])
                chunk = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
                chunk.sample_rate, chunk.pts = audio_rate, start
                container.mux(sound.encode(chunk))
            container.mux(sound.encode())
    return path


def tone(
    samples: int, rate: int, hz: float, *, channels: int = 1, level: float = 0.5
) -> np.ndarray:
    """A sine of ``hz`` at ``level`` (linear peak), float32 ``(channels, samples)``."""
    t = np.arange(samples) / rate
    wave = (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.tile(wave, (channels, 1))


def write_wav(path: Path, samples: np.ndarray, rate: int = 48000, codec: str = "pcm_s24le") -> Path:
    """A WAV of float32 ``(channels, samples)`` in the given PCM codec."""
    channels = samples.shape[0]
    layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
    with av.open(str(path), "w", format="wav") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = layout
        for start in range(0, samples.shape[1], 4096):
            block = np.ascontiguousarray(samples[:, start : start + 4096], dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate, frame.pts = rate, start
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path
