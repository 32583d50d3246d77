"""``postprod multicam``: group angles in sync, cut between them by hand or by who is
speaking, choose the sound, flatten, export the switched programme.

Times (``--at``) are the programme's timecodes or frames from its start; angles are
counted from 1 in the order the files were given. Every change is one undo step
(``postprod edit P undo``).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.cli import applying
from postprod.errors import EditError
from postprod.workflows.sync_methods import METHODS, POINT_METHODS

app = typer.Typer(
    help="Multicam clips: group angles in sync, cut between them by hand or by who is speaking.",
    no_args_is_help=True,
)

PROJECT = typer.Argument(..., help="The project (.otio).")
GROUP = typer.Option(
    "", "--name", help="The multicam clip (default: the one there, or the project's only one)."
)
AT = typer.Option(..., "--at", help="Programme timecode or frames from its start.")
ANGLE = typer.Option(..., "--angle", help="The angle, counted from 1.")
VIDEO_ONLY = typer.Option(False, "--video-only", help="Cut the picture only.")
AUDIO_ONLY = typer.Option(False, "--audio-only", help="Cut the sound only.")


def _at(project: Path, text: str) -> int:
    from postprod.project import load_project
    from postprod.timecode import FrameRate
    from postprod.timecode.points import parse_point
    from postprod.timeline.slots import Where

    where = Where.of(load_project(project))
    return parse_point(text, FrameRate.parse(where.rate), where.start_frame, what="--at")


def _side(video_only: bool, audio_only: bool) -> str:
    if video_only and audio_only:
        raise EditError("--video-only and --audio-only together", fix="give one, or neither")
    return "picture" if video_only else "sound" if audio_only else "both"


def _pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            raise EditError(f"{what} {value!r} is not KEY=VALUE", fix=f"give {what} ANGLE=VALUE")
        pairs.append((key, rest))
    return pairs


@app.command("create")
def create_command(
    ctx: typer.Context,
    project: Path = PROJECT,
    files: list[Path] = typer.Argument(..., help="The angles' files (cameras, recorders)."),
    name: str = typer.Option(..., "--name", help="The multicam clip's name."),
    sync: str = typer.Option(
        "timecode",
        "--sync",
        help=f"How to line the angles up: {', '.join((*METHODS, *POINT_METHODS))}.",
    ),
    reference: Path | None = typer.Option(
        None, "--reference", help="The angle whose clock the others follow (default: the first)."
    ),
    point: list[str] = typer.Option(
        [], "--point", help="A file's sync point for --sync marker/in/out: FILE=SECONDS."
    ),
    names: str | None = typer.Option(
        None, "--names", help="The angles' names, comma-separated (default: the file names)."
    ),
    audio_track: str = typer.Option("A1", "--audio-track", help="The track for the sound."),
    ltc_channel: int = typer.Option(
        -1, "--ltc-channel", help="The channel carrying LTC, counted from 1 (-1: the last)."
    ),
) -> None:
    """Append a multicam clip of the angles, in sync, to V1 (and its sound to an audio track)."""
    from postprod.workflows.multicam import create_operation, sync_angles

    for file in files:
        if not file.is_file():
            raise EditError(f"angle {file} does not exist", where=str(file), fix="check the path")
    points = {Path(key): float(value) for key, value in _pairs(point, "--point")}
    angles = sync_angles(
        list(files),
        method=sync,
        reference=reference,
        points_s=points,
        ltc_channel=ltc_channel - 1 if ltc_channel > 0 else ltc_channel,
        names=[n.strip() for n in names.split(",")] if names else None,
    )
    operation = create_operation(name, angles, project.parent, audio_track=audio_track)
    applying.apply(ctx, project, operation)
    table = Table(title=f"{name}: angles", title_justify="left")
    for column in ("angle", "name", "offset (s)", "drift (ppm)", "confidence"):
        table.add_column(column)
    for number, angle in enumerate(angles, start=1):
        table.add_row(
            str(number),
            angle.name,
            f"{angle.offset_s:+.6f}",
            f"{angle.drift_ppm:+.1f}",
            f"{angle.confidence:.2f}",
        )
    Console().print(table)


@app.command("cut")
def cut_command(
    ctx: typer.Context,
    project: Path = PROJECT,
    at: str = AT,
    angle: int = ANGLE,
    group: str = GROUP,
    video_only: bool = VIDEO_ONLY,
    audio_only: bool = AUDIO_ONLY,
) -> None:
    """Make an angle active from a time on (until the clip's next cut)."""
    from postprod.operations.multicam import CutMulticam

    side = _side(video_only, audio_only)
    applying.apply(ctx, project, CutMulticam(_at(project, at), angle, group, side))


@app.command("switch")
def switch_command(
    ctx: typer.Context,
    project: Path = PROJECT,
    at: str = AT,
    angle: int = ANGLE,
    group: str = GROUP,
    video_only: bool = VIDEO_ONLY,
    audio_only: bool = AUDIO_ONLY,
) -> None:
    """Change the angle of the cut under a time, without a new cut."""
    from postprod.operations.multicam import SwitchMulticam

    side = _side(video_only, audio_only)
    applying.apply(ctx, project, SwitchMulticam(_at(project, at), angle, group, side))


@app.command("audio")
def audio_command(
    ctx: typer.Context,
    project: Path = PROJECT,
    mode: str = typer.Option(
        ...,
        "--mode",
        help="follow (the angle on screen), cuts (its own: --audio-only cuts), "
        "fixed (one angle), mix (angles).",
    ),
    angles: str = typer.Option("", "--angles", help="The angles, comma-separated: 2, or 1,3."),
    group: str = GROUP,
) -> None:
    """Choose how the clip's sound plays: follow the picture, its own cuts, one angle, a mix."""
    from postprod.operations.multicam import SetMulticamAudio

    try:
        numbers = tuple(int(a) for a in angles.split(",") if a.strip())
    except ValueError:
        raise EditError(f"--angles {angles!r}", fix="give numbers: 1,3") from None
    applying.apply(ctx, project, SetMulticamAudio(mode, numbers, group))


@app.command("rename")
def rename_command(
    ctx: typer.Context,
    project: Path = PROJECT,
    angle: int = ANGLE,
    to: str = typer.Option(..., "--to", help="The new name."),
    group: str = GROUP,
) -> None:
    """Rename an angle."""
    from postprod.operations.multicam import RenameAngle

    applying.apply(ctx, project, RenameAngle(angle, to, group))


@app.command("flatten")
def flatten_command(ctx: typer.Context, project: Path = PROJECT, group: str = GROUP) -> None:
    """Turn the multicam cuts into the plain clips they play."""
    from postprod.operations.multicam import FlattenMulticam

    applying.apply(ctx, project, FlattenMulticam(group))


@app.command("auto")
def auto_command(
    project: Path = PROJECT,
    mic: list[str] = typer.Option(..., "--mic", help="An angle's microphone: ANGLE=FILE."),
    wide: int = typer.Option(..., "--wide", help="The wide angle, for speech together."),
    min_shot: float = typer.Option(2.0, "--min-shot", help="The shortest shot, in seconds."),
    bias: list[str] = typer.Option(
        [], "--bias", help="Favour an angle: ANGLE=DB added to its microphone's level."
    ),
    group: str = GROUP,
    as_json: bool = typer.Option(False, "--json", help="Print the cuts as JSON."),
) -> None:
    """Cut the picture to whoever is speaking (wide when they speak together)."""
    from postprod.project import load_project
    from postprod.workflows.multicam import AutoSettings, auto_switch

    try:
        mics = {int(key): Path(value) for key, value in _pairs(mic, "--mic")}
        biases = {int(key): float(value) for key, value in _pairs(bias, "--bias")}
    except ValueError:
        raise EditError("--mic and --bias take ANGLE=VALUE", fix="e.g. --mic 1=a.wav") from None
    for path in mics.values():
        if not path.is_file():
            raise EditError(f"microphone {path} does not exist", where=str(path), fix="check it")
    settings = AutoSettings(min_shot_s=min_shot, bias_db=biases)
    result = auto_switch(
        load_project(project), project.parent, mics, wide, group=group, settings=settings
    )
    from postprod.cli.journal import record
    from postprod.operations import Project

    note = f"multicam auto: {len(result.cuts)} cuts"
    Project(project).apply(*result.operations, description=note)
    record("edit", note, project=project, outputs=[project], details={"cuts": len(result.cuts)})
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {"at_s": round(c.at_s, 3), "angle": c.angle, "confidence": c.confidence}
                    for c in result.cuts
                ]
            )
        )
        return
    table = Table(title=f"{len(result.cuts)} cuts", title_justify="left")
    for column in ("at (s)", "angle", "confidence"):
        table.add_column(column)
    for cut in result.cuts:
        table.add_row(f"{cut.at_s:.2f}", str(cut.angle), f"{cut.confidence:.2f}")
    Console().print(table)


@app.command("export")
def export_command(
    project: Path = PROJECT,
    out: Path = typer.Argument(..., help="The file to write: .edl, .xml (FCP 7), .otio, ..."),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse to write if the format cannot carry everything."
    ),
) -> None:
    """Export the switched programme, each cut as its angle's source clip (EDL, FCP XML)."""
    import warnings

    from postprod.cli.journal import record
    from postprod.interchange.exporting import export_timeline
    from postprod.interchange.losses import InterchangeWarning
    from postprod.project import load_project
    from postprod.timeline.multicam import flatten

    timeline = load_project(project)
    flatten(timeline)  # each cut as the clip its angle plays: what other tools understand
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", InterchangeWarning)
        written = export_timeline(
            timeline, out, media_folder=project.resolve().parent, strict=strict
        )
    for warning in said:
        if issubclass(warning.category, InterchangeWarning):
            typer.echo(f"warning: {warning.message}", err=True)
    note = f"exported the switched programme to {out.name}"
    record("export", note, project=project, outputs=[written])
    typer.echo(f"wrote {written}")


@app.command("multiview")
def multiview_command(
    project: Path = PROJECT,
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (.mp4, .mov)."),
    frame_range: str | None = typer.Option(
        None, "--range", help="Only IN-OUT of the programme: timecodes or frames; OUT exclusive."
    ),
    size: str | None = typer.Option(None, "--size", help="Output WIDTHxHEIGHT."),
    columns: int | None = typer.Option(None, "--columns", help="Tiles across (default: square)."),
) -> None:
    """Render every angle in a grid with its name and source timecode, the one on air outlined."""
    from postprod.cli.journal import record
    from postprod.render.multicam_view import render_multiview

    written = render_multiview(project, out, frame_range=frame_range, size=size, columns=columns)
    record("render", f"multiview to {written.name}", project=project, outputs=[written])
    typer.echo(f"wrote {written}")


@app.command("show")
def show_command(project: Path = PROJECT, group: str = GROUP) -> None:
    """List a multicam clip's angles and cuts."""
    from postprod.project import load_project
    from postprod.timeline.multicam import angles_of, group_cuts, the_group
    from postprod.timeline.slots import Where

    timeline = load_project(project)
    where = Where.of(timeline)
    name = the_group(timeline, where.rate, group)
    cuts = list(group_cuts(timeline, where.rate, name))
    table = Table(title=f"{name}: angles", title_justify="left")
    for column in ("angle", "name", "media", "offset (s)", "drift (ppm)", "picture", "sound"):
        table.add_column(column)
    seen: dict[int, list[str]] = {}
    for found in cuts:
        for angle, _ in angles_of(found.stack):
            row = seen.setdefault(
                angle.number,
                [angle.name, angle.media, f"{angle.offset_s:+.6f}", f"{angle.drift_ppm:+.1f}"],
            )
            row.append(found.cut.role)
    for number in sorted(seen):
        row = seen[number]
        table.add_row(
            str(number),
            *row[:4],
            "yes" if "picture" in row[4:] else "",
            "yes" if "sound" in row[4:] else "",
        )
    console = Console()
    console.print(table)
    cut_table = Table(title=f"{name}: cuts", title_justify="left")
    for column in ("track", "at", "frames", "angle", "sound"):
        cut_table.add_column(column)
    for found in cuts:
        heard = ",".join(map(str, found.cut.angles_heard())) if found.cut.role == "sound" else ""
        cut_table.add_row(
            found.track.name,
            where.tc(found.start),
            str(found.length),
            str(found.cut.angle),
            f"{found.cut.audio_mode} {heard}".strip() if found.cut.role == "sound" else "",
        )
    console.print(cut_table)
