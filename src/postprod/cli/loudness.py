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
    layout: str | None = typer.Option(
        None,
        "--layout",
        help="Channel layout to weight by (5.0, 5.1, 7.1, 7.1.4, ... or stem); "
        "default: the file's own.",
    ),
) -> None:
    """Measure loudness (ITU-R BS.1770-4, EBU R 128): integrated, range, true peak.

    Channels are weighted per BS.1770-4 by the loudspeaker they feed: surrounds
    +1.5 dB, the LFE left out, every other channel 1.0. The layout is the
    file's own (its channel mask), or --layout; a file that declares none is
    mono, stereo, 5.1 for six channels, and otherwise a stem (all 1.0).
    """
    from postprod.deliver.measure import channel_names, measure_file
    from postprod.media import audio_info
    from postprod.qc.loudness import channel_weights

    info = audio_info(file)
    names = channel_names(info, layout)
    result = measure_file(file, layout=layout)
    if as_json:
        typer.echo(json.dumps(result.figures()))
        return
    console = Console()
    console.print(_table(f"{file.name}", {"": result}))
    weights = channel_weights(info.channels, names)
    shown = names if names and any(names) else [f"{k + 1}" for k in range(info.channels)]
    console.print(
        f"{info.channels} channel(s) ({layout or info.layout}): "
        + " ".join(f"{name} {weight:g}" for name, weight in zip(shown, weights, strict=True))
    )


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
