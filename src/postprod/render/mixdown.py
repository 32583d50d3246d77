"""Mix a project: its audio tracks through the console, to a file and to stems.

The plan gives each audio track its segments (sample-placed, faded) and its
strip; the timeline gives the buses and master. Each track's segments become
the source of a console :class:`~postprod.audio.mixer.Track`, which runs the
strip the plan carries as the project stores it, so a project made with
plain OTIO (no postprod settings) mixes at unity gain, centre pan.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.audio.mixer import Mixer, Session, Track
from postprod.audio.pan import downmix_51
from postprod.errors import AudioError, PostprodError
from postprod.media.audio import audio_info
from postprod.media.audio_write import PCM_CODECS
from postprod.media.bwf import Bext
from postprod.media.writer import AudioSpec, MediaWriter
from postprod.planner.plan import AudioSegment, OutputFormat, RenderPlan, plan
from postprod.planner.ranges import parse_frame_range
from postprod.project import load_project
from postprod.render.mix import Progress, SegmentMixer
from postprod.timecode import FrameRate
from postprod.timeline.metadata import project_settings_of
from postprod.timeline.model import timeline_rate


@dataclass(frozen=True, slots=True)
class MixResult:
    """What a mixdown wrote."""

    mix: Path
    stems: tuple[Path, ...]
    samples: int
    stereo: Path | None = None  # the BS.775 fold-down of a 5.1 mix, when asked for
    sample_rate: int = 48000


def session_from_plan(programme: RenderPlan) -> Session:
    """The console session of a plan: each audio track's strip as planned, its segments as
    its source, and the plan's buses and master."""
    rate = programme.output.sample_rate
    tracks = tuple(
        Track(
            track.name,
            SegmentMixer(
                track.segments, rate, _track_channels(track.segments, programme.output.channels)
            ),
            track.strip,
        )
        for track in programme.tracks
    )
    return Session(rate, tracks, programme.console)


def _encoding(out: Path, bit_depth: str) -> tuple[str, str | None]:
    """The codec (and encoder sample format) of a mix file: PCM in WAV, FLAC in .flac."""
    if bit_depth not in PCM_CODECS:
        raise AudioError(
            f"bit depth {bit_depth!r} is not one of {', '.join(PCM_CODECS)}",
            fix="choose 16, 24 or 32f",
        )
    if out.suffix.lower() != ".flac":
        return PCM_CODECS[bit_depth], None
    if bit_depth == "32f":
        raise AudioError(
            "FLAC holds integer samples only", where=str(out), fix="use --bit-depth 16 or 24"
        )
    return "flac", "s16" if bit_depth == "16" else "s32"  # s32: FFmpeg writes 24-bit FLAC


def _track_channels(segments: tuple[AudioSegment, ...], default: int) -> int:
    """A track's source width: mono if every clip on it is mono (so the strip pans it with
    the mono law, or puts it in the centre channel of a 5.1 mix), 5.1 if they are 5.1."""
    widths = set()
    for path in {segment.path for segment in segments}:
        try:
            widths.add(audio_info(path).channels)
        except PostprodError:
            return default  # a missing file: the renderer reports it
    if widths == {1}:
        return 1
    return 6 if widths == {6} else default


def programme_sound(
    programme: RenderPlan, block_samples: int = 8192, *, first_sample: int = 0
) -> Iterator[NDArray[np.float32]]:
    """The plan's sound through the console (its strips, buses and master), block by block,
    from ``first_sample`` (the console starts there, its effects and ducking at rest)."""
    for block in Mixer(session_from_plan(programme)).blocks(
        programme.samples, block_samples=block_samples, first_sample=first_sample
    ):
        yield block.master


def mix_project(
    project: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    stems_dir: str | os.PathLike[str] | None = None,
    sample_rate: int | None = None,
    bit_depth: str = "24",
    tail_s: float = 0.0,
    progress: Progress | None = None,
    layout: str | None = None,
    frame_range: str | None = None,
    stereo_downmix: bool = False,
) -> MixResult:
    """Mix ``project`` to ``out``; with ``stems_dir``, every bus to its own file there too.

    One pass: the mix and the stems are written side by side, each a
    Broadcast Wave stamped with the timecode of its first sample, each under a
    temporary name until the whole pass has succeeded. ``layout`` (stereo or
    5.1) overrides the project's; a 5.1 mix can also be folded down to stereo
    by ITU-R BS.775 (``stereo_downmix``, written beside it as ``NAME_stereo``).
    ``frame_range`` (``IN-OUT``, programme timecodes or frames) mixes only that
    stretch, with everything before it (tails, ducking) run through the
    console first, so the range equals that part of the whole mix. ``sample_rate``
    defaults to the project's (48 kHz when it says nothing).
    """
    codec, sample_format = _encoding(Path(out), bit_depth)
    path = Path(project)
    timeline = load_project(path)
    rate = timeline_rate(timeline)
    sample_rate = sample_rate or project_settings_of(timeline).sample_rate_hz or 48000
    output = OutputFormat(frame_rate=rate, sample_rate=sample_rate)
    programme = plan(timeline, output, project_folder=path.parent)
    session = session_from_plan(programme)
    if layout is not None:
        session = replace(session, layout=layout)
    first_sample, total = 0, programme.samples + round(tail_s * sample_rate)
    first_frame = programme.start_timecode_frames
    if frame_range is not None:
        chosen = parse_frame_range(frame_range, FrameRate.parse(rate), first_frame)
        chosen = programme.with_range(chosen).output_range
        first_sample = round(Fraction(chosen.start) / rate * sample_rate)
        total = round(Fraction(chosen.start + chosen.frames) / rate * sample_rate) - first_sample
        first_frame += chosen.start
    start_s = Fraction(first_frame) / rate
    stamp = Bext(
        description=f"{timeline.name}: mix", time_reference_samples=round(start_s * sample_rate)
    )
    names = tuple(bus.name for bus in session.console.buses) if stems_dir is not None else ()
    folder = Path(stems_dir) if stems_dir is not None else Path(out).parent
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(out)
    paths = [target, *(folder / f"{name}.wav" for name in names)]
    specs = [AudioSpec(sample_rate, session.channels, PCM_CODECS[bit_depth], None)] * len(paths)
    specs[0] = AudioSpec(sample_rate, session.channels, codec, None, sample_format)
    folded = stereo_downmix and session.layout == "5.1"
    if folded:
        paths.append(target.with_name(f"{target.stem}_stereo{target.suffix}"))
        specs.append(AudioSpec(sample_rate, 2, codec, None, sample_format))
    writers: list[MediaWriter] = []
    try:
        for file, spec in zip(paths, specs, strict=True):
            writers.append(
                MediaWriter(
                    file, audio=spec, metadata=stamp.muxer_metadata(), options={"write_bext": "1"}
                )
            )
        end = first_sample + total
        for block in Mixer(session).blocks(end, block_samples=8192, stems=names):
            skip = max(0, first_sample - block.start)
            if skip >= block.master.shape[1]:
                continue  # before the range: mixed (tails, ducking) and dropped
            writers[0].write_audio(block.master[:, skip:])
            for writer, name in zip(writers[1 : 1 + len(names)], names, strict=True):
                writer.write_audio(block.stems[name][:, skip:])
            if folded:
                writers[-1].write_audio(downmix_51(block.master[:, skip:]))
            if progress is not None:
                progress(block.start + block.master.shape[1] - first_sample, total)
    except BaseException:
        for writer in writers:
            writer.__exit__(Exception, None, None)
        raise
    for writer in writers:
        writer.close()
    stems = tuple(paths[1 : 1 + len(names)])
    return MixResult(paths[0], stems, total, paths[-1] if folded else None, sample_rate)
