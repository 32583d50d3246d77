"""``postprod render``: a project to a finished file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from postprod.cli.farm import FARM_HELP, FarmOptions, render_with_farm
from postprod.cli.journal import record
from postprod.cli.progress import frame_progress
from postprod.errors import RenderError

if TYPE_CHECKING:
    from postprod.farm.job import FarmResult


def render_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="The file to write (.mp4, .mov), or a folder for --preset png."
    ),
    preset: str | None = typer.Option(
        None, "--preset", help="h264 (default), h265, prores (422 HQ), dnxhr (HQ) or png."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Stop on missing media instead of rendering MEDIA OFFLINE slates."
    ),
    proxy: bool = typer.Option(
        False, "--proxy", help="A quick look: half size, the fastest H.264 settings."
    ),
    size: str | None = typer.Option(
        None, "--size", help="Output WIDTHxHEIGHT (default: the project's, else the first clip's)."
    ),
    contact_sheet: Path | None = typer.Option(
        None, "--contact-sheet", help="Also write a PNG with a labelled frame of every shot."
    ),
    burn_in: bool = typer.Option(
        False, "--burn-in", help="Burn the programme timecode into the picture."
    ),
    smart: bool = typer.Option(
        False,
        "--smart",
        help="Smart render: copy whole GOPs of sources the output shows unchanged (same codec, "
        "size, rate) instead of encoding them again.",
    ),
    frame_range: str | None = typer.Option(
        None,
        "--range",
        help="Only IN-OUT of the programme: timecodes (01:00:02:00-01:00:04:00) or frames "
        "(50-100); OUT is exclusive.",
    ),
    farm: str | None = typer.Option(None, "--farm", help=FARM_HELP),
    workers: int | None = typer.Option(
        None, "--workers", help="With --farm local: worker processes (default: one per core)."
    ),
    segment_s: float = typer.Option(
        10.0, "--segment-s", help="With --farm: cut the programme into segments of about S s."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="With --farm: continue a stopped job from its finished segments."
    ),
    maps: list[str] = typer.Option(
        [], "--map", help="With --farm: media at FROM here is at TO on the workers (FROM=TO)."
    ),
    multiview: bool = typer.Option(
        False,
        "--multiview",
        help="Every camera and multicam angle in a grid, named, with its source timecode; "
        "the one on air outlined.",
    ),
) -> None:
    """Render a project's picture and sound to one file."""
    from postprod.render.project import render_project  # the engines: not for --help

    if multiview:
        from postprod.render.multicam_view import render_multiview

        written = render_multiview(project, out, frame_range=frame_range, size=size)
        record("render", f"multiview to {written.name}", project=project, outputs=[written])
        Console().print(f"wrote {written}")
        return
    if farm is not None:
        if smart or contact_sheet is not None:
            raise RenderError(
                "--smart and --contact-sheet are for a render on this machine",
                fix="leave them out with --farm",
            )
        farmed = render_with_farm(
            project,
            out,
            FarmOptions(farm, workers, segment_s, resume, tuple(maps)),
            preset=preset,
            proxy=proxy,
            size=size,
            frame_range=frame_range,
            burn_in=burn_in,
            strict=strict,
        )
        _farm_written(project, farmed)
        return
    with frame_progress("rendering") as progress:
        result = render_project(
            project,
            out,
            size=size,
            progress=progress,
            burn_in_timecode=burn_in,
            contact_sheet_png=contact_sheet,
            frame_range=frame_range,
            preset=preset,
            proxy=proxy,
            strict=strict,
            smart=smart,
        )
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    Console().print(f"wrote {result.path}: {result.frames} frames, {result.samples} samples")
    if smart:
        Console().print(
            f"smart render: {result.frames_copied} of {result.frames} frames copied from their "
            "sources, the rest encoded"
        )
    record(
        "render",
        f"rendered {result.frames} frames",
        project=project,
        outputs=[result.path, *([contact_sheet] if contact_sheet else [])],
        details={"frames": result.frames, "duration_s": result.duration_s},
    )
    if contact_sheet is not None:
        Console().print(f"wrote {contact_sheet}")


def _farm_written(project: Path, result: FarmResult) -> None:
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    Console().print(f"wrote {result.path}: {result.frames} frames, {result.samples} samples")
    record(
        "render",
        f"rendered {result.frames} frames on the farm",
        project=project,
        outputs=[result.path],
        details={"frames": result.frames, "duration_s": result.duration_s},
    )
