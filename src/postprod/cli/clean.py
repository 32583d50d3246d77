"""``postprod clean``: dialogue clean-up — broadband noise, mains hum and clicks."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.errors import AudioError


def clean_command(
    source: Path = typer.Argument(..., help="The recording to clean (it is not changed)."),
    out: Path = typer.Option(..., "--out", "-o", help="The cleaned file (WAV or FLAC)."),
    noise_print: Path | None = typer.Option(
        None, "--noise-print", help="A recording of the noise alone (room tone); default: learned."
    ),
    hum: int | None = typer.Option(None, "--hum", help="Remove mains hum: 50 or 60 (Hz)."),
    declick: bool = typer.Option(False, "--declick", help="Remove clicks."),
    denoise: bool = typer.Option(True, "--denoise/--no-denoise", help="Broadband noise reduction."),
    reduction_db: float = typer.Option(
        18.0, "--reduction-db", help="How far noise is turned down."
    ),
) -> None:
    """Reduce broadband noise (from a noise print or learned), and optionally hum and clicks."""
    from postprod.audio.cleanup import CleanSettings
    from postprod.workflows.clean import clean_file

    if hum not in (None, 50, 60):
        raise AudioError(f"--hum {hum} is not a mains frequency", fix="give 50 or 60")
    settings = CleanSettings(
        denoise=denoise,
        reduction_db=reduction_db,
        hum_hz=float(hum) if hum else None,
        declick=declick,
    )
    written = clean_file(source, out, settings, noise_print=noise_print)
    steps = [
        *(["noise"] if denoise else []),
        *([f"{hum} Hz hum"] if hum else []),
        *(["clicks"] if declick else []),
    ]
    record(
        "mix",
        f"cleaned {source.name} ({', '.join(steps) or 'nothing'})",
        outputs=[written],
        details={"operation": "clean", "source": str(source)},
    )
    Console().print(f"wrote {written} (removed: {', '.join(steps) or 'nothing'})")
