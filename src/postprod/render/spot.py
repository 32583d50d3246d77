"""Spotting: sounds placed on the project's tracks at the frames a spotting list names.

A spotting list is CSV with the columns ``timecode, sound, track, gain_db, note``.
``sound`` is a file, or ``sfx:NAME`` (optionally ``sfx:NAME:SEED``) to generate
one from scratch into the project's folder. Timecodes are on the timeline's
clock (its start timecode included). A sound that would overlap another on
its track is reported, not forced in.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from postprod.audio.sfx import generate
from postprod.errors import EditError
from postprod.interchange import load_project, save_project
from postprod.media.audio_write import write_audio
from postprod.media.probe import probe
from postprod.timecode import FrameRate, label_to_frames
from postprod.timeline.metadata import set_clip_gain
from postprod.timeline.model import media_clip, timeline_rate, to_frames
from postprod.timeline.placement import place_clip


@dataclass(frozen=True, slots=True)
class SpotReport:
    """What went where, and what could not be placed (with why)."""

    placed: list[tuple[str, str, str]]  # (timecode, sound, track)
    unplaced: list[tuple[str, str, str]]  # (timecode, sound, reason)


def spot(
    project: str | os.PathLike[str],
    spotting: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
) -> SpotReport:
    """Place every row of ``spotting`` in ``project``; save to ``out`` (default: the project)."""
    path, listing = Path(project), Path(spotting)
    timeline = load_project(path)
    rate = timeline_rate(timeline)
    counting = FrameRate(rate, FrameRate.parse(rate).drop_frame)
    start = (
        to_frames(timeline.global_start_time, rate, where="timeline start")
        if timeline.global_start_time
        else 0
    )
    try:
        rows = list(csv.DictReader(listing.read_text(encoding="utf-8").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise EditError(
            f"cannot read the spotting list {listing.name} ({error})", where=str(listing)
        ) from None
    placed, unplaced = [], []
    for line, row in enumerate(rows, start=2):
        where = f"{listing}, line {line}"
        label, sound = (row.get("timecode") or "").strip(), (row.get("sound") or "").strip()
        if not label or not sound:
            raise EditError(
                "a spotting row needs a timecode and a sound",
                where=where,
                fix="columns: timecode,sound,track,gain_db,note",
            )
        frame = label_to_frames(label, counting) - start
        if frame < 0:
            unplaced.append((label, sound, "before the start of the timeline"))
            continue
        media = _sound_file(sound, path.parent, line, where)
        info = probe(media)
        frames = max(1, round(info.duration_s * float(rate)))
        clip = media_clip(
            Path(os.path.relpath(media, path.parent)),
            name=row.get("note") or media.stem,
            rate=rate,
            available_frames=frames,
        )
        gain = (row.get("gain_db") or "").strip()
        if gain:
            set_clip_gain(clip, float(gain))
        track = _audio_track(timeline, (row.get("track") or "FX").strip())
        if place_clip(track, clip, frame, rate):
            placed.append((label, sound, track.name))
        else:
            unplaced.append((label, sound, f"track {track.name} is taken there"))
    save_project(timeline, out or path)
    return SpotReport(placed, unplaced)


def _sound_file(sound: str, folder: Path, line: int, where: str) -> Path:
    if sound.startswith("sfx:"):
        _, name, *seed = sound.split(":")
        target = folder / f"spot_{line}_{name}.wav"
        write_audio(target, generate(name, seed=int(seed[0]) if seed else line), 48000)
        return target
    media = Path(sound) if Path(sound).is_absolute() else folder / sound
    if not media.is_file():
        raise EditError(
            f"sound {sound} does not exist",
            where=where,
            fix="check the path (relative to the project)",
        )
    return media


def _audio_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    for track in timeline.audio_tracks():
        if track.name == name:
            return track
    track = otio.schema.Track(name, kind=otio.schema.TrackKind.Audio)
    timeline.tracks.append(track)
    return track
