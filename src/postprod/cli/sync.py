"""``postprod sync``: line separately recorded sound up with the camera's."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.render.sync import sync_files


def sync_command(
    reference: Path = typer.Argument(
        ..., help="The reference (the camera file with its scratch sound)."
    ),
    others: list[Path] = typer.Argument(..., help="Recorder files to line up with it."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Find where each recording belongs on the reference's clock, and its clock drift."""
    results = sync_files(reference, list(others))
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
    Console().print(table)
