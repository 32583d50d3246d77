"""``postprod autocut``: jump cuts at the pauses of dialogue, or a flat file split at its shots."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.errors import EditError, refuse_overwriting
from postprod.operations import JumpCut, Project
from postprod.operations.media import refuse_existing_project, save_new_project

if TYPE_CHECKING:
    from postprod.workflows.autocut import AutocutResult


def autocut_command(
    source: Path = typer.Argument(..., help="A media file, or a project (.otio)."),
    out: Path = typer.Option(..., "-o", "--output", help="The cut project (.otio)."),
    silence: bool = typer.Option(False, "--silence", help="Take the pauses out (jump cuts)."),
    shots: bool = typer.Option(False, "--shots", help="Split a flat file at its shot changes."),
    threshold_db: float = typer.Option(-40.0, "--threshold-db", help="Pause: below this level."),
    min_pause_s: float = typer.Option(0.5, "--min-pause", help="Pause: at least this long (s)."),
    margin_s: float = typer.Option(0.1, "--margin", help="Sound kept either side of a cut (s)."),
    shot_threshold: float = typer.Option(30.0, "--shot-threshold", help="Cut score (0-255)."),
    fps: str | None = typer.Option(None, "--rate", help="Frame rate for a sound-only file."),
    as_json: bool = typer.Option(False, "--json", help="Print what was found as JSON."),
) -> None:
    """Cut out the pauses of dialogue, or split a flat file into its shots."""
    from postprod.workflows.autocut import SilenceSettings, cut_pauses, cut_shots

    if silence == shots:
        raise EditError("choose one of --silence and --shots", fix="add --silence or --shots")
    if out.suffix.lower() != ".otio":
        raise EditError(f"{out.name} is not a project", fix="write the result to a .otio file")
    editing_in_place = out.resolve() == source.resolve()
    if not editing_in_place:
        refuse_overwriting(source, out, EditError)
        refuse_existing_project(out)  # a new project: never over one, nor its journal
    if silence:
        settings = SilenceSettings(threshold_db, min_pause_s, margin_s)
        result = cut_pauses(source, settings, rate=Fraction(fps) if fps else None)
    else:
        result = cut_shots(source, threshold=shot_threshold)
    if editing_in_place:
        Project(out).apply(JumpCut(result.removed))  # one undoable edit
    else:
        save_new_project(result.timeline, out)
    _report(result, out, as_json, shots=shots)
    record(
        "edit",
        f"autocut {'pauses' if silence else 'shots'} of {source.name}",
        project=out,
        outputs=[out],
        details={"cuts": len(result.removed) or len(result.shots)},
    )


def _report(result: AutocutResult, out: Path, as_json: bool, *, shots: bool) -> None:
    if as_json:
        rate = result.sample_rate or 1
        typer.echo(
            json.dumps(
                {
                    "project": str(out),
                    "pauses_s": [[p.start / rate, p.end / rate] for p in result.pauses],
                    "removed_frames": [list(r) for r in result.removed],
                    "shots": list(result.shots),
                }
            )
        )
        return
    console = Console()
    if shots:
        console.print(f"{len(result.shots) + 1} shots -> {out}")
        return
    console.print(
        f"{len(result.pauses)} pauses, {len(result.removed)} cut out "
        f"({result.removed_frames} frames) -> {out}"
    )
