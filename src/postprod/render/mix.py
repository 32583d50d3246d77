"""The programme's sound from a render plan: its segments read, faded and summed, in order.

Used by the picture render (one second at a time, after the frames it
belongs to) and by sound-only renders. Each segment's source is decoded
forward from its first sample once; memory holds one block per playing
segment. A reversed segment (negative speed) reads its source a second at a
time from its end backwards, each second decoded forwards and flipped, then
changes speed as a forward one does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import soxr
from numpy.typing import NDArray

from postprod.audio.effects import Chain, Fifo, time_stretch
from postprod.audio.fades import fade_gain
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
    """One segment's sound in order: its source from the in point (silence before the file's
    first sample and after its last), forwards or backwards, at its speed, through the clip's
    own effects."""

    def __init__(
        self, segment: AudioSegment, sample_rate: int, channels: int, offset: int = 0
    ) -> None:
        self._channels = channels
        pace = abs(segment.speed)  # source samples per output sample
        first = segment.source_sample + round(offset * segment.speed)
        read = _source_samples if segment.speed > 0 else _backwards
        raw = read(segment.path, first, sample_rate, channels)
        if pace != 1.0 and segment.speed_mode == "stretch":
            needed = round((segment.length - offset) * pace) + sample_rate // 10
            whole = _take(raw, needed, channels)
            stretched = time_stretch(whole, sample_rate, pace)
            self._source: Iterator[NDArray[np.float32]] = iter([stretched])
        elif pace != 1.0:
            self._source = _varispeed(raw, sample_rate, pace, channels)
        else:
            self._source = raw
        self._chain = (
            Chain(
                segment.effects,
                sample_rate,
                where=f"clip {segment.name}",
                channels=channels,
            )
            if segment.effects
            else None
        )
        self._ready = Fifo(channels)

    def read(self, n: int) -> NDArray[np.float32]:
        while len(self._ready) < n:
            block = next(self._source, None)
            if block is None:  # past the source: silence (and an effect's latency flushed)
                block = np.zeros((self._channels, max(n, 4096)), np.float32)
                self._source = iter(())
            self._ready.put(self._chain.process(block) if self._chain else block)
        return self._ready.take(n)


def _source_samples(
    path: str, first: int, sample_rate: int, channels: int
) -> Iterator[NDArray[np.float32]]:
    """The file from sample ``first`` (negative: that much silence first), block by block."""
    if first < 0:
        yield np.zeros((channels, -first), np.float32)
    yield from iter_audio_blocks(
        path,
        block_samples=sample_rate,
        sample_rate=sample_rate,
        channels=channels,
        start_sample=max(0, first),
    )


def _backwards(
    path: str, end: int, sample_rate: int, channels: int
) -> Iterator[NDArray[np.float32]]:
    """The file backwards from sample ``end - 1`` to its first, a second at a time: each
    second read forwards, flipped (silence for what lies past the file's last sample)."""
    high = end
    while high > 0:
        low = max(0, high - sample_rate)
        block = _take(_source_samples(path, low, sample_rate, channels), high - low, channels)
        if block.shape[1] < high - low:  # past the end of the file
            block = np.pad(block, ((0, 0), (0, high - low - block.shape[1])))
        yield np.ascontiguousarray(block[:, ::-1])
        high = low


def _take(blocks: Iterator[NDArray[np.float32]], count: int, channels: int) -> NDArray[np.float32]:
    """The next ``count`` samples (fewer at the end of the file)."""
    pieces, held = [], 0
    for block in blocks:
        pieces.append(block)
        held += block.shape[1]
        if held >= count:
            break
    joined = np.concatenate(pieces, axis=1) if pieces else np.zeros((channels, 0), np.float32)
    return joined[:, :count]


def _varispeed(
    blocks: Iterator[NDArray[np.float32]], sample_rate: int, speed: float, channels: int
) -> Iterator[NDArray[np.float32]]:
    """Tape-style speed change: the source resampled by ``1 / speed`` (pitch follows)."""
    resampler = soxr.ResampleStream(sample_rate * speed, sample_rate, channels, "float32", "HQ")
    for block in blocks:
        out = resampler.resample_chunk(np.ascontiguousarray(block.T))
        if out.shape[0]:
            yield np.ascontiguousarray(out.T)
    tail = resampler.resample_chunk(np.zeros((0, channels), np.float32), last=True)
    if tail.shape[0]:
        yield np.ascontiguousarray(tail.T)


def _fades(segment: AudioSegment, positions: NDArray[np.int64]) -> NDArray[np.float32]:
    """Gain at each position of the segment: its fade in and fade out, by their curves."""
    gain = np.ones(positions.size, np.float64)
    if segment.fade_in:
        gain *= fade_gain((positions + 0.5) / segment.fade_in, segment.fade_curve)
    if segment.fade_out:
        curve = segment.fade_out_curve or segment.fade_curve
        gain *= fade_gain((segment.length - positions - 0.5) / segment.fade_out, curve)
    return gain.astype(np.float32)
