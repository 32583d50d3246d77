"""``render --multiview``: every angle of the project's multicam clips in a grid, to a file.

The multiview of :mod:`postprod.render.multiview` shows the programme's picture sources;
a multicam clip's angles that are never cut to are not among them. Here the plan is made
of the timeline with one more video track per angle (``timeline.multicam.with_angle_tracks``:
each angle over its whole group, with its sync offset and drift), so every angle has a
tile, showing the frame it reaches at that instant; a tile is labelled with the angle's
name and the source timecode it shows, and the angle on V1 (the one cut to) is outlined.
The sound is the programme's.
"""

from __future__ import annotations

import os
from pathlib import Path

from postprod.errors import RenderError, refuse_overwriting
from postprod.planner.plan import FrameRange, RenderPlan, plan
from postprod.planner.ranges import parse_frame_range
from postprod.project import load_project
from postprod.render.multiview import (
    Layout,
    layout,
    named_tiles,
    picture_sources,
    render_multiview_segment,
)
from postprod.render.presets import output_preset
from postprod.render.preview import Segment
from postprod.render.project import output_format
from postprod.timecode import FrameRate
from postprod.timeline.multicam import angle_media_names, with_angle_tracks


def multicam_layout(programme: RenderPlan, names: dict[str, str], columns: int | None) -> Layout:
    """The grid of every picture source, angles named as in their group, every tile with
    its file's first timecode (so its label shows the source timecode)."""
    grid = layout(
        programme.output.width, programme.output.height, picture_sources(programme), columns
    )
    return named_tiles(grid, names, programme.output.frame_rate, every_timecode=True)


def render_multiview(
    project: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    frame_range: str | None = None,
    size: str | None = None,
    columns: int | None = None,
) -> Path:
    """Write the multiview of ``project`` (its ``frame_range``, default all) to ``out``."""
    path, target = Path(project), Path(out)
    refuse_overwriting(path, target, RenderError)
    writes = output_preset("h264")
    writes.check_output(target)
    timeline = load_project(path)
    output = output_format(timeline, path.parent, size=size)
    programme = plan(with_angle_tracks(timeline), output, project_folder=path.parent)
    chosen = FrameRange(0, programme.frames)
    if frame_range is not None:
        chosen = parse_frame_range(
            frame_range, FrameRate.parse(output.frame_rate), programme.start_timecode_frames
        )
        programme.with_range(chosen)  # refuses a range outside the programme
    grid = multicam_layout(programme, angle_media_names(timeline, path.parent), columns)
    segment = Segment(target, chosen.start, chosen.frames, "multiview")
    return render_multiview_segment(programme, grid, segment, preset=writes, preroll_s=None)


__all__ = ["multicam_layout", "render_multiview"]
