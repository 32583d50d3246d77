"""``postprod import``, ``export`` and ``relink``: projects to and from other tools' files."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.errors import InterchangeError
from postprod.interchange import export_timeline, import_timeline
from postprod.project import RelinkReport, load_project, relink
from postprod.project.relink import Missing
from postprod.timecode import FrameRate


def _summary(timeline: otio.schema.Timeline) -> dict[str, object]:
    duration = timeline.duration()
    start = timeline.global_start_time
    return {
        "name": timeline.name,
        "tracks": len(timeline.tracks),
        "video_tracks": len(timeline.video_tracks()),
        "audio_tracks": len(timeline.audio_tracks()),
        "clips": sum(1 for _ in timeline.find_clips()),
        "transitions": sum(
            1 for _ in timeline.find_children(descended_from_type=otio.schema.Transition)
        ),
        "duration_s": duration.to_seconds(),
        "rate": duration.rate,
        "start_timecode": otio.opentime.to_timecode(start, start.rate) if start else None,
    }


def import_command(
    file: Path = typer.Argument(..., help="An EDL, FCP 7 XML, FCPX XML, AAF or OTIO file."),
    out: Path = typer.Option(..., "--out", "-o", help="The project to write (.otio)."),
    rate: str | None = typer.Option(
        None, "--rate", "-r", help="Frame rate of an EDL, e.g. 25 or 29.97 (default: guessed)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import another tool's timeline as a postprod project (a new file: never over one)."""
    from postprod.operations.media import refuse_existing_project, save_new_project

    if out.suffix.lower() != ".otio":
        raise InterchangeError(
            f"a project is an .otio file, not {out.suffix or 'a suffix-less file'}",
            where=str(out),
            fix="name the output PROJECT.otio (use `postprod export` for other formats)",
        )
    fps = float(FrameRate.parse(rate).fps) if rate else None
    refuse_existing_project(out)  # before the import's work
    import warnings

    from postprod.interchange.losses import InterchangeWarning

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", InterchangeWarning)
        timeline = import_timeline(file, rate=fps)
    for warning in said:
        if issubclass(warning.category, InterchangeWarning):
            typer.echo(f"warning: {warning.message}", err=True)
    summary = _summary(timeline)
    if not summary["clips"]:
        raise InterchangeError(
            f"{file.name} holds no clips: nothing to import",
            where=str(file),
            fix="check that it is the timeline exported by the editing tool, complete",
        )
    save_new_project(timeline, out)
    record(
        "import", f"imported {file.name}", project=out, outputs=[out], details={"source": str(file)}
    )
    if as_json:
        typer.echo(json.dumps(summary))
        return
    Console().print(
        f"{file.name} -> {out}: {summary['tracks']} tracks ({summary['video_tracks']} video, "
        f"{summary['audio_tracks']} audio), {summary['clips']} clips, "
        f"{summary['transitions']} transitions, {float(summary['duration_s']):.2f} s "  # type: ignore[arg-type]
        f"at {summary['rate']:g} fps"
        + (f", starting {summary['start_timecode']}" if summary["start_timecode"] else "")
    )


def export_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="The file to write: .otio, .otioz, .edl, .xml, .fcpxml, .fcpxmld, .aaf.",
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse to write if the format cannot carry everything."
    ),
) -> None:
    """Export a project for another tool (the format follows the suffix)."""
    import warnings

    from postprod.interchange.losses import InterchangeWarning

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", InterchangeWarning)
        written = export_timeline(
            load_project(project), out, media_folder=project.resolve().parent, strict=strict
        )
    for warning in said:
        if issubclass(warning.category, InterchangeWarning):
            typer.echo(f"warning: {warning.message}", err=True)
    record("export", f"exported to {out.name}", project=project, outputs=[out])
    typer.echo(f"wrote {written}")


def relink_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    search: list[Path] = typer.Option(..., "--search", help="A folder to search (repeatable)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the result here, as a new project (never over a file)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Find moved or renamed media by name, reel, start timecode and duration (in place: one
    undo step; with -o, a new project)."""
    for folder in search:
        if not folder.is_dir():
            raise InterchangeError(
                f"search folder {folder} does not exist", where=str(folder), fix="check the path"
            )
    from postprod.operations import Project, SetMedia
    from postprod.operations.media import refuse_existing_project, save_new_project

    target = out or project
    in_place = target.resolve() == project.resolve()
    if not in_place:
        refuse_existing_project(target)
    session = Project(project)
    timeline = session.timeline()
    report = relink(timeline, list(search), project.resolve().parent)
    if in_place:  # one undo step: SetMedia names each clip by its track and record frame
        loose = [done for done in report.relinked if done.track is None or done.at is None]
        report = RelinkReport(
            tuple(done for done in report.relinked if done not in loose),
            (
                *report.missing,
                *(
                    Missing(done.clip, done.old_url, "not on whole frames of a track")
                    for done in loose
                ),
            ),
        )
    summary = f"relinked {len(report.relinked)} clips, {len(report.missing)} still missing"
    if not in_place:
        save_new_project(timeline, target)
    elif report.relinked:
        changes = tuple(
            (str(done.track), int(done.at or 0), done.old_url, done.new_path)
            for done in report.relinked
        )
        session.apply(SetMedia(changes), description=summary)
    record("edit", summary, project=target, outputs=[target])
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "relinked": [
                        {"clip": r.clip, "path": r.new_path, "matched_by": r.matched_by}
                        for r in report.relinked
                    ],
                    "missing": [
                        {"clip": m.clip, "url": m.url, "reason": m.reason} for m in report.missing
                    ],
                }
            )
        )
        return
    console = Console()
    for done in report.relinked:
        console.print(f"relinked {done.clip} -> {done.new_path} (by {done.matched_by})")
    for lost in report.missing:
        console.print(f"[yellow]still missing[/]: {lost.clip} ({lost.reason})")
    console.print(f"{len(report.relinked)} relinked, {len(report.missing)} still missing")
