"""``postprod probe``: what a media file holds."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.media.probe import MediaInfo, probe


def probe_command(
    file: Path = typer.Argument(..., help="A picture or sound file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show a media file's container, duration, streams and start timecode."""
    info = probe(file)
    if as_json:
        typer.echo(json.dumps(info.to_dict(), indent=2))
        return
    Console().print(_table(info))


def _table(info: MediaInfo) -> Table:
    table = Table(
        title=f"{info.path.name}: {info.format}, {info.duration_s:.3f} s, "
        f"start TC {info.start_timecode or '-'}",
        title_justify="left",
    )
    for column in ("#", "type", "codec", "picture / sound", "rate", "length"):
        table.add_column(column)
    for s in info.streams:
        if s.type == "video":
            shape = f"{s.width}x{s.height} {s.pixel_format or ''} {s.color_range or ''}".strip()
            rate = f"{float(s.frame_rate):.3f} fps ({s.frame_rate})" if s.frame_rate else "-"
            length = f"{s.frames} frames" if s.frames is not None else "-"
        elif s.type == "audio":
            shape = f"{s.channels} ch {s.channel_layout} {s.sample_format or ''}".strip()
            rate = f"{s.sample_rate} Hz"
            length = f"{s.duration_s:.3f} s" if s.duration_s is not None else "-"
        else:
            shape, rate, length = "-", "-", "-"
        table.add_row(str(s.index), s.type, s.codec, shape, rate, length)
    return table
