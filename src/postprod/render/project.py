"""Render a project file: open it, choose the output format, plan, render."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import opentimelineio as otio

from postprod.errors import RenderError, refuse_overwriting
from postprod.media.probe import probe
from postprod.planner.plan import OutputFormat, RenderPlan, plan
from postprod.planner.ranges import parse_frame_range
from postprod.project import load_project
from postprod.render.contact import contact_sheet
from postprod.render.engine import RenderResult, render
from postprod.render.mix import Progress
from postprod.render.presets import PROXY, OutputPreset, output_preset
from postprod.timecode import FrameRate
from postprod.timeline.metadata import project_settings_of
from postprod.timeline.model import media_path, timeline_rate


def render_project(
    project: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    size: str | None = None,
    progress: Progress | None = None,
    burn_in_timecode: bool = False,
    contact_sheet_png: str | os.PathLike[str] | None = None,
    frame_range: str | None = None,
    preset: str | None = None,
    proxy: bool = False,
    strict: bool = False,
    smart: bool = False,
) -> RenderResult:
    """Render ``project`` to ``out``; ``size`` is ``WIDTHxHEIGHT`` (default: the project's,
    else the first clip's); ``frame_range`` is ``IN-OUT`` in programme timecode or frames
    (OUT exclusive); ``preset`` one of :data:`PRESETS` (default h264); ``proxy`` half size,
    fastest H.264; ``strict`` stops on missing media instead of rendering MEDIA OFFLINE
    slates; ``smart`` copies whole GOPs of sources the output shows unchanged instead of
    encoding them."""
    path = Path(project)
    refuse_overwriting(path, out, RenderError)
    programme, writes = plan_project(
        path, out, size=size, frame_range=frame_range, preset=preset, proxy=proxy
    )
    result = render(
        programme,
        out,
        preset=writes,
        progress=progress,
        burn_in_timecode=burn_in_timecode,
        smart=smart,
        strict=strict,
    )
    if contact_sheet_png is not None:
        contact_sheet(programme, contact_sheet_png)
    return result


def plan_project(
    project: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    size: str | None = None,
    frame_range: str | None = None,
    preset: str | None = None,
    proxy: bool = False,
) -> tuple[RenderPlan, OutputPreset]:
    """The render plan of ``project`` (its range, if given) and the preset that writes
    ``out``: what :func:`render_project` renders here and the farm spreads over workers."""
    path = Path(project)
    if proxy and preset is not None:
        raise RenderError(
            "a proxy is always half-size H.264", fix="give --proxy or --preset, not both"
        )
    writes = PROXY if proxy else output_preset(preset or "h264")
    writes.check_output(Path(out))
    timeline = load_project(path)
    output = output_format(timeline, path.parent, size=size)
    width, height = writes.size(output.width, output.height)
    output = replace(output, width=width, height=height)
    programme = plan(timeline, output, project_folder=path.parent)
    if frame_range is not None:
        chosen = parse_frame_range(
            frame_range, FrameRate.parse(output.frame_rate), programme.start_timecode_frames
        )
        programme = programme.with_range(chosen)
    return programme, writes


def output_format(
    timeline: otio.schema.Timeline,
    folder: Path,
    *,
    size: str | None = None,
    sample_rate: int | None = None,
) -> OutputFormat:
    """The programme's format: ``size`` (WIDTHxHEIGHT), else the project's, else the first
    clip's; the timeline's rate; ``sample_rate``, else the project's, else 48 kHz."""
    settings = project_settings_of(timeline)
    if size:
        width, height = _size(size)
    else:
        width, height = settings.size_px or _first_clip_size(timeline, folder)
    sound = sample_rate or settings.sample_rate_hz or 48000
    return OutputFormat(width, height, timeline_rate(timeline), sound)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip())
    if not match or int(match[1]) % 2 or int(match[2]) % 2:
        raise RenderError(
            f"size {text!r} is not WIDTHxHEIGHT in even pixels", fix="for example --size 1920x1080"
        )
    return int(match[1]), int(match[2])


def _first_clip_size(timeline: otio.schema.Timeline, folder: Path) -> tuple[int, int]:
    for clip in timeline.find_clips():
        media = media_path(clip, folder)
        if media is not None and media.is_file():
            video = probe(media).video
            if video is not None and video.width and video.height:
                return video.width, video.height
    return 1920, 1080
