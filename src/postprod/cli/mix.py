"""``postprod mix``: a project's audio tracks through the console to a file and stems."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from postprod.cli.journal import record
from postprod.cli.progress import frame_progress


def mix_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    out: Path = typer.Option(..., "--out", "-o", help="The mix to write (.wav)."),
    stems: Path | None = typer.Option(None, "--stems", help="Also write every bus here."),
    sample_rate: int | None = typer.Option(
        None, "--sample-rate", help="44100, 48000, 88200 or 96000 (default: the project's)."
    ),
    bit_depth: str = typer.Option("24", "--bit-depth", help="16, 24 or 32f."),
    tail: float = typer.Option(
        0.0, "--tail", help="Seconds to run on after the end (reverb tails)."
    ),
    layout: str | None = typer.Option(
        None, "--layout", help="stereo or 5.1 (L R C LFE Ls Rs); default: the project's."
    ),
    frame_range: str | None = typer.Option(
        None, "--range", help="Only IN-OUT: programme timecodes or frames (OUT exclusive)."
    ),
    downmix: bool = typer.Option(
        False, "--downmix", help="With 5.1, also write NAME_stereo.wav (ITU-R BS.775)."
    ),
) -> None:
    """Mix a project's audio tracks (gain, pan, inserts, sends, buses) to a file."""
    from postprod.render.mixdown import mix_project  # the engines: not for --help

    with frame_progress("mixing") as progress:
        result = mix_project(
            project,
            out,
            stems_dir=stems,
            sample_rate=sample_rate,
            bit_depth=bit_depth,
            tail_s=tail,
            progress=progress,
            layout=layout,
            frame_range=frame_range,
            stereo_downmix=downmix,
        )
    record(
        "mix",
        f"mixed {len(result.stems)} stems",
        project=project,
        outputs=[result.mix, *result.stems, *([result.stereo] if result.stereo else [])],
        details={
            "duration_s": result.samples / result.sample_rate,
            "sample_rate": result.sample_rate,
        },
    )
    console = Console()
    console.print(f"wrote {result.mix} ({result.samples / result.sample_rate:.2f} s)")
    for stem in result.stems:
        console.print(f"  stem {stem}")
    if result.stereo is not None:
        console.print(f"  stereo fold-down {result.stereo}")
