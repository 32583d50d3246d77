"""Audio in and out of files, in the one layout of postprod: float32 ``(channels, samples)``.

Decoding streams in blocks through PyAV's resampler (FFmpeg's swresample), so
memory does not grow with the file's length.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import soundfile
import soxr
from numpy.typing import NDArray

from postprod.errors import MediaError
from postprod.media._open import check_readable, open_input
from postprod.media.fifo import Fifo
from postprod.media.riff import refuse_truncated_wav

AudioBlock = NDArray[np.float32]

#: FFmpeg layout names for channel counts, in SMPTE/ITU order (L R C LFE Ls Rs for 5.1).
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What an audio stream holds."""

    sample_rate: int
    channels: int
    layout: str
    duration_samples: int | None
    codec: str


def audio_info(path: str | os.PathLike[str], stream_index: int = 0) -> AudioInfo:
    """Sample rate, channels and length of a file's audio stream (the first by default)."""
    with open_input(path) as container:
        stream = _audio_stream(container, path, stream_index)
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = round(Fraction(stream.duration) * stream.time_base * stream.rate)
        elif container.duration is not None:
            duration = round(Fraction(container.duration, av.time_base) * stream.rate)
        return AudioInfo(
            sample_rate=stream.rate,
            channels=stream.channels,
            layout=stream.layout.name,
            duration_samples=duration,
            codec=stream.codec_context.name,
        )


def iter_audio_blocks(
    path: str | os.PathLike[str],
    *,
    block_samples: int = 65536,
    sample_rate: int | None = None,
    channels: int | None = None,
    stream_index: int = 0,
    start_sample: int = 0,
) -> Iterator[AudioBlock]:
    """Float32 ``(channels, n)`` blocks of ``block_samples`` (the last may be shorter).

    ``sample_rate`` and ``channels`` convert on the way (the rate with the SoX
    resampler at its very-high-quality setting, channels with FFmpeg's standard
    down/up-mix matrices); by default the file's own are kept. ``start_sample``
    (at the output rate) seeks first, then drops the samples decoded before it,
    so the first block starts exactly there.

    Plain PCM files (WAV, AIFF, FLAC) that need no conversion are read with
    libsndfile (soundfile), about five times faster than decoding them.

    A float file holding NaN or infinite samples is refused at the first one:
    a mix would turn them into clicks, a meter into silence, a gain into noise.
    """
    done = 0
    for block in _blocks(path, block_samples, sample_rate, channels, stream_index, start_sample):
        if not np.isfinite(block).all():
            at = done + int(np.flatnonzero(~np.isfinite(block).all(axis=0))[0])
            raise MediaError(
                f"{str(path)!r} holds NaN or infinite samples (the first at sample {at})",
                fix="repair or re-export the file: such samples cannot be played or mixed",
            )
        done += block.shape[1]
        yield block


def _blocks(
    path: str | os.PathLike[str],
    block_samples: int,
    sample_rate: int | None,
    channels: int | None,
    stream_index: int,
    start_sample: int,
) -> Iterator[AudioBlock]:
    """:func:`iter_audio_blocks` without the check of its samples."""
    if sample_rate is not None:
        native = audio_info(path, stream_index).sample_rate
        if native != sample_rate:
            yield from _rate_converted(
                path, native, sample_rate, block_samples, channels, stream_index, start_sample
            )
            return
    if stream_index == 0:
        direct = _pcm_blocks(path, block_samples, sample_rate, channels, start_sample)
        if direct is not None:
            yield from direct
            return
    with open_input(path) as container:
        stream = _audio_stream(container, path, stream_index)
        layout = LAYOUTS.get(channels, f"{channels}c") if channels else stream.layout.name
        rate = sample_rate or stream.rate
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        to_skip = _seek_before(container, stream, start_sample, rate)
        pending: list[AudioBlock] = []
        held = 0
        for frame in _decoded_then_flushed(container, stream, resampler):
            samples = frame.to_ndarray().astype(np.float32, copy=False)
            if to_skip:
                dropped = min(to_skip, samples.shape[1])
                samples, to_skip = samples[:, dropped:], to_skip - dropped
            pending.append(samples)
            held += pending[-1].shape[1]
            while held >= block_samples:
                joined = np.concatenate(pending, axis=1)
                yield np.ascontiguousarray(joined[:, :block_samples])
                pending = [joined[:, block_samples:]]
                held = pending[0].shape[1]
        if held:
            yield np.ascontiguousarray(np.concatenate(pending, axis=1))


def _rate_converted(
    path: str | os.PathLike[str],
    native: int,
    rate: int,
    block_samples: int,
    channels: int | None,
    stream_index: int,
    start_sample: int,
) -> Iterator[AudioBlock]:
    """The file at ``rate``, through soxr's streaming very-high-quality resampler.

    A start past 0 begins decoding a little earlier (0.1 s, on a sample where
    both rates meet), so the resampler is warm and the blocks are the same
    samples a read from the beginning would give.
    """
    step = native // math.gcd(native, rate)  # native samples between common instants
    warm_up = native // 10
    first_native = max(0, (start_sample * native // rate - warm_up) // step * step)
    to_skip = start_sample - first_native * rate // native
    source = iter_audio_blocks(
        path,
        block_samples=max(4096, block_samples * native // rate),
        channels=channels,
        stream_index=stream_index,
        start_sample=first_native,
    )
    resampler: soxr.ResampleStream | None = None
    pending: Fifo | None = None
    for block in _with_last(source):
        samples, last = block
        if resampler is None or pending is None:
            resampler = soxr.ResampleStream(native, rate, samples.shape[0], "float32", "VHQ")
            pending = Fifo(samples.shape[0])
        out = resampler.resample_chunk(np.ascontiguousarray(samples.T), last=last).T
        if to_skip:
            dropped = min(to_skip, out.shape[1])
            out, to_skip = out[:, dropped:], to_skip - dropped
        pending.put(out)
        while len(pending) >= block_samples:
            yield pending.take(block_samples)
    if pending is not None and len(pending):
        yield pending.take(len(pending))


def _with_last(blocks: Iterator[AudioBlock]) -> Iterator[tuple[AudioBlock, bool]]:
    """Each block with whether it is the last one."""
    held = next(blocks, None)
    for block in blocks:
        assert held is not None
        yield held, False
        held = block
    if held is not None:
        yield held, True


def read_audio(
    path: str | os.PathLike[str],
    *,
    sample_rate: int | None = None,
    channels: int | None = None,
    stream_index: int = 0,
) -> tuple[AudioBlock, int]:
    """A whole file as one float32 ``(channels, samples)`` array, with its sample rate.

    For short material (clips, tests); stream long programmes with
    :func:`iter_audio_blocks`.
    """
    rate = sample_rate or audio_info(path, stream_index).sample_rate
    blocks = list(
        iter_audio_blocks(path, sample_rate=rate, channels=channels, stream_index=stream_index)
    )
    if not blocks:
        raise MediaError(f"{str(path)!r} has an audio stream with no samples")
    return np.concatenate(blocks, axis=1), rate


def _audio_stream(
    container: av.container.InputContainer, path: object, index: int
) -> av.AudioStream:
    streams = container.streams.audio
    if index >= len(streams):
        raise MediaError(
            f"{str(path)!r} has {len(streams)} audio stream(s), no audio stream {index}",
            fix="choose a file with sound or another stream",
        )
    return streams[index]


def _pcm_blocks(
    path: str | os.PathLike[str],
    block_samples: int,
    sample_rate: int | None,
    channels: int | None,
    start_sample: int,
) -> Iterator[AudioBlock] | None:
    """Blocks read straight from a PCM file, or ``None`` when FFmpeg must decode it."""
    refuse_truncated_wav(check_readable(path))
    try:
        info = soundfile.info(str(path))
    except (RuntimeError, soundfile.LibsndfileError):
        return None
    if info.format not in ("WAV", "WAVEX", "AIFF", "FLAC", "W64", "RF64"):
        return None
    if (sample_rate or info.samplerate) != info.samplerate or (
        channels or info.channels
    ) != info.channels:
        return None
    blocks = soundfile.blocks(
        str(path), blocksize=block_samples, dtype="float32", always_2d=True, start=start_sample
    )
    return (np.ascontiguousarray(block.T) for block in blocks)


def _seek_before(
    container: av.container.InputContainer, stream: av.AudioStream, start: int, rate: int
) -> int:
    """Seek to at most ``start``; returns how many decoded samples then precede it."""
    if start <= 0:
        return 0
    if stream.time_base is None:
        return start
    margin_s = Fraction(1, 10)  # codecs with priming (AAC) need a little run-up
    target_s = max(Fraction(start, rate) - margin_s, Fraction(0))
    origin = stream.start_time or 0
    container.seek(origin + int(target_s / stream.time_base), stream=stream, backward=True)
    first_pts = next((p.pts for p in container.demux(stream) if p.pts is not None), None)
    if first_pts is None:
        return start
    landed = Fraction(first_pts - origin) * stream.time_base
    container.seek(first_pts, stream=stream, backward=True)
    return max(0, start - round(landed * rate))


def _decoded_then_flushed(
    container: av.container.InputContainer, stream: av.AudioStream, resampler: av.AudioResampler
) -> Iterator[av.AudioFrame]:
    for frame in container.decode(stream):
        frame.pts = None  # let the resampler count samples, not trust container timestamps
        yield from resampler.resample(frame)
    yield from resampler.resample(None)
