"""``postprod clip PROJECT ...``: the sound of the clip at a time on a track, one undoable change a
command (gain, fades with their curves, effects).

The clip is the one under ``--at`` (a programme timecode or frames from its
start) on ``--track``. Each change is an operation of
``postprod.operations.clip`` applied through :func:`postprod.cli.applying.apply`:
saved at once, one undo step (``postprod edit P undo``), logged.
"""

from __future__ import annotations

from pathlib import Path

import typer

from postprod import operations as ops
from postprod.cli import applying
from postprod.cli.mixer import PARAMS, effect_params, programme_frame

app = typer.Typer(no_args_is_help=True, help="A clip's own sound: gain, fades and effects.")
effects_app = typer.Typer(no_args_is_help=True, help="A clip's effects, numbered from 1.")
app.add_typer(effects_app, name="effects")

TRACK = typer.Option(..., "--track", "-t", help="The track (A1, ...).")
AT = typer.Option(..., "--at", help="A time in the clip: programme timecode or frames.")
FRAMES = typer.Option(..., "--frames", help="The fade's length in frames (0 takes it away).")
CURVE = typer.Option("equal-power", "--curve", help="linear, equal-power, log or s-curve.")


@app.callback()
def _group(
    ctx: typer.Context,
    project: Path = typer.Argument(..., help="The project (.otio)."),
) -> None:
    """A clip's own sound: gain, fades and effects."""
    ctx.obj = project


def _apply(ctx: typer.Context, operation: ops.Operation) -> None:
    applying.apply(ctx, ctx.obj, operation)


@app.command("gain")
def gain(
    ctx: typer.Context,
    track: str = TRACK,
    at: str = AT,
    db: float = typer.Option(..., "--db", help="The clip's gain, dB (-120..24)."),
) -> None:
    """Set the clip's gain (before the track's inserts and fader)."""
    _apply(ctx, ops.ClipGain(track, programme_frame(ctx, at), db))


@app.command("fade-in")
def fade_in(
    ctx: typer.Context, track: str = TRACK, at: str = AT, frames: int = FRAMES, curve: str = CURVE
) -> None:
    """Fade the clip in from its first frame."""
    _apply(ctx, ops.ClipFade(track, programme_frame(ctx, at), "in", frames, curve))


@app.command("fade-out")
def fade_out(
    ctx: typer.Context, track: str = TRACK, at: str = AT, frames: int = FRAMES, curve: str = CURVE
) -> None:
    """Fade the clip out to its last frame."""
    _apply(ctx, ops.ClipFade(track, programme_frame(ctx, at), "out", frames, curve))


@effects_app.command("add")
def effects_add(
    ctx: typer.Context,
    effect: str = typer.Argument(..., help="The effect (postprod fx list)."),
    params: list[str] | None = PARAMS,
    track: str = TRACK,
    at: str = AT,
    position: int | None = typer.Option(
        None, "--position", help="Its place in the chain, from 1 (default: last)."
    ),
) -> None:
    """Put an effect on the clip (before the track's inserts)."""
    _apply(
        ctx,
        ops.AddClipEffect(track, programme_frame(ctx, at), effect, effect_params(params), position),
    )


@effects_app.command("remove")
def effects_remove(
    ctx: typer.Context,
    number: int = typer.Argument(..., help="The effect, counting from 1."),
    track: str = TRACK,
    at: str = AT,
) -> None:
    """Take one effect off the clip."""
    _apply(ctx, ops.RemoveClipEffect(track, programme_frame(ctx, at), number))


@effects_app.command("clear")
def effects_clear(ctx: typer.Context, track: str = TRACK, at: str = AT) -> None:
    """Take every effect off the clip."""
    _apply(ctx, ops.ClearClipEffects(track, programme_frame(ctx, at)))
