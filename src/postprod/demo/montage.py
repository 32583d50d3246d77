"""The demo's montage: the camera sources cut to a piece of music on its beats.

Nine seconds of synthetic music (drums and chords at 120 BPM, ``audio.music``) are
analysed like any file (``workflows.beats``); the cuts go on every second beat,
each on the frame at or just before its beat, and the camera files are laid in
turn from their own in points (``lay-montage``, one undo step), the music under
them. The project is rendered small: it shows the cutting, not the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from postprod.audio.music import Style, Tempo, compose
from postprod.media.audio_write import write_audio
from postprod.operations import Project
from postprod.operations.project import new_project
from postprod.operations.rhythm import LayMontage
from postprod.render.project import render_project
from postprod.timeline.slots import Where
from postprod.workflows.beats import analyse_file, chosen, to_record_frames

MUSIC_S = 9.0
BPM = 120.0
EVERY_BEATS = 2
IN_POINTS = (25, 70, 120)  # each camera's in point, frames from its first


@dataclass(frozen=True, slots=True)
class Montage:
    """What the montage step wrote, and where it cut."""

    music: Path
    project: Path
    programme: Path
    cuts: tuple[int, ...]  # record frames

    @property
    def files(self) -> tuple[Path, ...]:
        """The music, the project, its undo journal (a folder) and the render."""
        journal = self.project.with_name(self.project.name + ".history")
        return (self.music, self.project, journal, self.programme)


def make_montage(
    folder: Path, cameras: tuple[Path, ...], source_frames: int, frame_rate: str = "25"
) -> Montage:
    """Write the music, the montage project cut to it and its render into ``folder``
    (the cameras are ``source_frames`` long: each in point leaves room for its shot)."""
    music, _ = compose(MUSIC_S, Tempo(BPM), Style(seed=7), sample_rate=48000)
    music_path = write_audio(
        folder / "montage_music.wav", np.vstack([music, music]), 48000, bit_depth="16"
    )
    rhythm = analyse_file(music_path)
    project_path = folder / "montage.otio"
    if project_path.exists():  # a demo run again in the same folder starts afresh
        project_path.unlink()
        history = project_path.with_name(project_path.name + ".history")
        if history.is_dir():
            import shutil

            shutil.rmtree(history)
    timeline = new_project(project_path, name="montage", rate=frame_rate)
    where = Where.of(timeline, folder)
    cuts = to_record_frames(chosen(rhythm, EVERY_BEATS, "beat"), where.rate, rule="before")
    longest = max(b - a for a, b in pairwise(cuts))
    ins = tuple(max(0, min(first, source_frames - longest)) for first in IN_POINTS)
    laying = LayMontage(
        "V1",
        tuple(camera.name for camera in cameras),
        cuts,
        ins[: len(cameras)],
        music_path.name,
        "A1",
        0,
    )
    Project(project_path).apply(laying)
    programme = render_project(project_path, folder / "montage.mp4").path
    return Montage(music_path, project_path, programme, cuts)
