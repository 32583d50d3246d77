"""``postprod edit PROJECT OPERATION ...``: the editor's operations, with undo and redo.

Times (``--at``, ``--to``) are the programme's timecodes (``01:00:10:00``) or
frames from its start (``250``); lengths and offsets (``--by``, ``--frames``,
``--duration``) are frames or timecode durations, with a sign where they may
go either way (``--by -5``). Source points (``--in``, ``--out``) are the
media's own timecode or frames from its first frame. Every edit is saved at
once (atomically) and journalled beside the project, so ``undo`` and ``redo``
work across sessions and crashes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.table import Table

from postprod import operations as ops
from postprod.cli import applying
from postprod.cli.journal import record
from postprod.errors import EditError
from postprod.media.probe import probe
from postprod.project import load_project
from postprod.project.history import History
from postprod.timecode import FrameRate
from postprod.timecode.points import parse_offset, parse_point
from postprod.timeline.build import first_frame_timecode
from postprod.timeline.model import to_frames
from postprod.timeline.slots import Where, clip_at, find_track


class _EditGroup(typer.core.TyperGroup):
    """``edit P --script FILE``: a group stops reading its own options at its first
    argument (the rest belong to a subcommand), so ``--script`` after the project is
    moved in front of it."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if len(args) >= 2 and args[1].startswith("--script="):
            args = [args[1], args[0], *args[2:]]
        elif len(args) >= 3 and args[1] == "--script":
            args = [args[1], args[2], args[0], *args[3:]]
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    cls=_EditGroup,
    no_args_is_help=True,
    help="Edit a project: insert, overwrite, trim, split, transitions, markers; undo and redo.",
)

TRACK = typer.Option(..., "--track", "-t", help="The track (V1, A2, ...).")
AT = typer.Option(..., "--at", help="Programme timecode or frames from its start.")
BY = typer.Option(..., "--by", help="Frames or a timecode duration, signed (+5, -00:00:01:00).")
MEDIA = typer.Option(..., "--media", "-m", help="The video or sound file to edit in.")
SOURCE_IN = typer.Option(None, "--in", help="Source in: the media's timecode or frames.")
DURATION = typer.Option(None, "--duration", help="Frames or a timecode duration (default: all).")
SYNC = typer.Option(False, "--sync", help="Ripple the other tracks too (sync lock).")
UNLINKED = typer.Option(
    False, "--unlinked", help="Leave the clip's linked clips (its sound, its picture) alone."
)


class _Project:
    """The project named on the command line, read when a command first needs it
    (so ``--help`` of any operation works without a project)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._where: Where | None = None

    @property
    def where(self) -> Where:
        if self._where is None:
            self._where = Where.of(load_project(self.path))
        return self._where

    @property
    def rate(self) -> FrameRate:
        return FrameRate.parse(self.where.rate)

    def at(self, text: str) -> int:
        return parse_point(text, self.rate, self.where.start_frame, what="--at")

    def length(self, text: str | None) -> int | None:
        return None if text is None else parse_offset(text, self.rate, what="duration")

    def media(self, media: Path) -> str:
        """A media file given on the command line, as the project stores it (relative to it)."""
        if not media.is_file():
            raise EditError(f"media {media} does not exist", where=str(media), fix="check the path")
        return os.path.relpath(media.resolve(), self.path.parent.resolve())

    def media_point(self, media: Path, text: str | None) -> int:
        """A source point in ``media``: its timecode, or frames from its first frame."""
        if text is None:
            return 0
        start = first_frame_timecode(probe(media).start_timecode, self.where.rate)
        return parse_point(text, self.rate, start, what="--in")


@app.callback(invoke_without_command=True)
def _group(
    ctx: typer.Context,
    project: Path = typer.Argument(..., help="The project (.otio) to edit."),
    script: str | None = typer.Option(
        None,
        "--script",
        help="Apply a file of edits (one command a line, '-' for stdin) as one undo step: "
        "all of them, or at the first refusal none.",
    ),
) -> None:
    """Edit a project: insert, overwrite, trim, split, transitions, markers; undo and redo."""
    ctx.obj = _Project(project)
    if script is None:
        if ctx.invoked_subcommand is None:
            typer.echo(ctx.get_help())
        return
    if ctx.invoked_subcommand is not None:
        raise EditError("--script runs alone", fix="put the edit in the script, or drop --script")
    text = sys.stdin.read() if script == "-" else _read_script(Path(script))
    done = applying.run_script(project, text, script, _invoke)
    typer.echo(f"script: {len(done)} operations applied as one undo step")


def _read_script(path: Path) -> str:
    if not path.is_file():
        raise EditError(f"script {path} does not exist", where=str(path), fix="check the path")
    return path.read_text()


def _invoke(args: list[str], meta: dict[str, object]) -> None:
    """Run one command line inside this process, sharing ``meta`` (the script's batch)."""
    from postprod.cli.main import app as root_app

    root = typer.main.get_command(root_app)
    with root.make_context("postprod", args) as context:
        context.meta.update(meta)
        root.invoke(context)


def _apply(ctx: typer.Context, operation: ops.Operation) -> None:
    applying.apply(ctx, ctx.obj.path, operation)


@app.command("append")
def append(
    ctx: typer.Context,
    track: str = TRACK,
    media: Path = MEDIA,
    source_in: str | None = SOURCE_IN,
    duration: str | None = DURATION,
) -> None:
    """Put media at the end of a track."""
    p: _Project = ctx.obj
    _apply(
        ctx, ops.Append(track, p.media(media), p.media_point(media, source_in), p.length(duration))
    )


@app.command("insert")
def insert(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    media: Path = MEDIA,
    source_in: str | None = SOURCE_IN,
    duration: str | None = DURATION,
    sync: bool = SYNC,
) -> None:
    """Put media at a time, pushing everything after it later (ripple)."""
    p: _Project = ctx.obj
    operation = ops.Insert(
        track, p.at(at), p.media(media), p.media_point(media, source_in), p.length(duration), sync
    )
    _apply(ctx, operation)


@app.command("overwrite")
def overwrite(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    media: Path = MEDIA,
    source_in: str | None = SOURCE_IN,
    duration: str | None = DURATION,
) -> None:
    """Put media at a time over whatever is there; nothing moves."""
    p: _Project = ctx.obj
    operation = ops.Overwrite(
        track, p.at(at), p.media(media), p.media_point(media, source_in), p.length(duration)
    )
    _apply(ctx, operation)


@app.command("replace")
def replace(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    media: Path = MEDIA,
    source_in: str | None = SOURCE_IN,
) -> None:
    """Put other media in the place of the clip at a time, for the same length."""
    p: _Project = ctx.obj
    _apply(ctx, ops.Replace(track, p.at(at), p.media(media), p.media_point(media, source_in)))


@app.command("lift")
def lift(ctx: typer.Context, track: str = TRACK, at: str = AT, unlinked: bool = UNLINKED) -> None:
    """Take the clip at a time away, leaving a gap."""
    _apply(ctx, ops.Lift(track, ctx.obj.at(at), linked=not unlinked))


@app.command("extract")
def extract(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    sync: bool = SYNC,
    unlinked: bool = UNLINKED,
) -> None:
    """Take the clip at a time away and close the hole (ripple delete)."""
    _apply(ctx, ops.Extract(track, ctx.obj.at(at), sync, linked=not unlinked))


@app.command("extract-range")
def extract_range(
    ctx: typer.Context,
    start: str = typer.Option(..., "--from", help="First frame taken out."),
    end: str = typer.Option(..., "--to", help="First frame kept after the range."),
    tracks: list[str] = typer.Option(
        [], "--track", "-t", help="Tracks (default: all but the locked ones)."
    ),
) -> None:
    """Take a stretch of time out of the programme and close up (on every track by default)."""
    p: _Project = ctx.obj
    _apply(ctx, ops.ExtractRange(p.at(start), p.at(end), tuple(tracks)))


@app.command("split")
def split(ctx: typer.Context, track: str = TRACK, at: str = AT, unlinked: bool = UNLINKED) -> None:
    """Cut the clip at a time in two (the razor)."""
    _apply(ctx, ops.Split(track, ctx.obj.at(at), linked=not unlinked))


@app.command("trim")
def trim(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    edge: str = typer.Option(..., "--edge", help="in or out."),
    by: str = BY,
    sync: bool = SYNC,
    unlinked: bool = UNLINKED,
) -> None:
    """Move a clip's in or out point; what follows moves with it (ripple trim)."""
    if edge not in ("in", "out"):
        raise EditError(f"--edge {edge!r}", fix="give --edge in or --edge out")
    p: _Project = ctx.obj
    side: Literal["in", "out"] = "in" if edge == "in" else "out"
    _apply(ctx, ops.Trim(track, p.at(at), side, _by(p, by), sync, linked=not unlinked))


@app.command("roll")
def roll(
    ctx: typer.Context, track: str = TRACK, at: str = AT, by: str = BY, unlinked: bool = UNLINKED
) -> None:
    """Move the cut at a time: one side gets longer, the other shorter."""
    p: _Project = ctx.obj
    _apply(ctx, ops.Roll(track, p.at(at), _by(p, by), linked=not unlinked))


@app.command("slip")
def slip(
    ctx: typer.Context, track: str = TRACK, at: str = AT, by: str = BY, unlinked: bool = UNLINKED
) -> None:
    """Show other frames of the clip's media in the same place."""
    p: _Project = ctx.obj
    _apply(ctx, ops.Slip(track, p.at(at), _by(p, by), linked=not unlinked))


@app.command("slide")
def slide(ctx: typer.Context, track: str = TRACK, at: str = AT, by: str = BY) -> None:
    """Move a clip along the track; its neighbours give and take the time."""
    p: _Project = ctx.obj
    _apply(ctx, ops.Slide(track, p.at(at), _by(p, by)))


@app.command("move")
def move(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    to: str = typer.Option(..., "--to", help="Where the clip goes (timecode or frames)."),
    to_track: str | None = typer.Option(None, "--to-track", help="Another track."),
    unlinked: bool = UNLINKED,
) -> None:
    """Take the clip at a time away and put it somewhere else, over what is there."""
    p: _Project = ctx.obj
    _apply(ctx, ops.Move(track, p.at(at), p.at(to), to_track, linked=not unlinked))


@app.command("set-range")
def set_range(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    source_in: str = typer.Option(..., "--in", help="Source in: media timecode or frames."),
    source_out: str = typer.Option(..., "--out", help="Source out (exclusive)."),
) -> None:
    """Give the clip at a time new in and out points in its media (ripple)."""
    p: _Project = ctx.obj
    frame = p.at(at)
    timeline = load_project(p.path)
    slot = clip_at(find_track(timeline, track), frame, p.where)
    available = getattr(slot.item.media_reference, "available_range", None)
    first = to_frames(available.start_time, p.where.rate, where=track) if available else 0
    start = parse_point(source_in, p.rate, first, what="--in")
    end = parse_point(source_out, p.rate, first, what="--out")
    _apply(ctx, ops.SetRange(track, frame, start, end))


@app.command("add-transition")
def add_transition(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = typer.Option(..., "--at", help="The cut (timecode or frames)."),
    frames: str = typer.Option(..., "--frames", help="Length: frames or a timecode duration."),
    wipe: str | None = typer.Option(
        None,
        "--wipe",
        help="Instead of a dissolve: a wipe (horizontal, vertical, diagonal, barn-door, box, "
        "iris, clock), push-/slide-left|right|up|down, or dip (to --colour).",
    ),
    colour: str = typer.Option("black", "--colour", help="A dip's colour: a name or #RRGGBB."),
    align: str = typer.Option(
        "centre",
        "--align",
        help="centre (on the cut), start (at the cut) or end (at the cut: a fade up that is "
        "at full picture on the cut).",
    ),
    softness: float = typer.Option(0.0, "--softness", help="A wipe's soft edge, 0 to 1."),
    border: int = typer.Option(0, "--border", help="A wipe's white border, in pixels."),
) -> None:
    """A dissolve (or wipe, push, slide, dip) on a cut; next to a gap, or at the end, a fade."""
    p: _Project = ctx.obj
    operation = ops.AddTransition(
        track, p.at(at), _by(p, frames), wipe, colour, align, softness, border
    )
    _apply(ctx, operation)


@app.command("remove-transition")
def remove_transition(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = typer.Option(..., "--at", help="The cut."),
) -> None:
    """Make the transition on a cut a plain cut again."""
    _apply(ctx, ops.RemoveTransition(track, ctx.obj.at(at)))


@app.command("picture")
def picture(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    layout: str | None = typer.Option(
        None,
        "--layout",
        help="Start from a layout: full, left, right, top, bottom, quad-1..quad-4 or pip "
        "(default: keep the clip's placement and change only the options given).",
    ),
    scale: float | None = typer.Option(None, "--scale", help="1 is the frame's size."),
    x: float | None = typer.Option(None, "--x", help="Move right by this fraction of the frame."),
    y: float | None = typer.Option(None, "--y", help="Move down by this fraction of the frame."),
    crop: str | None = typer.Option(
        None, "--crop", help="LEFT,RIGHT,TOP,BOTTOM fractions of the picture to cut away."
    ),
    opacity: float | None = typer.Option(None, "--opacity", help="0 (clear) to 1 (solid)."),
    blend_frames: bool = typer.Option(
        False,
        "--blend-frames",
        help="Slow motion and frame-rate conversion: mix the two nearest source frames.",
    ),
    fit: str | None = typer.Option(
        None,
        "--fit",
        help="A source of another shape: fit (letterbox/pillarbox), fill (crop) or stretch.",
    ),
) -> None:
    """Place a clip's picture: split screens, quads, picture-in-picture, opacity."""
    p: _Project = ctx.obj
    values: list[tuple[str, float | str]] = [
        (name, value)
        for name, value in (("scale", scale), ("x", x), ("y", y), ("opacity", opacity))
        if value is not None
    ]
    if crop is not None:
        sides = crop.split(",")
        try:
            numbers = [float(side) for side in sides]
        except ValueError:
            numbers = []
        if len(numbers) != 4:
            raise EditError(
                f"--crop {crop!r} is not four numbers",
                fix="give LEFT,RIGHT,TOP,BOTTOM, e.g. 0.25,0.25,0,0",
            )
        names = ("crop_left", "crop_right", "crop_top", "crop_bottom")
        values += list(zip(names, numbers, strict=True))
    if blend_frames:
        values.append(("blend_frames", 1.0))
    if fit is not None:
        values.append(("fit", fit))
    _apply(ctx, ops.SetPicture(track, p.at(at), layout, tuple(values)))


@app.command("title")
def title(
    ctx: typer.Context,
    text: str = typer.Argument(..., help='The words; "\\n" starts a new line.'),
    track: str = typer.Option("V2", "--track", "-t", help="The video track (made if missing)."),
    at: str = AT,
    frames: str = typer.Option(..., "--frames", help="Length: frames or a timecode duration."),
    style: str = typer.Option(
        "lower-third",
        "--style",
        help="lower-third or centre (keyed over the picture below), or card (full frame).",
    ),
) -> None:
    """A title: a lower third or centred words over the picture, or a full-frame card."""
    p: _Project = ctx.obj
    words = text.replace("\\n", "\n")
    _apply(ctx, ops.AddTitle(track, p.at(at), _by(p, frames), words, style))


@app.command("add-marker")
def add_marker(
    ctx: typer.Context,
    at: str = AT,
    name: str = typer.Option(..., "--name", help="What the marker says."),
    colour: str = typer.Option("RED", "--colour", help="RED, GREEN, BLUE, YELLOW, ..."),
    note: str = typer.Option("", "--note", help="A note (a spotting note)."),
    duration: str = typer.Option("0", "--duration", help="Frames it covers."),
) -> None:
    """Mark a time on the programme, with a colour and a note."""
    p: _Project = ctx.obj
    _apply(ctx, ops.AddMarker(p.at(at), name, colour, note, _by(p, duration)))


@app.command("remove-marker")
def remove_marker(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="The marker's name."),
    at: str | None = typer.Option(None, "--at", help="Only the one at this time."),
) -> None:
    """Take markers away."""
    p: _Project = ctx.obj
    _apply(ctx, ops.RemoveMarker(name, None if at is None else p.at(at)))


@app.command("markers")
def markers(ctx: typer.Context) -> None:
    """List the programme's markers: time, name, colour, note."""
    p: _Project = ctx.obj
    timeline = load_project(p.path)
    table = Table(title=f"markers of {p.path.name}", title_justify="left")
    for column in ("timecode", "name", "colour", "note"):
        table.add_column(column)
    for marker in sorted(
        timeline.tracks.markers, key=lambda m: m.marked_range.start_time.to_seconds()
    ):
        frame = to_frames(marker.marked_range.start_time, p.where.rate, where=marker.name)
        table.add_row(p.where.tc(frame), marker.name, marker.color, marker.comment)
    Console().print(table)


@app.command("close-gaps")
def close_gaps(
    ctx: typer.Context,
    tracks: list[str] = typer.Option(
        [], "--track", "-t", help="Tracks (default: all but the locked ones)."
    ),
) -> None:
    """Take the gaps out so clips play one after another (fades from and to black stay)."""
    _apply(ctx, ops.CloseGaps(tuple(tracks)))


@app.command("speed")
def speed(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    percent: float = typer.Option(
        ..., "--percent", help="100 as recorded, 50 half speed, 200 double, -100 backwards."
    ),
    stretch: bool = typer.Option(
        False, "--stretch", help="Keep the sound's pitch (time-stretch) instead of varispeed."
    ),
    ripple: bool = typer.Option(
        True, "--ripple/--no-ripple", help="Move later clips (default), or need room after it."
    ),
    unlinked: bool = UNLINKED,
) -> None:
    """Play the clip at a time faster or slower (its length follows), its sound with it."""
    p: _Project = ctx.obj
    mode: Literal["varispeed", "stretch"] = "stretch" if stretch else "varispeed"
    _apply(ctx, ops.Speed(track, p.at(at), percent, mode, ripple, linked=not unlinked))


@app.command("freeze")
def freeze(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    frames: str = typer.Option(..., "--frames", help="How long: frames or a timecode duration."),
    unlinked: bool = UNLINKED,
) -> None:
    """Hold the frame at a time (a freeze frame goes in there, later clips move); its linked
    sound tracks get silence of the same length."""
    p: _Project = ctx.obj
    _apply(ctx, ops.Freeze(track, p.at(at), _by(p, frames), linked=not unlinked))


@app.command("reverse")
def reverse(
    ctx: typer.Context, track: str = TRACK, at: str = AT, unlinked: bool = UNLINKED
) -> None:
    """Play the clip at a time backwards (again: forwards again)."""
    _apply(ctx, ops.Reverse(track, ctx.obj.at(at), linked=not unlinked))


@app.command("conform-to-beats")
def conform_to_beats(
    ctx: typer.Context,
    track: str = TRACK,
    music: Path | None = typer.Option(
        None, "--music", help="Analyse this music (default: the project's beat markers)."
    ),
    tolerance: int = typer.Option(3, "--tolerance-frames", help="How far a cut may move."),
    every: int = typer.Option(1, "--every", help="Only every N-th unit is a target."),
    unit: str = typer.Option("beat", "--unit", help="beat, bar or downbeat."),
    mode: str = typer.Option("ripple", "--mode", help="ripple (later clips move) or roll."),
    bpm: str | None = typer.Option(None, "--bpm", help="Tempo range LO-HI for --music."),
    unlinked: bool = UNLINKED,
) -> None:
    """Move each cut near a beat onto the frame nearest that beat (ripple or roll)."""
    from postprod.operations.rhythm import ConformToBeats
    from postprod.workflows import beats as rhythm_flow

    p: _Project = ctx.obj
    timeline = load_project(p.path)
    where = Where.of(timeline, p.path.parent)
    if music is not None:
        rhythm = rhythm_flow.analyse_file(music, bpm_range=rhythm_flow.parse_bpm_range(bpm))
        offset = rhythm_flow.music_offset(timeline, music, where)
        times = rhythm_flow.chosen(rhythm, every, unit)
        targets = rhythm_flow.to_record_frames(times, where.rate, offset=offset)
    else:
        marked = rhythm_flow.marked_beats(timeline, where)
        pool = marked.beats if unit == "beat" else marked.downbeats
        if unit not in rhythm_flow.UNITS or every < 1:
            raise EditError(f"--every {every} --unit {unit}", fix="every >= 1; beat, bar, downbeat")
        targets = pool[::every]
        if not targets:
            raise EditError(
                "the project has no beat markers",
                fix="run postprod beats MUSIC --markers PROJECT first, or give --music",
            )
    if mode not in ("ripple", "roll"):
        raise EditError(f"--mode {mode}", fix="use ripple or roll")
    chosen_mode: Literal["ripple", "roll"] = "roll" if mode == "roll" else "ripple"
    _apply(ctx, ConformToBeats(track, targets, tolerance, chosen_mode, linked=not unlinked))


@app.command("retime-to-beat")
def retime_to_beat(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    frame: int = typer.Option(
        ..., "--frame", help="The source frame (the action), from its first."
    ),
    beat: str = typer.Option(..., "--beat", help="The record time it must play at (a beat)."),
    stretch: bool = typer.Option(False, "--stretch", help="Keep the sound's pitch."),
    unlinked: bool = UNLINKED,
) -> None:
    """Change a clip's speed so that a chosen source frame plays on a chosen beat."""
    from postprod.operations.rhythm import RetimeToBeat

    p: _Project = ctx.obj
    mode: Literal["varispeed", "stretch"] = "stretch" if stretch else "varispeed"
    _apply(ctx, RetimeToBeat(track, p.at(at), frame, p.at(beat), mode, linked=not unlinked))


@app.command("link")
def link(
    ctx: typer.Context,
    tracks: list[str] = typer.Option(
        ..., "--track", "-t", help="A clip's track; give two or more."
    ),
    ats: list[str] = typer.Option(
        ..., "--at", help="A time in each clip, in the order of the tracks (one: the same for all)."
    ),
) -> None:
    """Link clips (a picture and its sound) so they move, trim and delete together."""
    p: _Project = ctx.obj
    if len(ats) == 1:
        ats = ats * len(tracks)
    if len(ats) != len(tracks):
        raise EditError(
            f"{len(tracks)} tracks and {len(ats)} times",
            fix="give one --at for all tracks, or one after each -t",
        )
    _apply(ctx, ops.Link(tuple((name, p.at(text)) for name, text in zip(tracks, ats, strict=True))))


@app.command("unlink")
def unlink(ctx: typer.Context, track: str = TRACK, at: str = AT) -> None:
    """Take the clip at a time and the clips linked to it out of their link."""
    _apply(ctx, ops.Unlink(track, ctx.obj.at(at)))


@app.command("undo")
def undo(ctx: typer.Context) -> None:
    """Undo the last edit (the journal is beside the project)."""
    project: _Project = ctx.obj
    Console().print(f"undone: {History(project.path).undo()}")
    record("edit", "undo", project=project.path, outputs=[project.path])


@app.command("redo")
def redo(ctx: typer.Context) -> None:
    """Redo the edit undone last."""
    project: _Project = ctx.obj
    Console().print(f"redone: {History(project.path).redo()}")
    record("edit", "redo", project=project.path, outputs=[project.path])


@app.command("history")
def history(ctx: typer.Context) -> None:
    """The project's edits, undos and redos, oldest first."""
    project: _Project = ctx.obj
    table = Table(title=f"history of {project.path.name}", title_justify="left")
    for column in ("when (UTC)", "event", "state", "what"):
        table.add_column(column)
    for event in History(project.path).events():
        table.add_row(event.at, event.event, str(event.state), event.description)
    Console().print(table)


def _by(project: _Project, text: str) -> int:
    return parse_offset(text, project.rate, what="--by")
