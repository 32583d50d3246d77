"""ADR from files: align a replacement take to the guide and, optionally, put it in the project.

The aligned take is the guide's length and carries the guide's Broadcast
Wave time reference, so it lines up wherever the guide does. With a
project, every clip that plays the guide gets a twin on the ADR track:
same place, same source range, the aligned file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import opentimelineio as otio

from postprod.audio.adr import SyncError, align_take
from postprod.media.audio import audio_info, read_audio
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext, read_bext
from postprod.project import load_project, save_project
from postprod.timeline.model import media_path, timeline_rate, to_frames
from postprod.timeline.placement import audio_track, place_clip


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
    """Every clip of ``guide`` gets an aligned twin on ``track_name`` at the same frame."""
    timeline = load_project(project)
    rate = timeline_rate(timeline)
    guide_file = guide.resolve()
    twins = []
    for clip in timeline.find_clips():
        source = media_path(clip, project.parent)
        if source is None or source.resolve() != guide_file:
            continue
        twin = clip.deepcopy()
        twin.name = f"{clip.name} (ADR)"
        twin.media_reference = otio.schema.ExternalReference(
            target_url=os.path.relpath(aligned, project.parent),
            available_range=clip.media_reference.available_range,
        )
        twin.markers[:] = []
        twins.append(
            (twin, to_frames(clip.trimmed_range_in_parent().start_time, rate, where=clip.name))
        )
    if not twins:
        return [], []
    track = audio_track(timeline, track_name)
    placed: list[str] = []
    unplaced: list[str] = []
    for twin, frame in twins:
        (placed if place_clip(track, twin, frame, rate) else unplaced).append(twin.name)
    save_project(timeline, project)
    return placed, unplaced
