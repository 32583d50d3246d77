"""``postprod import`` and ``postprod export``: projects to and from other tools' files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.interchange import load_project, save_project
from postprod.interchange.formats import export_timeline, import_timeline
from postprod.interchange.relink import relink
from postprod.timecode import FrameRate


def import_command(
    file: Path = typer.Argument(..., help="An EDL, FCP 7 XML, FCPX XML, AAF or OTIO file."),
    out: Path = typer.Option(..., "--out", "-o", help="The project to write (.otio)."),
    rate: str | None = typer.Option(
        None, "--rate", "-r", help="Frame rate of an EDL (default: from its timecodes)."
    ),
) -> None:
    """Import another tool's timeline as a postprod project."""
    fps = float(FrameRate.parse(rate).fps) if rate else None
    timeline = import_timeline(file, rate=fps)
    save_project(timeline, out)
    clips = sum(1 for _ in timeline.find_clips())
    record(
        "import", f"imported {file.name}", project=out, outputs=[out], details={"source": str(file)}
    )
    duration = timeline.duration()
    Console().print(
        f"{file.name} -> {out}: {len(timeline.tracks)} tracks "
        f"({len(timeline.video_tracks())} video, {len(timeline.audio_tracks())} audio), {clips} clips, "
        f"{duration.to_seconds():.2f} s at {duration.rate:g} fps"
    )


def export_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="The file to write: .otio, .otioz, .edl, .xml, .fcpxml, .aaf."
    ),
) -> None:
    """Export a project for another tool (the format follows the suffix)."""
    export_timeline(load_project(project), out, media_folder=project.resolve().parent)
    record("import", f"exported to {out.name}", project=project, outputs=[out])
    typer.echo(f"wrote {out}")


def relink_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    search: list[Path] = typer.Option(..., "--search", help="A folder to search (repeatable)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Save here instead of over the project."
    ),
) -> None:
    """Find moved or renamed media by name, reel, start timecode and duration."""
    timeline = load_project(project)
    report = relink(timeline, list(search), project.resolve().parent)
    target = out or project
    save_project(timeline, target)
    record(
        "edit",
        f"relinked {len(report.relinked)} clips, {len(report.missing)} still missing",
        project=target,
        outputs=[target],
    )
    console = Console()
    for clip, path in report.relinked:
        console.print(f"relinked {clip} -> {path}")
    for clip in report.missing:
        console.print(f"[yellow]still missing[/]: {clip}")
