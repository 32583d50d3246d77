"""ADR from files: align a replacement take to the guide and, optionally, put it in the project.

The aligned take is the guide's length and carries the guide's Broadcast
Wave time reference, so it lines up wherever the guide does. With a
project, every clip that plays the guide gets a twin on the ADR track:
same place, same source range, the aligned file (``AddTwin`` operations,
applied as one undo step; a twin whose place is taken is reported).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import opentimelineio as otio

from postprod.audio.adr import SyncError, align_take
from postprod.errors import EditError
from postprod.media.audio import audio_info, read_audio
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext, read_bext
from postprod.operations import AddTrack, AddTwin, Operation, Project
from postprod.timeline.model import media_path
from postprod.timeline.slots import Where, match_track, slots
from postprod.workflows.spot import track_layout


@dataclass(frozen=True, slots=True)
class AdrReport:
    """The aligned file, the sync error before and after, and the clips placed in a project."""

    output: Path
    error_before: SyncError
    error_after: SyncError
    placed: list[str] = field(default_factory=list)  # names of the clips added
    unplaced: list[str] = field(default_factory=list)  # guide clips whose ADR twin had no room

    def to_json(self) -> dict[str, object]:
        return {
            "output": str(self.output),
            "error_ms_before": self.error_before.to_json(),
            "error_ms_after": self.error_after.to_json(),
            "placed": self.placed,
            "unplaced": self.unplaced,
        }


def align_files(
    guide: str | os.PathLike[str],
    replacement: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    project: str | os.PathLike[str] | None = None,
    track: str = "ADR",
) -> AdrReport:
    """Write ``replacement`` aligned to ``guide`` to ``output``; place it in ``project`` if given."""
    guide_audio, rate = read_audio(guide)
    take, _ = read_audio(replacement, sample_rate=rate, channels=audio_info(replacement).channels)
    result = align_take(guide_audio, take, rate)
    stamp = read_bext(guide) if Path(guide).suffix.lower() == ".wav" else None
    bext = Bext(
        description=f"ADR: {Path(replacement).name} aligned to {Path(guide).name}",
        time_reference_samples=stamp.time_reference_samples if stamp else 0,
    )
    peak = float(np.abs(result.audio).max(initial=0.0))
    audio = result.audio / peak * 0.999 if peak > 0.999 else result.audio  # a stretch can overshoot
    out = write_audio(
        output, audio, rate, bext=bext if Path(output).suffix.lower() == ".wav" else None
    )
    placed: list[str] = []
    unplaced: list[str] = []
    if project is not None:
        placed, unplaced = _place_twins(Path(project), Path(guide), out, track)
    return AdrReport(out, result.error_before, result.error_after, placed, unplaced)


def _place_twins(
    project: Path, guide: Path, aligned: Path, track_name: str
) -> tuple[list[str], list[str]]:
    """Every clip of ``guide`` gets an aligned twin on ``track_name`` at the same frames,
    where that track is empty; the twins that fit go in as one undo step (with the track,
    as wide as the take, if the project has none)."""
    session = Project(project)
    timeline = session.timeline()
    where = Where.of(timeline, project.parent)
    guide_file = guide.resolve()
    media = os.path.relpath(aligned, project.parent)
    twins: list[AddTwin] = []
    for track in timeline.tracks:
        if not isinstance(track, otio.schema.Track):
            continue
        for slot in slots(track, where.rate):
            clip = slot.item
            if not isinstance(clip, otio.schema.Clip):
                continue
            source = media_path(clip, project.parent)
            if source is None or source.resolve() != guide_file:
                continue
            twins.append(AddTwin(track.name, track_name, media, slot.start, f"{clip.name} (ADR)"))
    if not twins:
        return [], []
    working = timeline.deepcopy()
    operations: list[Operation] = []
    audio = [track for track in working.tracks if track.kind == otio.schema.TrackKind.Audio]
    found = match_track(audio, track_name, where=str(project))
    if found is None:
        operations.append(AddTrack("audio", track_name, track_layout(aligned)))
        operations[-1].run(working, where)
    else:
        twins = [replace(twin, track=found.name) for twin in twins]
    placed: list[str] = []
    unplaced: list[str] = []
    for twin in twins:
        try:
            twin.run(working, where)  # a refused twin has changed nothing
        except EditError:
            unplaced.append(twin.clip_name)
            continue
        operations.append(twin)
        placed.append(twin.clip_name)
    if placed:
        session.apply(
            *operations,
            description=f"place the ADR take {aligned.name} on {track_name} ({len(placed)} clips)",
        )
    return placed, unplaced
