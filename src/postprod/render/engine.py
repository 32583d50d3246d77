"""Run a render plan into a file: decode, compose, mix, encode, streaming.

Picture is pulled one output frame at a time from the sources each span
names (each source decoded forward, never twice per span); sound is mixed in
blocks of one second of programme and written after the frames it belongs
to, so memory holds a few frames and a few blocks whatever the programme's
length. The file appears under its name only when complete (MediaWriter).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import partial
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.audio.effects import Fifo
from postprod.errors import RenderError
from postprod.media.bwf import Bext
from postprod.media.packets import PacketSources
from postprod.media.video import Picture, VideoReader
from postprod.media.writer import AudioSpec, ImageSequenceWriter, MediaWriter, VideoSpec
from postprod.planner.plan import AudioSegment, RenderPlan, Source, VideoSpan
from postprod.render.mix import Progress
from postprod.render.mixdown import programme_sound
from postprod.render.presets import PRESETS, OutputPreset
from postprod.render.smart import Copy, copies
from postprod.timecode import FrameRate, frames_to_label, frames_to_labels
from postprod.video.compose import black, dissolve
from postprod.video.text import (
    Graphic,
    burn_in,
    centred_title,
    lower_third,
    offline_slate,
    title_card,
)
from postprod.video.transform import Transform, place
from postprod.video.transitions import Look, transition


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What a render wrote."""

    path: Path
    frames: int
    samples: int
    frame_rate: Fraction
    warnings: tuple[str, ...] = ()  # e.g. the clips rendered as MEDIA OFFLINE
    frames_copied: int = 0  # smart render: frames whose source packets were copied

    @property
    def duration_s(self) -> float:
        """The programme's length in seconds."""
        return float(self.frames / self.frame_rate)


def render(
    plan: RenderPlan,
    out: str | os.PathLike[str],
    *,
    preset: OutputPreset | None = None,
    options: dict[str, str] | None = None,
    progress: Progress | None = None,
    burn_in_timecode: bool = False,
    strict: bool = False,
    smart: bool = False,
    preroll_s: float | None = None,
    muxer_options: dict[str, str] | None = None,
    with_sound: bool = True,
) -> RenderResult:
    """Render ``plan`` (its range, if it has one) to ``out`` in ``preset``'s format (default
    H.264 + AAC); ``options`` replace the preset's encoder settings. Optionally burn in the
    programme timecode of every frame. A missing source renders as a MEDIA OFFLINE slate
    (and silence), listed in the result's warnings; ``strict`` refuses instead. ``smart``
    copies the packets of whole source GOPs that the output shows unchanged
    (:mod:`postprod.render.smart`) and encodes only the rest.

    The sound of a range is mixed from the programme's start, so it carries the state the
    whole programme has there (reverb tails, ducking); ``preroll_s`` starts the console
    only that long before the range instead (a preview: quick anywhere in a long
    programme, equal to the whole mix once every tail that reaches the range is that
    short). ``muxer_options`` go to the container (``movflags`` for a fragmented MP4).
    ``with_sound=False`` writes the picture only (a farm segment: the sound is mixed once,
    elsewhere)."""
    plan = with_offline_media(plan, strict=strict)
    chosen = preset or PRESETS["h264"]
    chosen.check_output(Path(out))
    fmt = plan.output
    video_spec = chosen.video_spec(fmt.width, fmt.height, fmt.frame_rate)
    if options is not None:
        video_spec = replace(video_spec, options=dict(options))
    audio_spec = chosen.audio_spec(fmt.sample_rate, fmt.channels) if with_sound else None
    rate = FrameRate.parse(fmt.frame_rate)
    span = plan.output_range
    first_tc = plan.start_timecode_frames + span.start
    start_tc = frames_to_label(first_tc, rate) if rate.is_smpte else None
    first_sample = sample_at(plan, span.start)
    sound = _Sound(plan, mix_start(plan, first_sample, preroll_s) if with_sound else None)
    sound.skip_to(first_sample)
    # decoded pictures go straight to an 8-bit 4:2:0 encoder when nothing is drawn on them
    pass_through = not burn_in_timecode and video_spec.pixel_format == "yuv420p"
    pictures = _Pictures(plan, pass_through=pass_through)
    sources = PacketSources()
    block_frames = max(1, round(fmt.frame_rate))
    try:
        runs = copies(plan, video_spec, sources) if smart and not burn_in_timecode else []
        with _open_output(
            Path(out), chosen, video_spec, audio_spec, start_tc, first_tc, muxer_options
        ) as writer:
            if runs and isinstance(writer, MediaWriter):
                writer.copy_gops_from_here(max(run.reorder_frames for run in runs))
            else:
                runs = []
            for piece in _pieces(span.start, span.start + span.frames, runs):
                if isinstance(piece, Copy):
                    assert isinstance(writer, MediaWriter)
                    packets = sources.packets(piece.path, piece.source_first, piece.frames)
                    writer.copy_packets(packets, piece.source_first, piece.frames)
                    sound.write(writer, sample_at(plan, piece.start + piece.frames))
                    if progress is not None:
                        progress(piece.start + piece.frames - span.start, span.frames)
                    continue
                first_frame, end = piece
                for first in range(first_frame, end, block_frames):
                    count = min(block_frames, end - first)
                    _write_pictures(
                        writer, pictures.frames(first, count), plan, first, count, burn_in_timecode
                    )
                    sound.write(writer, sample_at(plan, first + count))
                    if progress is not None:
                        progress(first + count - span.start, span.frames)
            samples = writer.samples_written
            copied = writer.frames_copied if isinstance(writer, MediaWriter) else 0
    finally:
        pictures.close()
        sources.close()
    return RenderResult(
        Path(out), span.frames, samples, fmt.frame_rate, plan.warnings, frames_copied=copied
    )


class _Sound:
    """The programme's sound for a render, or nothing (``first_sample`` None: picture only)."""

    def __init__(self, plan: RenderPlan, first_sample: int | None) -> None:
        self._sound = None if first_sample is None else ProgrammeSound(plan, first_sample)

    def skip_to(self, sample: int) -> None:
        if self._sound is not None:
            self._sound.skip_to(sample)

    def write(self, writer: MediaWriter | ImageSequenceWriter, end: int) -> None:
        if self._sound is not None:
            writer.write_audio(self._sound.until(end))


def _pieces(start: int, end: int, runs: list[Copy]) -> Iterator[Copy | tuple[int, int]]:
    """Programme frames ``start`` .. ``end`` as copies and the encoded stretches between."""
    at = start
    for run in runs:
        if run.start > at:
            yield (at, run.start)
        yield run
        at = run.start + run.frames
    if at < end:
        yield (at, end)


def _write_pictures(
    writer: MediaWriter | ImageSequenceWriter,
    frames: Iterator[NDArray[np.uint8] | Picture],
    plan: RenderPlan,
    first: int,
    count: int,
    burn_in_timecode: bool,
) -> None:
    """Encode ``count`` composed frames from programme frame ``first``, timecode burnt in if
    asked."""
    rate = FrameRate.parse(plan.output.frame_rate)
    labels = (
        frames_to_labels(np.arange(first, first + count) + plan.start_timecode_frames, rate)
        if burn_in_timecode and rate.is_smpte
        else None
    )
    for k, picture in enumerate(frames):
        if isinstance(picture, Picture):
            writer.write_picture(picture)
        elif labels is not None:
            writer.write_video(burn_in(picture, str(labels[k])))
        else:
            writer.write_video(picture)


def _open_output(
    out: Path,
    preset: OutputPreset,
    video: VideoSpec,
    audio: AudioSpec | None,
    start_timecode: str | None,
    first_frame: int,
    muxer_options: dict[str, str] | None = None,
) -> MediaWriter | ImageSequenceWriter:
    """The file (or, for an image sequence, the folder) the render writes into."""
    if preset.image_sequence:
        rate = audio.sample_rate if audio is not None else 48000
        first_sample = round(first_frame / video.frame_rate * rate)
        stamp = Bext("postprod render: programme sound", time_reference_samples=first_sample)
        return ImageSequenceWriter(
            out, video=video, audio=audio, first_number=first_frame, metadata=stamp.muxer_metadata()
        )
    return MediaWriter(
        out, video=video, audio=audio, start_timecode=start_timecode, options=muxer_options
    )


#: Samples the console mixes at a time.
_MIX_BLOCK = 8192


class ProgrammeSound:
    """The programme's mix (through the console), taken up to any sample."""

    def __init__(self, plan: RenderPlan, first_sample: int = 0) -> None:
        self._blocks = programme_sound(plan, _MIX_BLOCK, first_sample=first_sample)
        self._ready = Fifo(plan.output.channels)
        self._done = first_sample
        self._plan_rate = plan.output.sample_rate

    def until(self, end: int) -> NDArray[np.float32]:
        count = end - self._done
        while len(self._ready) < count:
            block = next(self._blocks, None)
            if block is None:
                self._ready.put(np.zeros((2, count - len(self._ready)), np.float32))
                break
            self._ready.put(block)
        self._done = end
        return self._ready.take(count)

    def skip_to(self, sample: int) -> None:
        """Mix and drop everything before ``sample`` (a range starts with the state the
        whole programme has there: tails, ducking), a second at a time."""
        step = self._plan_rate
        while self._done < sample:
            self.until(min(sample, self._done + step))


def mix_start(plan: RenderPlan, first_sample: int, preroll_s: float | None) -> int:
    """Where the console starts to make the sound from ``first_sample``: ``preroll_s``
    before it (None: the programme's start, exact for any effect), on a block of the whole
    mix so that chunked effects cut alike."""
    if preroll_s is None:
        return 0
    start = max(0, first_sample - round(preroll_s * plan.output.sample_rate))
    return start // _MIX_BLOCK * _MIX_BLOCK


def sample_at(plan: RenderPlan, frame: int) -> int:
    """The first sample of programme ``frame``."""
    fmt = plan.output
    return round(frame * fmt.sample_rate / fmt.frame_rate)


def with_offline_media(plan: RenderPlan, *, strict: bool = False) -> RenderPlan:
    """The plan with every missing source marked offline (a slate; silence for sound),
    each named in its warnings; with ``strict``, the first missing source stops the render
    before anything is written."""
    messages: list[str] = []

    def missing(path: str, clip: str, place: str, stands_in: str) -> None:
        problem = f"source {path} of clip {clip!r} is missing"
        if strict:
            raise RenderError(
                problem,
                where=f"{place} of the programme",
                fix="relink the clip to its media (postprod relink) or restore the file",
            )
        messages.append(f"{problem} ({place}): {stands_in}")

    def check(source: Source | None, span: VideoSpan) -> Source | None:
        if source is None or source.title is not None or Path(source.path).is_file():
            return source
        missing(source.path, span.name, f"frame {span.start}", "MEDIA OFFLINE")
        return replace(source, offline=True)

    def spans(track: tuple[VideoSpan, ...]) -> tuple[VideoSpan, ...]:
        return tuple(replace(s, a=check(s.a, s), b=check(s.b, s)) for s in track)

    def heard(segment: AudioSegment) -> bool:
        if Path(segment.path).is_file():
            return True
        missing(segment.path, segment.name, f"sample {segment.start}", "silence")
        return False

    tracks = [replace(t, segments=tuple(filter(heard, t.segments))) for t in plan.tracks]
    return replace(
        plan,
        video=spans(plan.video),
        overlays=tuple(spans(track) for track in plan.overlays),
        tracks=tuple(tracks),
        warnings=(*plan.warnings, *dict.fromkeys(messages)),
    )


class _Pictures:
    """Output frames by index, from the plan's spans: the first video track, then each
    track above it composited over what is below (its gaps let the picture below through).

    With ``pass_through``, a span that is only a cut (and nothing shows above it) yields
    decoded pictures that go to the encoder without a round trip through RGB.
    """

    def __init__(self, plan: RenderPlan, *, pass_through: bool = False) -> None:
        self._plan = plan
        self._size = (plan.output.width, plan.output.height)
        self._readers: dict[tuple[str, str], VideoReader] = {}
        self._pass_through = pass_through

    def frames(self, first: int, count: int) -> Iterator[NDArray[np.uint8] | Picture]:
        layers = [
            self._layer(spans, first, count, f"V{index + 2}")
            for index, spans in enumerate(self._plan.overlays)
            if _shows(spans, first, count)
        ]
        base = self._base(first, count, pass_through=self._pass_through and not layers)
        for below in base:
            for layer in layers:
                over = next(layer)
                if over is not None:
                    assert not isinstance(below, Picture)
                    below = over(below)
            yield below

    def _base(
        self, first: int, count: int, *, pass_through: bool
    ) -> Iterator[NDArray[np.uint8] | Picture]:
        width, height = self._size
        for span in self._plan.video:
            lo, hi = max(first, span.start), min(first + count, span.start + span.length)
            if lo >= hi:
                continue
            offset = lo - span.start
            a = span.a
            if pass_through and span.transition == "cut" and a is not None and a.as_recorded:
                reader = self._reader(a, "V1a")
                if reader.placement(self._size, a.fit).fills(self._size):
                    yield from reader.pictures(a.first_frame + offset, hi - lo, size=self._size)
                    continue
            empty = black(width, height)
            for mix in self._mixes(span, offset, hi - lo, "V1"):
                yield mix(empty)  # on the first track, "nothing" is black

    def _layer(
        self, spans: tuple[VideoSpan, ...], first: int, count: int, layer: str
    ) -> Iterator[_Mix | None]:
        for span in spans:
            lo, hi = max(first, span.start), min(first + count, span.start + span.length)
            if lo >= hi:
                continue
            if span.a is None and span.b is None:
                yield from [None] * (hi - lo)  # a gap: the picture below shows
            else:
                yield from self._mixes(span, lo - span.start, hi - lo, layer)

    def _mixes(self, span: VideoSpan, offset: int, count: int, layer: str) -> Iterator[_Mix]:
        """For each frame, what the span makes of the picture below it."""
        a = self._read(span.a, f"{layer}a", offset, count, span.name)
        a_placed = _transform_of(span.a)
        if span.transition == "cut":
            for frame in a:
                yield partial(_over, frame, a_placed)
            return
        b = self._read(span.b, f"{layer}b", offset, count, span.name)
        wipe = span.wipe
        pattern = wipe.pattern if wipe is not None else None
        look = Look(wipe.softness, wipe.border_px, wipe.colour) if wipe is not None else Look()
        for k in range(count):
            progress = (offset + k) / span.length
            outgoing, incoming = (next(a), a_placed), (next(b), _transform_of(span.b))
            yield partial(_transition, outgoing, incoming, progress, pattern, look)

    def _read(
        self, source: Source | None, role: str, offset: int, count: int, name: str
    ) -> Iterator[NDArray[np.uint8] | Graphic | None]:
        width, height = self._size
        if source is None:
            return iter([None] * count)
        if source.title is not None or source.offline:
            card = (
                offline_slate(width, height, name or Path(source.path).name)
                if source.offline
                else _title(width, height, str(source.title), source.title_style)
            )
            return iter([card] * count)
        reader = self._reader(source, role)
        if source.speed == 1.0 and source.rate_ratio == 1.0:
            return reader.frames(
                source.first_frame + offset, count, size=self._size, fit=source.fit
            )
        return _warped(reader, source, offset, count, self._size)

    def _reader(self, source: Source, role: str) -> VideoReader:
        reader = self._readers.get((source.path, role))
        if reader is None:
            reader = self._readers[(source.path, role)] = VideoReader(source.path)
        return reader

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()


#: What one track makes of one frame, given the picture below it.
_Mix = Callable[[NDArray[np.uint8]], NDArray[np.uint8]]


def _over(
    frame: NDArray[np.uint8] | Graphic | None,
    transform: Transform | None,
    below: NDArray[np.uint8],
) -> NDArray[np.uint8]:
    """A track's frame over the picture below: all of it, placed by its transform, or keyed
    (a title over picture)."""
    if frame is None:
        return below
    if isinstance(frame, Graphic):
        return frame.over(below)
    return frame if transform is None else place(frame, below, transform)


def _title(width: int, height: int, text: str, style: str) -> NDArray[np.uint8] | Graphic:
    """A full-frame card, or a graphic keyed over the picture below."""
    if style == "lower-third":
        return lower_third(width, height, text)
    if style == "centre":
        return centred_title(width, height, text)
    return title_card(width, height, text)


def _transform_of(source: Source | None) -> Transform | None:
    return None if source is None else source.transform


def source_frames(source: Source, offset: int, count: int) -> NDArray[np.int64]:
    """The file frames span frames ``offset`` .. ``offset + count`` of ``source`` show:
    ``first + sign * floor((lead + j) * |speed| * rate_ratio)``, the frame each output
    frame's time falls in (a warp; for blended slow motion, the earlier of its two) or the
    nearest one (a rate conversion)."""
    step = abs(source.speed) * source.rate_ratio  # file frames per output frame
    positions = (source.lead + offset + np.arange(count)) * step
    nearest = 0.5 if source.rate_ratio != 1.0 and not _blends(source) else 1e-9
    sign = -1 if source.speed < 0 else 1
    whole: NDArray[np.int64] = np.floor(positions + nearest).astype(np.int64)
    return source.first_frame + sign * whole


def _blends(source: Source) -> bool:
    step = abs(source.speed) * source.rate_ratio
    return source.blend and source.speed > 0 and step != int(step)


def _warped(
    reader: VideoReader, source: Source, offset: int, count: int, size: tuple[int, int]
) -> Iterator[NDArray[np.uint8]]:
    """A time-warped or rate-converted span's frames: slow, fast, frozen or reversed, or a
    file of another frame rate; blended if asked (each output frame the mix of the two
    source frames either side of its time), else :func:`source_frames`."""
    indices = [int(k) for k in source_frames(source, offset, count)]
    fit = source.fit
    if not _blends(source):
        yield from reader.frames_at(indices, size=size, fit=fit)
        return
    pairs = sorted(index for k in indices for index in (k, k + 1))  # forwards only
    frames = reader.frames_at(pairs, size=size, fit=fit)
    cached: dict[int, NDArray[np.uint8]] = {}
    wanted = iter(pairs)
    step = abs(source.speed) * source.rate_ratio  # file frames per output frame
    positions = (source.lead + offset + np.arange(count)) * step  # forwards: first + whole
    weights = positions - (np.asarray(indices) - source.first_frame)
    for index, weight in zip(indices, weights, strict=True):
        while index + 1 not in cached:
            cached[next(wanted)] = next(frames)
        low, high = cached[index], cached[index + 1]
        for stale in [k for k in cached if k < index]:
            del cached[stale]
        yield dissolve(low, high, float(weight)) if weight > 1e-6 else low


def _transition(
    a: tuple[NDArray[np.uint8] | Graphic | None, Transform | None],
    b: tuple[NDArray[np.uint8] | Graphic | None, Transform | None],
    progress: float,
    pattern: str | None,
    look: Look,
    below: NDArray[np.uint8],
) -> NDArray[np.uint8]:
    """A dissolve (no pattern), or the wipe, move or dip ``pattern`` names, from ``a`` to ``b``
    (each a frame and its placement); a missing side is the picture below (black on the
    first track: a fade; over another track: a dissolve to it)."""
    outgoing = _over(*a, below)
    incoming = _over(*b, below)
    if pattern is None:
        return dissolve(outgoing, incoming, progress)
    return transition(outgoing, incoming, progress, pattern, look)


def _shows(spans: tuple[VideoSpan, ...], first: int, count: int) -> bool:
    """Whether a track above the first shows anything in frames ``first`` .. ``+ count``."""
    return any(
        (span.a is not None or span.b is not None)
        and span.start < first + count
        and first < span.start + span.length
        for span in spans
    )


def frames_at(plan: RenderPlan, indices: list[int]) -> Iterator[NDArray[np.uint8]]:
    """The programme's frames at ``indices`` (in order), composed as the render would."""
    pictures = _Pictures(with_offline_media(plan))  # no pass-through: arrays only
    try:
        for index in sorted(indices):
            frame = next(pictures.frames(index, 1))
            assert not isinstance(frame, Picture)
            yield frame
    finally:
        pictures.close()
