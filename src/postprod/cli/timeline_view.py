"""``postprod inspect``: a timeline as a readable table, JSON, or a picture."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from postprod.project import load_project
from postprod.timeline.inspect import ItemInfo, describe


def inspect_command(
    project: Path = typer.Argument(..., help="The project (.otio)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    png: Path | None = typer.Option(None, "--png", help="Also draw the timeline to this PNG."),
) -> None:
    """Show a project's tracks, clips, source and record timecodes, transitions and markers."""
    info = describe(load_project(project))
    if png is not None:
        from postprod.render.timeline_png import draw_timeline  # Pillow only for a picture

        draw_timeline(info, png)
    if as_json:
        typer.echo(json.dumps(info.to_dict()))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{info.name}: {info.rate} fps, starts {info.start_timecode}, {info.duration_frames} frames",
        title_justify="left",
    )
    for column in (
        "track",
        "kind",
        "name",
        "record in",
        "record out",
        "source in",
        "source out",
        "speed",
        "link",
        "effects",
    ):
        table.add_column(column, no_wrap=True)
    for item in info.items:
        table.add_row(
            item.track,
            item.kind,
            item.name,
            item.record_in_tc,
            item.record_out_tc,
            item.source_in_tc,
            item.source_out_tc,
            _speed(item),
            item.link or "",
            item.effects,
        )
    console = Console(width=max(Console().width, 170))  # timecodes are not to be folded
    console.print(table)
    locked = set(info.locked_tracks)
    console.print(
        "tracks: "
        + ", ".join(f"{name} (locked)" if name in locked else name for name, _ in info.tracks),
        highlight=False,
    )
    for marker in info.markers:
        console.print(
            f"marker {marker.timecode}: {marker.name}"
            + (f" ({marker.colour})" if marker.colour else "")
            + (f": {marker.note}" if marker.note else "")
        )
    if png is not None:
        console.print(f"wrote {png}")


def _speed(item: ItemInfo) -> str:
    """A clip's speed as the table shows it: blank at 100 %, else the percentage (and
    stretch when the pitch is kept), "freeze" for a freeze frame."""
    if item.speed_percent is None or item.speed_percent == 100:
        return ""
    if item.speed_percent == 0:
        return "freeze"
    shown = f"{item.speed_percent:.4g} %"
    return f"{shown} stretch" if item.speed_mode == "stretch" else shown
