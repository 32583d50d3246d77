"""Mix a project: its audio tracks through the console, to a file and to stems.

The plan gives each audio track its segments (sample-placed, faded) and its
strip; the timeline gives the buses and master. Each track's segments become
the console source of a :class:`~postprod.audio.mixer.Track`, so a project
made with plain OTIO (no postprod settings) mixes at unity gain, centre pan.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.audio.automation import Breakpoint, Envelope
from postprod.audio.mixer import Bus, Duck, Mixer, Send, Session, Track
from postprod.errors import AudioError
from postprod.interchange import load_project
from postprod.media.audio_write import PCM_CODECS
from postprod.media.bwf import Bext
from postprod.media.writer import AudioSpec, MediaWriter
from postprod.planner.plan import OutputFormat, RenderPlan, plan
from postprod.render.mix import Progress, SegmentMixer
from postprod.timeline.metadata import ConsoleState, StripState
from postprod.timeline.model import timeline_rate


@dataclass(frozen=True, slots=True)
class MixResult:
    """What a mixdown wrote."""

    mix: Path
    stems: tuple[Path, ...]
    samples: int


def session_from_plan(programme: RenderPlan) -> Session:
    """The console session of a plan's audio tracks, buses and master."""
    rate, channels = programme.output.sample_rate, programme.output.channels
    console = ConsoleState.from_dict(programme.console, "the project's console")
    tracks = []
    for track in programme.tracks:
        strip = StripState.from_dict(track.strip, f"track {track.name}")
        automation = {
            name: Envelope(tuple(Breakpoint(t, v, c) for t, v, c in points))
            for name, points in strip.automation.items()
        }
        tracks.append(
            Track(
                track.name,
                SegmentMixer(track.segments, rate, channels),
                gain_db=strip.gain_db,
                pan=strip.pan,
                mute=strip.mute,
                solo=strip.solo,
                invert_polarity=strip.invert_polarity,
                inserts=strip.inserts,
                sends=tuple(Send(s.bus, s.level_db, s.pre_fader) for s in strip.sends),
                output=strip.output,
                gain_automation=automation.get("gain_db"),
                pan_automation=automation.get("pan"),
            )
        )
    buses = tuple(
        Bus(
            bus.name,
            inserts=bus.inserts,
            gain_db=bus.gain_db,
            output=bus.output,
            duck=Duck(bus.duck_key, depth_db=bus.duck_depth_db) if bus.duck_key else None,
        )
        for bus in console.buses
    )
    return Session(rate, tuple(tracks), buses, console.master_inserts, console.master_gain_db)


def programme_sound(
    programme: RenderPlan, block_samples: int = 8192
) -> Iterator[NDArray[np.float32]]:
    """The plan's sound through the console (its strips, buses and master), block by block."""
    for block in Mixer(session_from_plan(programme)).blocks(
        programme.samples, block_samples=block_samples
    ):
        yield block.master


def mix_project(
    project: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    stems_dir: str | os.PathLike[str] | None = None,
    sample_rate: int = 48000,
    bit_depth: str = "24",
    tail_s: float = 0.0,
    progress: Progress | None = None,
) -> MixResult:
    """Mix ``project`` to ``out``; with ``stems_dir``, every bus to its own file there too.

    One pass: the mix and the stems are written side by side, each a
    Broadcast Wave stamped with the timeline's start timecode, each under a
    temporary name until the whole pass has succeeded.
    """
    if bit_depth not in PCM_CODECS:
        raise AudioError(
            f"bit depth {bit_depth!r} is not one of {', '.join(PCM_CODECS)}",
            fix="choose 16, 24 or 32f",
        )
    path = Path(project)
    timeline = load_project(path)
    rate = timeline_rate(timeline)
    output = OutputFormat(frame_rate=rate, sample_rate=sample_rate)
    programme = plan(timeline, output, project_folder=path.parent)
    session = session_from_plan(programme)
    names = tuple(bus.name for bus in session.buses) if stems_dir is not None else ()
    total = programme.samples + round(tail_s * sample_rate)
    start_s = Fraction(programme.start_timecode_frames) / rate
    stamp = Bext(
        description=f"{timeline.name}: mix", time_reference_samples=round(start_s * sample_rate)
    )
    folder = Path(stems_dir) if stems_dir is not None else Path(out).parent
    folder.mkdir(parents=True, exist_ok=True)
    paths = [Path(out), *(folder / f"{name}.wav" for name in names)]
    spec = AudioSpec(sample_rate, 2, codec=PCM_CODECS[bit_depth], bit_rate=None)
    writers: list[MediaWriter] = []
    try:
        for target in paths:
            writers.append(
                MediaWriter(
                    target, audio=spec, metadata=stamp.muxer_metadata(), options={"write_bext": "1"}
                )
            )
        for block in Mixer(session).blocks(total, block_samples=8192, stems=names):
            writers[0].write_audio(block.master)
            for writer, name in zip(writers[1:], names, strict=True):
                writer.write_audio(block.stems[name])
            if progress is not None:
                progress(block.start + block.master.shape[1], total)
    except BaseException:
        for writer in writers:
            writer.__exit__(Exception, None, None)
        raise
    for writer in writers:
        writer.close()
    return MixResult(paths[0], tuple(paths[1:]), total)
