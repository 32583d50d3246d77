"""``postprod spot``: place Foley and effects on the project at the frames a spotting list names."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from postprod.cli.journal import record


def spot_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    spotting: Path | None = typer.Argument(
        None,
        help="CSV: timecode,sound,track,gain_db,note (sound: a file or sfx:NAME). "
        "Without it, the markers whose note names a sound (SOUND [track=FX] [gain_db=-6]).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the result here, as a new project (never over a file)."
    ),
) -> None:
    """Spot sounds to picture from a spotting list or the markers; report what was not placed.

    In place, the sounds that fit go in as one undo step (postprod edit PROJECT undo)."""
    from postprod.workflows.spot import spot

    report = spot(project, spotting, out)
    record(
        "edit",
        f"spotted {len(report.placed)} sounds ({len(report.unplaced)} not placed)",
        project=out or project,
        outputs=[out or project],
        details={"spotting": str(spotting) if spotting else "markers"},
    )
    console = Console()
    console.print(f"placed {len(report.placed)} sounds")
    for label, sound, reason in report.unplaced:
        console.print(f"[yellow]not placed[/]: {sound} at {label}: {reason}")
