"""Spotting: sounds placed on the project's tracks at the frames a spotting list names.

A spotting list is CSV with the columns ``timecode, sound, track, gain_db, note``
(and, optionally, ``duration_s``: the length of a generated sound);
without one, the timeline's markers whose note names a sound are the list
(a spotting session marks the picture, then the sounds go in).
``sound`` is a file, or ``sfx:NAME`` (optionally ``sfx:NAME:SEED``) to generate
one from scratch into the project's folder. Timecodes are on the timeline's
clock (its start timecode included). A sound that would overlap another on
its track is reported, not forced in. The sounds that fit go in as one undo
step (``postprod edit PROJECT undo`` takes the whole spotting back).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio

from postprod.audio.sfx import generate
from postprod.errors import EditError
from postprod.media.audio import audio_info
from postprod.media.audio_write import write_audio
from postprod.operations import AddClip, AddTrack, Operation, Project, apply_operations
from postprod.operations.media import refuse_existing_project, save_new_project
from postprod.timecode import FrameRate, frames_to_label, label_to_frames
from postprod.timeline.model import timeline_rate, to_frames
from postprod.timeline.slots import Where, match_track


@dataclass(frozen=True, slots=True)
class SpotReport:
    """What went where, and what could not be placed (with why)."""

    placed: list[tuple[str, str, str]]  # (timecode, sound, track)
    unplaced: list[tuple[str, str, str]]  # (timecode, sound, reason)
    generated: list[Path] = field(default_factory=list)  # sounds made from scratch (sfx:)


@dataclass(frozen=True, slots=True)
class SpotRow:
    """One sound to place: where (a timecode label), what, on which track, how loud."""

    label: str
    sound: str
    track: str = "FX"
    gain_db: float | None = None
    note: str = ""
    where: str = ""  # the list's line or the marker, for messages
    duration_s: float | None = None  # a generated sound's length (default: the generator's)


def spot(
    project: str | os.PathLike[str],
    spotting: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> SpotReport:
    """Place every row of ``spotting`` (or, without one, of the timeline's spotting markers)
    in ``project`` as one undo step; with ``out`` (another file), write the result there as
    a new project instead.

    Which rows fit is worked out first, in order (a sound that would overlap one placed
    before it, or anything on its track, is reported, not placed); then the ones that fit
    are applied together: an :class:`~postprod.operations.AddTrack` for each track the
    project lacks (after the other audio tracks, as wide as its first sound) and an
    :class:`~postprod.operations.AddClip` for each sound.
    """
    path = Path(project)
    target = Path(out) if out is not None else path
    in_place = target.resolve() == path.resolve()
    if not in_place:
        refuse_existing_project(target)  # before any sound is generated
    session = Project(path)
    timeline = session.timeline()
    rate = timeline_rate(timeline)
    counting = FrameRate(rate, FrameRate.parse(rate).drop_frame)
    start = (
        to_frames(timeline.global_start_time, rate, where="timeline start")
        if timeline.global_start_time
        else 0
    )
    rows = (
        rows_from_csv(Path(spotting))
        if spotting is not None
        else rows_from_markers(timeline, counting, start)
    )
    working = timeline.deepcopy()  # what the project will be: each row is tried on it
    where = Where.of(working, path.parent)
    operations: list[Operation] = []
    placed, unplaced, generated = [], [], []
    for number, row in enumerate(rows, start=1):
        frame = label_to_frames(row.label, counting) - start
        if frame < 0:
            unplaced.append((row.label, row.sound, "before the start of the timeline"))
            continue
        media = _sound_file(row, path.parent, number)
        if row.sound.startswith("sfx:"):
            generated.append(media)
        steps: list[Operation] = []
        audio = [track for track in working.tracks if track.kind == otio.schema.TrackKind.Audio]
        track = match_track(audio, row.track, where=row.where)
        if track is None:
            steps.append(AddTrack("audio", row.track, track_layout(media)))
        place = AddClip(
            row.track if track is None else track.name,
            os.path.relpath(media, path.parent),
            frame,
            clip_name=row.note or media.stem,
            gain_db=row.gain_db,
        )
        steps.append(place)
        trial = working.deepcopy() if track is None else working
        try:
            for step in steps:
                step.check()
                step.run(trial, where)  # a refused AddClip has changed nothing
        except EditError as error:
            unplaced.append((row.label, row.sound, error.what))
            continue
        working = trial
        operations.extend(steps)
        placed.append((row.label, row.sound, place.track))
    source = Path(spotting).name if spotting is not None else "the markers"
    description = f"spot {len(placed)} sounds from {source}" + (
        f" ({len(unplaced)} not placed)" if unplaced else ""
    )
    if in_place:
        if operations:
            session.apply(*operations, description=description)
    else:
        save_new_project(apply_operations(timeline, operations, folder=path.parent), target)
    return SpotReport(placed, unplaced, generated)


def track_layout(sound: Path) -> str:
    """The layout of a new track for ``sound``: its width (mono, stereo, 5.1), else stereo."""
    channels = audio_info(sound).channels
    return {1: "mono", 2: "stereo", 6: "5.1"}.get(channels, "stereo")


def rows_from_csv(listing: Path) -> list[SpotRow]:
    """A spotting list: CSV with ``timecode, sound, track, gain_db, note``."""
    try:
        table = list(csv.DictReader(listing.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise EditError(
            f"cannot read the spotting list {listing.name} ({error})", where=str(listing)
        ) from None
    rows = []
    for line, row in enumerate(table, start=2):
        where = f"{listing}, line {line}"
        label, sound = (row.get("timecode") or "").strip(), (row.get("sound") or "").strip()
        if not label or not sound:
            raise EditError(
                "a spotting row needs a timecode and a sound",
                where=where,
                fix="columns: timecode,sound,track,gain_db,note",
            )
        track = (row.get("track") or "").strip() or "FX"
        gain = _gain((row.get("gain_db") or "").strip(), where)
        note = (row.get("note") or "").strip()
        length = _seconds((row.get("duration_s") or "").strip(), where)
        rows.append(SpotRow(label, sound, track, gain, note, where, length))
    return rows


def rows_from_markers(
    timeline: otio.schema.Timeline, counting: FrameRate, start: int
) -> list[SpotRow]:
    """The programme's markers whose note names a sound: ``SOUND [track=A3] [gain_db=-6]``.

    ``SOUND`` is a file (relative to the project) or ``sfx:NAME[:SEED]``; the
    marker's name becomes the clip's name. Markers with other notes are not
    spotting markers and are left alone.
    """
    rows = []
    for marker in timeline.tracks.markers:
        words = (marker.comment or "").split()
        sound = next((word for word in words if "=" not in word), "")
        if not sound or not (sound.startswith("sfx:") or Path(sound).suffix):
            continue
        where = f"marker {marker.name!r}"
        options = dict(word.split("=", 1) for word in words if "=" in word)
        frame = to_frames(marker.marked_range.start_time, counting.fps, where=where)
        rows.append(
            SpotRow(
                frames_to_label(start + frame, counting),
                sound,
                options.get("track", "FX"),
                _gain(options.get("gain_db", options.get("gain", "")), where),
                marker.name,
                where,
                _seconds(options.get("duration_s", ""), where),
            )
        )
    return rows


def _seconds(text: str, where: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.removesuffix("s"))
    except ValueError:
        raise EditError(
            f"duration {text!r} is not a number of seconds", where=where, fix="write e.g. 0.8"
        ) from None


def _gain(text: str, where: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.removesuffix("dB"))
    except ValueError:
        raise EditError(
            f"gain {text!r} is not a number of dB", where=where, fix="write e.g. -6"
        ) from None


def _sound_file(row: SpotRow, folder: Path, number: int) -> Path:
    if row.sound.startswith("sfx:"):
        _, name, *seed = row.sound.split(":")
        target = folder / f"spot_{number}_{name}.wav"
        sound = generate(name, seed=int(seed[0]) if seed else number, seconds=row.duration_s)
        write_audio(target, sound, 48000)
        return target
    media = Path(row.sound) if Path(row.sound).is_absolute() else folder / row.sound
    if not media.is_file():
        raise EditError(
            f"sound {row.sound} does not exist",
            where=row.where,
            fix="check the path (relative to the project)",
        )
    return media
