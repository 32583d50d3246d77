"""``postprod tc``: timecode arithmetic, LTC and MTC."""

from __future__ import annotations

import typer

from postprod.timecode import FrameRate, frames_to_label, label_to_frames

app = typer.Typer(
    no_args_is_help=True, help="Timecode: labels and frames, LTC audio, MIDI timecode."
)

RATE_HELP = (
    "Frame rate: 23.976, 24, 25, 29.97[df|ndf], 30, 47.952, 48, 50, 59.94[df|ndf], 60 or N/D."
)


@app.command("frames")
def frames(
    timecode: str = typer.Argument(..., help="A label such as 01:00:00:00 or 00:01:00;02."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
) -> None:
    """Print the frame count of a timecode label."""
    typer.echo(label_to_frames(timecode, FrameRate.parse(rate)))


@app.command("timecode")
def timecode(
    frames: int = typer.Argument(..., help="A frame count from 00:00:00:00."),
    rate: str = typer.Option(..., "--rate", "-r", help=RATE_HELP),
    ndf: bool = typer.Option(False, "--ndf", help="Non-drop labels at 29.97 and 59.94."),
) -> None:
    """Print the timecode label of a frame count (29.97 and 59.94 count drop-frame)."""
    parsed = FrameRate.parse(rate)
    if ndf:
        parsed = parsed.with_drop_frame(False)
    typer.echo(frames_to_label(frames, parsed))
