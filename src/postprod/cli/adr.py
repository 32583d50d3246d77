"""``postprod adr``: dubbing — make a replacement take follow the guide track's timing."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from postprod.cli.journal import record

app = typer.Typer(help="Dubbing (ADR): align replacement dialogue to the guide track.")


@app.command("align")
def align_command(
    guide: Path = typer.Argument(..., help="The guide: the production sound of the line."),
    replacement: Path = typer.Argument(..., help="The replacement take (ADR)."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="The aligned take (WAV, the guide's length)."
    ),
    project: Path | None = typer.Option(
        None,
        "--project",
        help="Also place the aligned take in this project, beside the guide's clips.",
    ),
    track: str = typer.Option("ADR", "--track", help="The project's track for the aligned take."),
    as_json: bool = typer.Option(False, "--json", help="Print the sync errors as JSON."),
) -> None:
    """Time-warp REPLACEMENT onto GUIDE's timing; report the sync error before and after (ms)."""
    from postprod.workflows.adr import align_files

    report = align_files(guide, replacement, out, project=project, track=track)
    record(
        "mix",
        f"aligned {replacement.name} to {guide.name}: p95 "
        f"{report.error_before.p95_ms:.0f} -> {report.error_after.p95_ms:.0f} ms",
        project=project,
        outputs=[report.output, *([project] if project else [])],
        details={"operation": "adr align", **report.to_json()},
    )
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    console = Console()
    console.print(f"wrote {report.output}")
    for label, error in (("before", report.error_before), ("after", report.error_after)):
        console.print(
            f"sync error {label}: median {error.median_ms:.1f} ms, p95 {error.p95_ms:.1f} ms"
        )
    for name in report.placed:
        console.print(f"placed {name} on {track}")
    for name in report.unplaced:
        console.print(f"[yellow]not placed[/]: {name}: track {track} is taken there")
