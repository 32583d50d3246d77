"""``postprod new``, ``postprod timeline`` and ``postprod track``: a project's basics and tracks.

Every change is an operation applied through :mod:`postprod.cli.applying`, so it
is one undo step (``postprod edit P undo``) and may be a line of an edit script.
``timeline`` takes the project right after its name (``timeline P set ...``);
``track`` takes it after the subcommand (``track add P --audio FX``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod import operations as ops
from postprod.cli import applying
from postprod.cli.journal import record
from postprod.errors import EditError
from postprod.project import load_project
from postprod.timecode import FrameRate
from postprod.timecode.points import parse_point
from postprod.timeline.slots import Where

PROJECT = typer.Argument(..., help="The project (.otio).")
NAME = typer.Argument(..., help="The track: its whole name or its first word (A2).")


def new_command(
    project: Path = typer.Argument(..., help="The project file to make (.otio); never replaced."),
    name: str = typer.Option(..., "--name", help="The programme's name."),
    rate: str = typer.Option(..., "--rate", help="Frame rate: 25, 24, 23.976, 29.97, 50, ..."),
    start: str = typer.Option(
        "00:00:00:00", "--start", help="The programme's first timecode (10:00:00:00)."
    ),
    size: str | None = typer.Option(
        None, "--size", help="WIDTHxHEIGHT a render makes (default: the first clip's)."
    ),
    sample_rate: int = typer.Option(
        48000, "--sample-rate", help="Sound: 44100, 48000, 88200 or 96000 Hz."
    ),
) -> None:
    """Make a new, empty project with a video track V1 and stereo audio tracks A1 and A2.

    The project file is written atomically and its undo journal starts from it;
    an existing file is never replaced.
    """
    ops.new_project(
        project,
        name=name,
        rate=rate,
        start=start,
        size_px=None if size is None else _size(size),
        sample_rate_hz=sample_rate,
    )
    typer.echo(f"new: wrote {project} ({name}, {rate} fps, starts {start}, tracks V1 A1 A2)")
    record("edit", f"new project {name}", project=project, outputs=[project])


# -- timeline ---------------------------------------------------------------

timeline_app = typer.Typer(
    no_args_is_help=True,
    help="A project's name, first timecode, picture size and sample rate: show or set them.",
)


@timeline_app.callback()
def _timeline(ctx: typer.Context, project: Path = PROJECT) -> None:
    """A project's name, first timecode, picture size and sample rate: show or set them."""
    ctx.obj = project


@timeline_app.command("set")
def timeline_set(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", help="The programme's new name."),
    start: str | None = typer.Option(
        None, "--start", help="The first timecode; clips keep their places in the programme."
    ),
    size: str | None = typer.Option(None, "--size", help="WIDTHxHEIGHT a render makes."),
    sample_rate: int | None = typer.Option(
        None, "--sample-rate", help="44100, 48000, 88200 or 96000 Hz."
    ),
) -> None:
    """Change the programme's name, first timecode, picture size or sample rate (the rest stays)."""
    project: Path = ctx.obj
    first = None
    if start is not None:
        rate = FrameRate.parse(Where.of(load_project(project)).rate)
        first = parse_point(start, rate, what="--start")
    width, height = (None, None) if size is None else _size(size)
    operation = ops.SetTimeline(name, first, width, height, sample_rate)
    applying.apply(ctx, project, operation)


@timeline_app.command("show")
def timeline_show(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Show the programme's name, rate, first timecode, picture size, sample rate and tracks."""
    info = ops.project_info(load_project(ctx.obj))
    if as_json:
        typer.echo(json.dumps(info.to_dict()))
        return
    size = f"{info.width_px}x{info.height_px}" if info.width_px else "the first clip's"
    sound = f"{info.sample_rate_hz} Hz" if info.sample_rate_hz else "48000 Hz (not set)"
    console = Console()
    console.print(f"{info.name}: {info.rate} fps, starts {info.start_timecode}")
    console.print(f"picture {size}, sound {sound}")
    console.print("tracks: " + ", ".join(track.name for track in info.tracks))


# -- tracks -----------------------------------------------------------------

track_app = typer.Typer(
    no_args_is_help=True,
    help="A project's tracks: add, rename, remove, move, lock, arm and list them.",
)


@track_app.command("add")
def track_add(
    ctx: typer.Context,
    project: Path = PROJECT,
    audio: str | None = typer.Option(None, "--audio", help="Add an audio track of this name."),
    video: str | None = typer.Option(None, "--video", help="Add a video track of this name."),
    layout: str | None = typer.Option(
        None, "--layout", help="Audio: mono, stereo (the default) or 5.1."
    ),
    position: int | None = typer.Option(
        None,
        "--position",
        help="Place among the tracks of its kind, from 1 (default: after the last).",
    ),
) -> None:
    """Add an empty track: picture above the others, sound below them."""
    if (audio is None) == (video is None):
        raise EditError("give one of --audio NAME or --video NAME", fix="for example --audio FX")
    kind, name = ("audio", audio) if audio is not None else ("video", video)
    applying.apply(ctx, project, ops.AddTrack(kind, str(name), layout, position))


@track_app.command("rename")
def track_rename(
    ctx: typer.Context,
    project: Path = PROJECT,
    name: str = NAME,
    new_name: str = typer.Argument(..., help="The new name (unique in the project)."),
) -> None:
    """Give a track a new name."""
    applying.apply(ctx, project, ops.RenameTrack(name, new_name))


@track_app.command("remove")
def track_remove(ctx: typer.Context, project: Path = PROJECT, name: str = NAME) -> None:
    """Remove a track with everything on it (undo brings it back); a locked one is refused."""
    applying.apply(ctx, project, ops.RemoveTrack(name))


@track_app.command("move")
def track_move(
    ctx: typer.Context,
    project: Path = PROJECT,
    name: str = NAME,
    to: int = typer.Option(
        ..., "--to", help="Place among the tracks of its kind, from 1 (1 is V1's or A1's place)."
    ),
) -> None:
    """Move a track among the tracks of its kind (video 1 is the bottom picture layer)."""
    applying.apply(ctx, project, ops.MoveTrack(name, to))


@track_app.command("lock")
def track_lock(
    ctx: typer.Context,
    project: Path = PROJECT,
    name: str = NAME,
    off: bool = typer.Option(False, "--off", help="Unlock it instead."),
) -> None:
    """Lock a track so edits leave it alone (--off unlocks it)."""
    applying.apply(ctx, project, ops.LockTrack(name, not off))


@track_app.command("arm")
def track_arm(
    ctx: typer.Context,
    project: Path = PROJECT,
    name: str = NAME,
    off: bool = typer.Option(False, "--off", help="Disarm it instead."),
) -> None:
    """Arm an audio track to record (--off disarms it); `record` without --track uses it."""
    applying.apply(ctx, project, ops.ArmTrack(name, not off))


@track_app.command("list")
def track_list(
    project: Path = PROJECT, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """List the tracks: kind, place among their kind, channel layout, lock and clips."""
    infos = ops.track_infos(load_project(project))
    if as_json:
        typer.echo(json.dumps([info.to_dict() for info in infos]))
        return
    table = Table(title=str(project), title_justify="left")
    for column in ("track", "kind", "place", "layout", "locked", "armed", "clips"):
        table.add_column(column, no_wrap=True)
    for info in infos:
        table.add_row(
            info.name,
            info.kind,
            str(info.position),
            info.layout or "",
            "locked" if info.locked else "",
            "armed" if info.armed else "",
            str(info.clips),
        )
    Console().print(table)


def _size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` as two numbers (the project checks they are even pixels)."""
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip().lower())
    if not match:
        raise EditError(f"size {text!r} is not WIDTHxHEIGHT", fix="for example --size 1920x1080")
    return int(match[1]), int(match[2])
