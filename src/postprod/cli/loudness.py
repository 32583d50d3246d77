"""``postprod loudness`` and ``postprod normalize``: EBU R 128 / BS.1770-4 figures and gain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from postprod.cli.journal import record

if TYPE_CHECKING:
    from postprod.qc.loudness import LoudnessResult

_LABELS = {
    "integrated_lufs": ("Integrated", "LUFS"),
    "loudness_range_lu": ("Loudness range", "LU"),
    "true_peak_dbtp": ("True peak", "dBTP"),
    "sample_peak_dbfs": ("Sample peak", "dBFS"),
    "max_momentary_lufs": ("Max momentary", "LUFS"),
    "max_short_term_lufs": ("Max short-term", "LUFS"),
}


def loudness_command(
    file: Path = typer.Argument(..., help="A sound or video file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Measure loudness (ITU-R BS.1770-4, EBU R 128): integrated, range, true peak."""
    from postprod.deliver.measure import measure_file

    result = measure_file(file)
    if as_json:
        typer.echo(json.dumps(result.figures()))
        return
    Console().print(_table(f"{file.name}", {"": result}))


def normalize_command(
    source: Path = typer.Argument(..., help="The file to normalise (never modified)."),
    out: Path = typer.Option(
        ..., "--out", "-o", help="The normalised file to write (.wav, .flac)."
    ),
    target: float = typer.Option(..., "--target", help="Integrated loudness to reach, LUFS."),
    true_peak: float = typer.Option(-1.0, "--true-peak", help="True-peak ceiling, dBTP."),
    bit_depth: str = typer.Option("24", "--bit-depth", help="16, 24 or 32f."),
    noise_shaping: bool = typer.Option(
        False, "--noise-shaping", help="Shape the dither (F-weighted), for 16-bit masters."
    ),
) -> None:
    """Normalise to a target loudness, limiting true peaks only where needed."""
    from postprod.deliver.normalize import normalize_file

    report = normalize_file(
        source,
        out,
        target_lufs=target,
        true_peak_dbtp=true_peak,
        bit_depth=bit_depth,
        noise_shaping=noise_shaping,
    )
    record(
        "delivery",
        f"normalised to {target} LUFS",
        outputs=[out],
        details={
            "source": str(source),
            "gain_db": report.gain_db,
            "limited": report.limited,
            **report.after.figures(),
        },
    )
    console = Console()
    console.print(
        _table(f"{source.name} -> {out.name}", {"before": report.before, "after": report.after})
    )
    limiter = "true-peak limiter engaged" if report.limited else "no limiting needed"
    console.print(f"gain {report.gain_db:+.2f} dB, {limiter}")


def _table(title: str, results: dict[str, LoudnessResult]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("measure")
    for name in results:
        table.add_column(name or "value", justify="right")
    table.add_column("unit")
    figures = {name: result.figures() for name, result in results.items()}
    for key, (label, unit) in _LABELS.items():
        table.add_row(label, *(f"{figures[name][key]:.1f}" for name in results), unit)
    return table
