"""``postprod sync``: line separately recorded sound up with the camera's, and build the project."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.cli.journal import record
from postprod.timecode import FrameRate
from postprod.workflows.sync_methods import METHODS


def sync_command(
    reference: Path = typer.Argument(
        ..., help="The reference (the camera file with its scratch sound)."
    ),
    others: list[Path] = typer.Argument(..., help="Recorder files to line up with it."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Build a synced project (.otio): the camera and each recording in place.",
    ),
    method: str = typer.Option(
        "audio", "--method", help=f"How to find the offsets: {', '.join(METHODS)}."
    ),
    ltc_channel: int = typer.Option(
        -1,
        "--ltc-channel",
        help="The channel carrying LTC, counted from 1 (-1: the last).",
    ),
    rate: str | None = typer.Option(
        None,
        "--rate",
        help="The project's frame rate when the reference has no picture (default 25).",
    ),
) -> None:
    """Find where each recording belongs on the reference's clock, and its clock drift."""
    from postprod.workflows.sync import sync_files, synced_project  # the engines: not for --help

    channel = ltc_channel - 1 if ltc_channel > 0 else ltc_channel
    if out is not None:
        from postprod.operations.media import refuse_existing_project

        refuse_existing_project(out)  # before the work: a new project never replaces one
    results = sync_files(reference, list(others), method=method, ltc_channel=channel)
    if out is not None:
        fps = FrameRate.parse(rate).fps if rate else None
        synced_project(reference, results, out, rate=fps)
        record(
            "edit",
            f"synced {len(results)} recordings to {reference.name}",
            project=out,
            outputs=[out],
            details={"operation": f"sync ({method})"},
        )
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "file": str(path),
                        "offset_s": round(r.offset_s, 7),
                        "drift_ppm": round(r.drift_ppm, 2),
                        "confidence": round(r.confidence, 3),
                    }
                    for path, r in results
                ]
            )
        )
        return
    table = Table(title=f"against {reference.name}", title_justify="left")
    for column in ("file", "offset (s)", "drift (ppm)", "confidence"):
        table.add_column(column)
    for path, r in results:
        table.add_row(path.name, f"{r.offset_s:+.6f}", f"{r.drift_ppm:+.1f}", f"{r.confidence:.2f}")
    console = Console()
    console.print(table)
    if out is not None:
        console.print(f"wrote {out}")
