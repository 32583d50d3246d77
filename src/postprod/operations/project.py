"""A project's basics: making a new one, and its name, first timecode, picture size and sample rate.

:func:`new_project` writes an empty programme with the tracks most jobs start
from (V1, and stereo A1 and A2) and starts its undo journal from that file.
:class:`SetTimeline` changes any of the basics later, as one undo step; what it
is not given stays as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import opentimelineio as otio

from postprod.errors import EditError, ProjectError
from postprod.operations.base import Operation, apply_operations, param
from postprod.operations.tracks import AddTrack, TrackInfo, track_infos
from postprod.project import History, save_project
from postprod.timecode import FrameRate
from postprod.timecode.points import parse_point
from postprod.timeline.metadata import (
    SAMPLE_RATES_HZ,
    ProjectSettings,
    project_settings_of,
    set_project_settings,
)
from postprod.timeline.model import rational_time
from postprod.timeline.slots import Where

#: The tracks a new project starts with: (kind, name, layout).
DEFAULT_TRACKS = (("video", "V1", None), ("audio", "A1", "stereo"), ("audio", "A2", "stereo"))


def new_project(
    path: str | os.PathLike[str],
    *,
    name: str,
    rate: FrameRate | str = "25",
    start: str = "00:00:00:00",
    size_px: tuple[int, int] | None = None,
    sample_rate_hz: int = 48000,
) -> otio.schema.Timeline:
    """Write a new, empty project at ``path`` (refused if it exists) and start its journal.

    ``start`` is the programme's first timecode (or frames); ``size_px`` the picture size
    renders make (default: the first clip's); ``sample_rate_hz`` the sound's.
    """
    target = Path(path)
    if target.name in ("", ".", ".."):
        raise ProjectError(
            f"{path} names a folder, not a project file", fix="give a file such as show.otio"
        )
    history = History(target)
    if target.exists() or history.folder.exists():
        taken = target if target.exists() else history.folder
        raise ProjectError(
            f"{taken} already exists",
            fix="choose another name (a new project never replaces a file or an old journal)",
        )
    frame_rate = FrameRate.parse(rate)
    if frame_rate.drop_frame != FrameRate.parse(frame_rate.fps).drop_frame:
        raise ProjectError(
            f"a project at {rate} fps counts its timecode {_counting(frame_rate.fps)}",
            fix="give the rate without df or ndf",
        )
    if not name.strip():
        raise ProjectError("a programme needs a name", fix="give --name with some text")
    first = parse_point(start, frame_rate, what="--start")
    timeline = otio.schema.Timeline(
        name=name, global_start_time=rational_time(first, frame_rate.fps)
    )
    width, height = size_px if size_px is not None else (None, None)
    set_project_settings(timeline, ProjectSettings(width, height, sample_rate_hz))
    made = apply_operations(
        timeline, [AddTrack(kind, track, layout) for kind, track, layout in DEFAULT_TRACKS]
    )
    save_project(made, target)
    history.current_text()  # the journal's first state is the new file
    return made


@dataclass(frozen=True, slots=True)
class SetTimeline(Operation):
    """Change the programme's name, first timecode, picture size or sample rate; what is not
    given stays. A new first timecode keeps every clip where it is in the programme."""

    name: ClassVar[str] = "set-timeline"
    timeline_name: str | None = None
    start_tc_frames: int | None = param(
        None, unit="frames", minimum=0, help="the first timecode, as frames at the rate"
    )
    width_px: int | None = param(None, unit="px", minimum=2, maximum=16384)
    height_px: int | None = param(None, unit="px", minimum=2, maximum=16384)
    sample_rate_hz: int | None = param(None, unit="Hz", minimum=44100, maximum=96000)

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if all(
            value is None
            for value in (
                self.timeline_name,
                self.start_tc_frames,
                self.width_px,
                self.height_px,
                self.sample_rate_hz,
            )
        ):
            raise EditError(
                "nothing to change", fix="give --name, --start, --size or --sample-rate"
            )
        if (self.width_px is None) != (self.height_px is None):
            raise EditError("a picture size needs both width and height", fix="give WIDTHxHEIGHT")
        if self.sample_rate_hz is not None and self.sample_rate_hz not in SAMPLE_RATES_HZ:
            raise EditError(
                f"sample rate {self.sample_rate_hz} Hz is not one a project runs at",
                fix=f"use one of {', '.join(map(str, SAMPLE_RATES_HZ))}",
            )
        if self.timeline_name is not None:
            if not self.timeline_name.strip():
                raise EditError("a programme needs a name", fix="give --name with some text")
            timeline.name = self.timeline_name
        if self.start_tc_frames is not None:
            # clips and markers count from the programme's start, so they keep their places
            timeline.global_start_time = rational_time(self.start_tc_frames, where.rate)
        settings = project_settings_of(timeline)
        if self.width_px is not None:
            settings = replace(settings, width_px=self.width_px, height_px=self.height_px)
        if self.sample_rate_hz is not None:
            settings = replace(settings, sample_rate_hz=self.sample_rate_hz)
        set_project_settings(timeline, settings)


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """A project's basics as ``timeline show`` prints them."""

    name: str
    rate: str
    start_timecode: str
    width_px: int | None
    height_px: int | None
    sample_rate_hz: int | None
    tracks: tuple[TrackInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rate": self.rate,
            "start_timecode": self.start_timecode,
            "width_px": self.width_px,
            "height_px": self.height_px,
            "sample_rate_hz": self.sample_rate_hz,
            "tracks": [track.to_dict() for track in self.tracks],
        }


def project_info(timeline: otio.schema.Timeline) -> ProjectInfo:
    """The programme's name, rate, first timecode, size, sample rate and tracks."""
    where = Where.of(timeline)
    settings = project_settings_of(timeline)
    rate = where.rate
    return ProjectInfo(
        timeline.name,
        str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}",
        where.tc(0),
        settings.width_px,
        settings.height_px,
        settings.sample_rate_hz,
        tuple(track_infos(timeline)),
    )


def _counting(fps: Any) -> str:
    return "drop-frame" if FrameRate.parse(fps).drop_frame else "non-drop-frame"


__all__ = ["DEFAULT_TRACKS", "ProjectInfo", "SetTimeline", "new_project", "project_info"]
