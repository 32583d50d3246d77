"""Recording a take onto a track of a project.

An input (``postprod.media.inputs``) is read block by block; the chosen
channels go to a new WAV file under a temporary name, metered as they come.
However the recording stops (its length, the input's end, Ctrl-C, an
error), the file is closed, so its header is right, and renamed into place:
everything captured is kept. The take then goes on the track as one edit
(undoable, ``postprod edit PROJECT undo``): at the punch-in, else at the
timecode read from LTC on an input channel, else at ``at``, else at the
track's end. A pre-roll is recorded before the punch-in and kept in the file
as a handle; the clip starts at the punch-in.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import soundfile
from numpy.typing import NDArray

from postprod.atomic import partial_path, sweep_partials
from postprod.errors import AudioError, EditError
from postprod.media.inputs import AudioInput
from postprod.operations import Overwrite, Project
from postprod.project import load_project, save_project
from postprod.qc.loudness import LoudnessMeter, LoudnessResult
from postprod.timecode import FrameRate, frames_to_label
from postprod.timecode.ltc import decode_blocks
from postprod.timeline.slots import Where, match_track, track_length

SUBTYPES = {"16": "PCM_16", "24": "PCM_24", "32f": "FLOAT"}

#: Called after every block with the take's length so far (s) and each channel's peak (dBFS).
Meter = Callable[[float, list[float]], None]


@dataclass(frozen=True, slots=True)
class TakePlan:
    """What to record and where it goes; times in programme frames (0 = the first frame)."""

    track: str
    channels: tuple[int, ...] = ()  # 1-based input channels (none: all of them)
    bit_depth: str = "24"
    duration_s: float | None = None
    punch_in: int | None = None
    punch_out: int | None = None
    pre_roll_s: float = 0.0
    at: int | None = None
    ltc_channel: int | None = None  # 1-based input channel carrying LTC


@dataclass(frozen=True, slots=True)
class Take:
    """A recorded take: its file, where it went, and how it measured."""

    path: Path
    track: str
    record_frame: int
    frames: int
    pre_roll_frames: int
    samples: int
    sample_rate: int
    loudness: LoudnessResult
    ltc_timecode: str | None = None
    stopped_early: bool = False

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate


def record_take(
    project: str | os.PathLike[str],
    source: AudioInput,
    plan: TakePlan,
    *,
    meter: Meter | None = None,
) -> Take:
    """Record ``source`` as ``plan`` says, place the take, and return what was recorded."""
    path = Path(project)
    timeline = load_project(path)
    where = Where.of(timeline)
    rate = where.rate
    _check(plan, source)
    pre_roll = round(plan.pre_roll_s * rate)
    wanted_s = _length_s(plan, rate, pre_roll)
    take_path = _next_take(path.parent, plan.track)
    picked = [c - 1 for c in plan.channels] or list(range(source.channels))
    try:
        samples, loudness, ltc_blocks, stopped = _capture(
            source, take_path, picked, plan, wanted_s, meter
        )
    except BaseException:
        if take_path.stat().st_size == 0:  # still the reservation: nothing was kept
            take_path.unlink(missing_ok=True)
        partial_path(take_path).unlink(missing_ok=True)
        raise
    if samples == 0:
        take_path.unlink(missing_ok=True)
        raise AudioError("nothing was recorded", where=source.name, fix="check the input")
    ltc_label, ltc_frame = _ltc_start(ltc_blocks, source.sample_rate, where)
    total_frames = math.floor(Fraction(samples, source.sample_rate) * rate)
    frames = total_frames - pre_roll
    if frames <= 0:
        raise AudioError(
            f"the take stopped in its pre-roll ({samples / source.sample_rate:.2f} s)",
            where=str(take_path),
            fix="record for longer than the pre-roll",
        )
    if plan.punch_out is not None and plan.punch_in is not None:
        frames = min(frames, plan.punch_out - plan.punch_in)
    record_frame = _placement(plan, timeline, where, ltc_frame, pre_roll)
    _ensure_track(timeline, plan.track, path)
    Project(path).apply(
        Overwrite(
            plan.track, record_frame, os.path.relpath(take_path, path.parent), pre_roll, frames
        )
    )
    return Take(
        take_path,
        plan.track,
        record_frame,
        frames,
        pre_roll,
        samples,
        source.sample_rate,
        loudness,
        ltc_label,
        stopped,
    )


def _check(plan: TakePlan, source: AudioInput) -> None:
    for channel in (*plan.channels, *([plan.ltc_channel] if plan.ltc_channel else [])):
        if not 1 <= channel <= source.channels:
            raise AudioError(
                f"input channel {channel} does not exist ({source.name} has {source.channels})",
                where=source.name,
                fix=f"choose channels 1 to {source.channels}",
            )
    if plan.bit_depth not in SUBTYPES:
        raise AudioError(f"bit depth {plan.bit_depth!r}", fix="choose 16, 24 or 32f")
    if (plan.punch_in is None) != (plan.punch_out is None):
        raise EditError("give both --punch-in and --punch-out", fix="or neither")
    if plan.punch_in is not None and plan.punch_out is not None and plan.punch_out <= plan.punch_in:
        raise EditError("the punch-out is not after the punch-in", fix="give OUT after IN")


def _length_s(plan: TakePlan, rate: Fraction, pre_roll: int) -> float | None:
    if plan.punch_in is not None and plan.punch_out is not None:
        return float(Fraction(plan.punch_out - plan.punch_in + pre_roll) / rate)
    return None if plan.duration_s is None else plan.duration_s + float(pre_roll / rate)


def _capture(
    source: AudioInput,
    target: Path,
    picked: list[int],
    plan: TakePlan,
    wanted_s: float | None,
    meter: Meter | None,
) -> tuple[int, LoudnessResult, list[NDArray[np.float32]], bool]:
    """Write the picked channels until the length is reached, the input ends or a stop;
    the file is closed (and so valid) and renamed into place whatever happens."""
    rate = source.sample_rate
    wanted = None if wanted_s is None else round(wanted_s * rate)
    loudness = LoudnessMeter(rate, len(picked), true_peak=False)
    ltc: list[NDArray[np.float32]] = []
    written, stopped = 0, False
    sweep_partials(target)
    temporary = partial_path(target)
    with soundfile.SoundFile(
        temporary, "w", rate, len(picked), SUBTYPES[plan.bit_depth], format="WAV"
    ) as out:
        try:
            for block in _limited(source.blocks(), wanted):
                chosen = np.ascontiguousarray(block[picked])
                out.write(chosen.T)
                loudness.feed(chosen)
                if plan.ltc_channel:
                    ltc.append(block[plan.ltc_channel - 1].copy())
                written += chosen.shape[1]
                if meter is not None:
                    peaks = np.abs(chosen).max(axis=1)
                    meter(written / rate, [20 * math.log10(max(p, 1e-10)) for p in peaks])
        except KeyboardInterrupt:
            stopped = True  # a stop: keep everything captured so far
    os.replace(temporary, target)
    return written, loudness.result(), ltc, stopped


def _limited(
    blocks: Iterator[NDArray[np.float32]], wanted: int | None
) -> Iterator[NDArray[np.float32]]:
    done = 0
    for block in blocks:
        if wanted is not None and done + block.shape[1] >= wanted:
            yield block[:, : wanted - done]
            return
        done += block.shape[1]
        yield block


def _ltc_start(
    blocks: list[NDArray[np.float32]], sample_rate: int, where: Where
) -> tuple[str | None, int | None]:
    """The timecode of the take's first sample, from the first LTC word on the LTC channel."""
    if not blocks:
        return None, None
    words = decode_blocks(blocks, sample_rate, FrameRate.parse(where.rate))
    if not words:
        raise AudioError(
            "no LTC found on the LTC channel",
            fix="check the channel, or record without --ltc-channel",
        )
    first = words[0]
    # The take's first sample, in frames on the LTC's clock, to the nearest frame (a take
    # sits on whole frames: it is off by at most half a frame, which the report says).
    at = round(first.frames - Fraction(first.first_sample, sample_rate) * where.rate)
    return frames_to_label(at, first.rate), at - where.start_frame


def _placement(
    plan: TakePlan, timeline: otio.schema.Timeline, where: Where, ltc_frame: int | None, pre: int
) -> int:
    if plan.punch_in is not None:
        return plan.punch_in
    if ltc_frame is not None:
        return (
            ltc_frame + pre
        )  # the file's first sample is the LTC time; the clip skips the pre-roll
    if plan.at is not None:
        return plan.at
    track = match_track(timeline.tracks, plan.track, where=timeline.name)
    return 0 if track is None else track_length(track, where.rate)


def _ensure_track(timeline: otio.schema.Timeline, name: str, project: Path) -> None:
    """Add the audio track ``name`` to the project if it has none of that name (or short name)."""
    if match_track(timeline.tracks, name, where=timeline.name) is not None:
        return
    timeline.tracks.append(otio.schema.Track(name, kind=otio.schema.TrackKind.Audio))
    save_project(timeline, project)


def _next_take(folder: Path, track: str) -> Path:
    """``TRACK_take01.wav``, ``..._take02.wav``: never over an earlier take. The name is
    reserved (created exclusively), so two recordings at once take two names."""
    if (
        not track
        or track in (".", "..")
        or any(c in track for c in "/\\\0")
        or not track.isprintable()
    ):
        raise EditError(
            f"track name {track!r} cannot name a file beside the project",
            where=str(folder),
            fix="use a name without slashes or control characters",
        )
    number = 1
    while True:
        candidate = folder / f"{track}_take{number:02d}.wav"
        try:
            with open(candidate, "x"):
                return candidate
        except FileExistsError:
            number += 1
