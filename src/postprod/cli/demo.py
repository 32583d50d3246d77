"""``postprod demo``: make the demo production."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.cli.progress import frame_progress
from postprod.log import default_location
from postprod.media.probe import probe

_MEDIA = {".mp4", ".mov", ".wav"}


def _describe(path: Path) -> str:
    """Size, and for media its duration: what a user checks first."""
    if path.is_dir():
        return "the undo journal: postprod edit PROJECT history"
    size = f"{path.stat().st_size / 1e6:.2f} MB"
    if path.suffix.lower() not in _MEDIA:
        return size
    return f"{size}, {probe(path).duration_s:.2f} s"


def demo_command(
    out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder to write into."),
) -> None:
    """Make a short programme from synthetic sources: project, render, R 128 master, QC report."""
    from postprod.demo import run_demo

    console = Console()
    with frame_progress("rendering") as progress:
        result = run_demo(out, progress=progress, on_step=lambda m: console.print(f"[dim]{m}"))
    record("render", "made the demo production", project=result.project, outputs=list(result.files))
    console.print(f"[dim]logged in {default_location()} (see it with: postprod log show)[/dim]")
    console.print(f"[bold]demo written to {out}[/bold]")
    for path in result.files:
        console.print(f"  {path}  ({_describe(path)})")
    console.print(
        f"programme: {result.render.frames} frames ({result.render.duration_s:.2f} s) with sound"
    )
    verdict = "[green]passed" if result.qc.passed else "[red]failed"
    figures = result.qc.loudness.figures()
    console.print(
        f"master: {figures['integrated_lufs']:.1f} LUFS, {figures['true_peak_dbtp']:.1f} dBTP, "
        f"EBU R 128 QC {verdict}[/] (open {result.reports[-1]})"
    )
