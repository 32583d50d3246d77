"""The programme's sound from a render plan: its segments read, faded and summed, in order.

Used by the picture render (one second at a time, after the frames it
belongs to) and by sound-only renders. Each segment's source is decoded
forward from its first sample once; memory holds one block per playing
segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from postprod.media.audio import iter_audio_blocks
from postprod.planner.plan import AudioSegment

#: Called with (done, all) as a long job goes (frames for renders, samples for mixes).
Progress = Callable[[int, int], None]


class SegmentMixer:
    """Segments summed, with their fades, read forward (the plan's sound, or one track's)."""

    def __init__(self, segments: tuple[AudioSegment, ...], sample_rate: int, channels: int) -> None:
        self._segments = segments
        self.sample_rate, self.channels = sample_rate, channels
        self._done = 0
        self._streams: dict[int, _SegmentStream] = {}

    def read(self, start: int, count: int) -> NDArray[np.float32]:
        """Samples ``start`` .. ``start + count`` (a console source: forward, or restarted)."""
        if start != self._done:
            self._done, self._streams = start, {}
            if start > 0:  # segments already playing restart at their offset
                self._streams = {
                    i: _SegmentStream(seg, self.sample_rate, self.channels, start - seg.start)
                    for i, seg in enumerate(self._segments)
                    if seg.start < start < seg.start + seg.length
                }
        return self.until(start + count)

    def until(self, end: int) -> NDArray[np.float32]:
        """The mix from where the last call stopped up to sample ``end``."""
        start, self._done = self._done, end
        out = np.zeros((self.channels, end - start), np.float32)
        for index, segment in enumerate(self._segments):
            lo = max(start, segment.start)
            hi = min(end, segment.start + segment.length)
            if lo >= hi:
                continue
            stream = self._streams.get(index)
            if stream is None:
                stream = _SegmentStream(segment, self.sample_rate, self.channels)
                self._streams[index] = stream
            positions = np.arange(lo - segment.start, hi - segment.start)
            gain = _fades(segment, positions) * np.float32(10 ** (segment.gain_db / 20))
            out[:, lo - start : hi - start] += stream.read(hi - lo) * gain
            if hi == segment.start + segment.length:
                del self._streams[index]
        return out


class _SegmentStream:
    """Consecutive samples of one segment's source, zeros past the source's end."""

    def __init__(
        self, segment: AudioSegment, sample_rate: int, channels: int, offset: int = 0
    ) -> None:
        self._channels = channels
        first = segment.source_sample + offset
        self._pad = max(0, -first)  # before the file's first sample: silence
        self._blocks: Iterator[NDArray[np.float32]] | None = iter_audio_blocks(
            segment.path,
            block_samples=sample_rate,
            sample_rate=sample_rate,
            channels=channels,
            start_sample=max(0, first),
        )
        self._held = np.zeros((self._channels, 0), np.float32)

    def read(self, n: int) -> NDArray[np.float32]:
        pieces = []
        if self._pad:
            silence = min(self._pad, n)
            pieces.append(np.zeros((self._channels, silence), np.float32))
            self._pad -= silence
            n -= silence
        while self._held.shape[1] < n and self._blocks is not None:
            block = next(self._blocks, None)
            if block is None:
                self._blocks = None
                break
            self._held = np.concatenate([self._held, block], axis=1)
        take = self._held[:, :n]
        self._held = self._held[:, n:]
        pieces.append(take)
        if take.shape[1] < n:
            pieces.append(np.zeros((self._channels, n - take.shape[1]), np.float32))
        return np.concatenate(pieces, axis=1)


def _fades(segment: AudioSegment, positions: NDArray[np.int64]) -> NDArray[np.float32]:
    """Gain at each position of the segment: its fade in and fade out, by curve."""
    gain = np.ones(positions.size, np.float64)
    if segment.fade_in:
        x = np.clip((positions + 0.5) / segment.fade_in, 0.0, 1.0)
        gain *= _curve(x, segment.fade_curve)
    if segment.fade_out:
        x = np.clip((segment.length - positions - 0.5) / segment.fade_out, 0.0, 1.0)
        gain *= _curve(x, segment.fade_curve)
    return gain.astype(np.float32)


def _curve(x: NDArray[np.float64], shape: str) -> NDArray[np.float64]:
    if shape == "equal-power":
        return np.sin(0.5 * np.pi * x)  # sin^2 + cos^2 = 1: constant power through a crossfade
    return x
