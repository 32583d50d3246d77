"""``autocut``: a timeline cut by what its media holds: pauses taken out, or split at shots.

From a media file, a project is built first (its picture on V1 and its sound
on A1, the whole file), then cut. From a project, the pauses are found in its
mixed programme sound, and the cut is one undoable edit (``JumpCut``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
from numpy.typing import NDArray

from postprod.errors import EditError
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.probe import probe
from postprod.media.video import VideoReader
from postprod.operations import JumpCut, apply_operations
from postprod.planner.plan import plan
from postprod.project import load_project
from postprod.qc.runs import Run
from postprod.qc.silence import find_pauses
from postprod.render.mixdown import programme_sound
from postprod.render.project import output_format
from postprod.timeline.autocut import pause_cuts, split_at_shots
from postprod.timeline.build import clip_of_file
from postprod.timeline.model import exact_rate
from postprod.video.shots import ShotDetector

#: Frames are scaled to this size to look for shot changes: enough to see a cut.
_SHOT_SIZE = (64, 36)


@dataclass(frozen=True, slots=True)
class SilenceSettings:
    """How a pause is found and how much of it is kept."""

    threshold_db: float = -40.0
    min_pause_s: float = 0.5
    margin_s: float = 0.1


@dataclass(frozen=True, slots=True)
class AutocutResult:
    """The cut timeline and what was found."""

    timeline: otio.schema.Timeline
    pauses: tuple[Run, ...] = ()
    sample_rate: int = 0
    removed: tuple[tuple[int, int], ...] = ()  # record frames taken out
    shots: tuple[int, ...] = ()  # frames where a new shot starts

    @property
    def removed_frames(self) -> int:
        return sum(end - start for start, end in self.removed)


def media_project(
    path: str | os.PathLike[str], *, rate: Fraction | None = None
) -> otio.schema.Timeline:
    """A timeline of a whole media file: its picture on V1, its sound on A1."""
    file = Path(path)
    info = probe(file)
    video_rate = info.video.frame_rate if info.video is not None else None
    frame_rate = Fraction(video_rate) if video_rate else rate or Fraction(25)
    timeline = otio.schema.Timeline(name=file.stem)
    if info.video is not None and video_rate:
        track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
        track.append(clip_of_file(file, frame_rate))
        timeline.tracks.append(track)
    if info.audio is not None:
        sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
        clip = clip_of_file(file, frame_rate) if info.video is None else _sound_of(timeline)
        sound.append(clip)
        timeline.tracks.append(sound)
    if not len(timeline.tracks):
        raise EditError(f"{file.name} has neither picture nor sound", where=str(file))
    return timeline


def cut_pauses(
    source: str | os.PathLike[str], settings: SilenceSettings, *, rate: Fraction | None = None
) -> AutocutResult:
    """Take the pauses out of a media file or a project (see the module's docstring)."""
    path = Path(source)
    if path.suffix.lower() == ".otio":
        timeline = load_project(path)
        programme = plan(timeline, output_format(timeline, path.parent), project_folder=path.parent)
        sample_rate = programme.output.sample_rate
        blocks = programme_sound(programme, block_samples=65536)
        frame_rate = exact_rate(float(programme.output.frame_rate))
    else:
        timeline = media_project(path, rate=rate)
        sample_rate = audio_info(path).sample_rate
        blocks = iter_audio_blocks(path)
        frame_rate = Fraction(programme_rate(timeline))
    pauses = find_pauses(
        blocks, sample_rate, threshold_db=settings.threshold_db, min_pause_s=settings.min_pause_s
    )
    removed = pause_cuts(pauses, sample_rate, frame_rate, margin_s=settings.margin_s)
    cut = apply_operations(timeline, JumpCut(removed)) if removed else timeline
    return AutocutResult(cut, tuple(pauses), sample_rate, removed)


def cut_shots(source: str | os.PathLike[str], *, threshold: float = 30.0) -> AutocutResult:
    """Split a flat video file into one clip per shot."""
    path = Path(source)
    timeline = media_project(path)
    detector = ShotDetector(threshold=threshold)
    video = probe(path).video
    if video is None or not video.frames:
        raise EditError(
            f"{path.name} has no picture of known length",
            where=str(path),
            fix="give a video file (shots are found in the picture)",
        )
    with VideoReader(path) as reader:
        batch: list[NDArray[np.uint8]] = []
        for frame in reader.frames(0, int(video.frames), size=_SHOT_SIZE):
            batch.append(frame)
            if len(batch) == 250:
                detector.feed(np.stack(batch))
                batch = []
        if batch:
            detector.feed(np.stack(batch))
    return AutocutResult(split_at_shots(timeline, detector.cuts), shots=tuple(detector.cuts))


def programme_rate(timeline: otio.schema.Timeline) -> Fraction:
    """The rate a media project was built at."""
    clip = next(iter(timeline.find_clips()))
    return exact_rate(clip.source_range.duration.rate)


def _sound_of(timeline: otio.schema.Timeline) -> otio.schema.Clip:
    """The sound of the picture clip: the same file and range, on the sound track."""
    picture = next(iter(timeline.video_tracks()[0].find_clips()))
    sound: otio.schema.Clip = picture.deepcopy()
    return sound
