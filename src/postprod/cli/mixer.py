"""``postprod mixer PROJECT ...``: the console in the project, one undoable change a command.

Every change is an operation of ``postprod.operations.mixer`` applied through
:func:`postprod.cli.applying.apply`: saved at once, one undo step
(``postprod edit P undo``), logged, and usable in ``edit P --script``. A strip
is named with ``--track NAME``, ``--bus NAME`` or ``--master``; insert numbers
count from 1. Times (``--at``) are programme timecodes or frames from its start.
Automation names what it moves as ``mixer P show`` does: ``gain_db``, ``pan``,
``send.BUS.level_db``, ``insert.N.PARAM``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from postprod import operations as ops
from postprod.cli import applying
from postprod.effects.registry import ParamValue
from postprod.errors import EditError
from postprod.operations.mixer import MASTER

app = typer.Typer(
    no_args_is_help=True,
    help="The mixing console: faders, pan, mute and solo, inserts, sends, buses, automation.",
)
insert_app = typer.Typer(no_args_is_help=True, help="A strip's insert effects, numbered from 1.")
send_app = typer.Typer(no_args_is_help=True, help="A track's sends to buses.")
bus_app = typer.Typer(no_args_is_help=True, help="The console's buses.")
automation_app = typer.Typer(
    no_args_is_help=True,
    help="Automation of a strip's fader and pan, its sends' levels and its inserts' parameters.",
)
app.add_typer(insert_app, name="insert")
app.add_typer(send_app, name="send")
app.add_typer(bus_app, name="bus")
app.add_typer(automation_app, name="automation")

TRACK = typer.Option(..., "--track", "-t", help="The audio track (A1, ...).")
STRIP_TRACK = typer.Option(None, "--track", "-t", help="An audio track's strip.")
STRIP_BUS = typer.Option(None, "--bus", help="A bus's strip.")
STRIP_MASTER = typer.Option(False, "--master", help="The master's strip.")
PARAMS = typer.Argument(None, help="Parameters as NAME=VALUE (postprod fx list).")
NUMBER = typer.Argument(..., help="The insert, counting from 1.")
LEVEL = typer.Option(..., "--level-db", help="The send's level, dB.")
AUTOMATED = typer.Argument(
    ...,
    metavar="PARAM",
    help="gain_db, pan (tracks), send.BUS.level_db (tracks), insert.N.PARAM (N from 1).",
)
#: Negative numbers are values here, not options (``automation add ... -6``).
NEGATIVES = {"ignore_unknown_options": True}


@app.callback()
def _group(
    ctx: typer.Context,
    project: Path = typer.Argument(..., help="The project (.otio)."),
) -> None:
    """The mixing console: faders, pan, mute and solo, inserts, sends, buses, automation."""
    ctx.obj = project


def _apply(ctx: typer.Context, operation: ops.Operation) -> None:
    applying.apply(ctx, ctx.obj, operation)


def _strip(track: str | None, bus: str | None, master: bool) -> tuple[str, bool]:
    """The strip named by --track, --bus or --master: (name, is a bus)."""
    given = [name for name, value in (("--track", track), ("--bus", bus)) if value is not None]
    if master:
        given.append("--master")
    if len(given) != 1:
        raise EditError(
            "name one strip" if not given else f"{' and '.join(given)} name two strips",
            fix="give one of --track NAME, --bus NAME or --master",
        )
    if master:
        return MASTER, False
    return (bus, True) if bus is not None else (str(track), False)


def effect_params(items: list[str] | None) -> tuple[tuple[str, ParamValue], ...]:
    """``NAME=VALUE`` words as parameters: numbers as numbers, anything else as text (a path)."""
    found: list[tuple[str, ParamValue]] = []
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise EditError(f"parameter {item!r} is not NAME=VALUE", fix="e.g. gain_db=-6")
        try:
            value: ParamValue = float(text)
        except ValueError:
            value = text
        found.append((key.strip(), value))
    return tuple(found)


def programme_frame(ctx: typer.Context, text: str) -> int:
    """A programme time (timecode or frames from its start) as frames from its start."""
    from postprod.project import load_project
    from postprod.timecode import FrameRate
    from postprod.timecode.points import parse_point
    from postprod.timeline.slots import Where

    where = Where.of(load_project(ctx.obj))
    return parse_point(text, FrameRate.parse(where.rate), where.start_frame, what="--at")


@app.command("show")
def show(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Show every strip: fader, pan, mute, solo, polarity, inserts, sends, output, automation."""
    from postprod.project import load_project
    from postprod.timeline.console_view import console_view

    view = console_view(load_project(ctx.obj), ctx.obj.parent)
    if as_json:
        typer.echo(json.dumps(view, indent=2))
    else:
        print_console(view, ctx.obj.name)


@app.command("set")
def set_strip(
    ctx: typer.Context,
    track: str | None = STRIP_TRACK,
    master: bool = STRIP_MASTER,
    bus: str | None = STRIP_BUS,
    gain_db: float | None = typer.Option(None, "--gain-db", help="The fader, dB (-120..24)."),
    pan: float | None = typer.Option(None, "--pan", help="-1 left, 0 centre, 1 right."),
    mute: bool | None = typer.Option(None, "--mute/--unmute", help="Mute or unmute."),
    solo: bool | None = typer.Option(None, "--solo/--unsolo", help="Solo or unsolo."),
    polarity: bool | None = typer.Option(
        None, "--polarity/--no-polarity", help="Invert the polarity, or not."
    ),
    output: str | None = typer.Option(None, "--output", help="Route the track to a bus."),
    pan_rear: float | None = typer.Option(
        None, "--pan-rear", help="5.1 only: 0 the front .. 1 the surrounds."
    ),
) -> None:
    """Set a strip's fader, pan, mute, solo, polarity, output or rear pan; what is not given
    stays."""
    name, is_bus = _strip(track, bus, master)
    if is_bus:
        if any(v is not None for v in (pan, mute, solo, polarity, pan_rear)):
            raise EditError(
                "a bus has a fader, an output and inserts only",
                where=f"bus {name}",
                fix="give --gain-db or --output",
            )
        _apply(ctx, ops.SetBus(name, gain_db=gain_db, output=output))
        return
    _apply(ctx, ops.SetStrip(name, gain_db, pan, mute, solo, polarity, output, pan_rear))


@insert_app.command("add")
def insert_add(
    ctx: typer.Context,
    effect: str = typer.Argument(..., help="The effect (postprod fx list)."),
    params: list[str] | None = PARAMS,
    track: str | None = STRIP_TRACK,
    bus: str | None = STRIP_BUS,
    master: bool = STRIP_MASTER,
    position: int | None = typer.Option(
        None, "--position", help="Its place in the chain, from 1 (default: last)."
    ),
) -> None:
    """Add an insert effect to a strip's chain."""
    name, is_bus = _strip(track, bus, master)
    _apply(ctx, ops.AddInsert(name, effect, effect_params(params), position, is_bus))


@insert_app.command("remove")
def insert_remove(
    ctx: typer.Context,
    number: int = NUMBER,
    track: str | None = STRIP_TRACK,
    bus: str | None = STRIP_BUS,
    master: bool = STRIP_MASTER,
) -> None:
    """Take an insert out of a strip's chain."""
    name, is_bus = _strip(track, bus, master)
    _apply(ctx, ops.RemoveInsert(name, number, is_bus))


@insert_app.command("move")
def insert_move(
    ctx: typer.Context,
    number: int = NUMBER,
    to: int = typer.Option(..., "--to", help="Its new place, from 1."),
    track: str | None = STRIP_TRACK,
    bus: str | None = STRIP_BUS,
    master: bool = STRIP_MASTER,
) -> None:
    """Move an insert to another place in the chain."""
    name, is_bus = _strip(track, bus, master)
    _apply(ctx, ops.MoveInsert(name, number, to, is_bus))


@insert_app.command("set")
def insert_set(
    ctx: typer.Context,
    number: int = NUMBER,
    params: list[str] | None = PARAMS,
    track: str | None = STRIP_TRACK,
    bus: str | None = STRIP_BUS,
    master: bool = STRIP_MASTER,
) -> None:
    """Change an insert's parameters; the others keep their values."""
    name, is_bus = _strip(track, bus, master)
    if not params:
        raise EditError("no parameter to set", fix="give NAME=VALUE, e.g. gain_db=-3")
    _apply(ctx, ops.SetInsert(name, number, effect_params(params), is_bus))


@send_app.command("add")
def send_add(
    ctx: typer.Context,
    track: str = TRACK,
    bus: str = typer.Option(..., "--bus", help="The bus it goes to."),
    level_db: float = LEVEL,
    pre: bool = typer.Option(False, "--pre", help="Before the fader (a foldback mix)."),
) -> None:
    """Send a track to a bus, after its fader (or before it with --pre)."""
    _apply(ctx, ops.AddSend(track, bus, level_db, pre))


@send_app.command("set")
def send_set(
    ctx: typer.Context,
    track: str = TRACK,
    bus: str = typer.Option(..., "--bus", help="The bus the send goes to."),
    level_db: float | None = typer.Option(None, "--level-db", help="The send's level, dB."),
    pre: bool | None = typer.Option(None, "--pre/--post", help="Before or after the fader."),
) -> None:
    """Change a send's level, or whether it is before or after the fader."""
    _apply(ctx, ops.SetSend(track, bus, level_db, pre))


@send_app.command("remove")
def send_remove(
    ctx: typer.Context,
    track: str = TRACK,
    bus: str = typer.Option(..., "--bus", help="The bus the send goes to."),
) -> None:
    """Stop sending a track to a bus."""
    _apply(ctx, ops.RemoveSend(track, bus))


@bus_app.command("add")
def bus_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The bus's name (dialogue, music, reverb, ...)."),
    gain_db: float = typer.Option(0.0, "--gain-db", help="Its fader, dB."),
    to: str = typer.Option(MASTER, "--to", help="Where it goes: master or another bus."),
) -> None:
    """Add a bus."""
    _apply(ctx, ops.AddBus(name, gain_db, to))


@bus_app.command("route")
def bus_route(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The bus."),
    to: str = typer.Option(..., "--to", help="master or another bus."),
) -> None:
    """Send a bus's output to the master or to another bus."""
    _apply(ctx, ops.RouteBus(name, to))


@bus_app.command("set")
def bus_set(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The bus."),
    gain_db: float | None = typer.Option(None, "--gain-db", help="Its fader, dB."),
    duck_under: str | None = typer.Option(
        None, "--duck-under", help="Duck under this bus (a key: dialogue); '' stops it."
    ),
    duck_depth_db: float | None = typer.Option(None, "--duck-depth-db", help="How far, dB."),
    duck_threshold_db: float | None = typer.Option(
        None, "--duck-threshold-db", help="The key's level it reacts to, dB (-120..0)."
    ),
    duck_attack_ms: float | None = typer.Option(
        None, "--duck-attack-ms", help="How fast it goes down, ms (0.1..1000)."
    ),
    duck_release_ms: float | None = typer.Option(
        None, "--duck-release-ms", help="How fast it comes back, ms (1..10000)."
    ),
) -> None:
    """Change a bus's fader or its ducking under another bus (depth, threshold, times)."""
    _apply(
        ctx,
        ops.SetBus(
            name,
            gain_db,
            None,
            duck_under,
            duck_depth_db,
            duck_threshold_db,
            duck_attack_ms,
            duck_release_ms,
        ),
    )


@bus_app.command("remove")
def bus_remove(ctx: typer.Context, name: str = typer.Argument(..., help="The bus.")) -> None:
    """Take a bus away (refused while a track, send or bus uses it)."""
    _apply(ctx, ops.RemoveBus(name))


@automation_app.command("add", context_settings=NEGATIVES)
def automation_add(
    ctx: typer.Context,
    param: str = AUTOMATED,
    value_text: str | None = typer.Argument(
        None,
        metavar="VALUE",
        help="The value there, in its unit (dB for gain_db and a send's level, -1..1 for pan, "
        "an insert parameter's as postprod fx list shows it).",
    ),
    track: str | None = STRIP_TRACK,
    bus: str | None = STRIP_BUS,
    master: bool = STRIP_MASTER,
    at: str = typer.Option(..., "--at", help="Programme timecode or frames from its start."),
    value: float | None = typer.Option(None, "--value", help="The value (instead of VALUE)."),
    curve: str = typer.Option(
        "linear", "--curve", help="To the next point: linear, hold, s-curve or exponential."
    ),
) -> None:
    """Add a breakpoint to a strip's automation (its fader, pan, a send's level, an insert's
    parameter)."""
    name, is_bus = _strip(track, bus, master)
    frame = programme_frame(ctx, at)
    _apply(ctx, ops.AddAutomation(name, param, frame, _value(value_text, value), curve, is_bus))


def _value(text: str | None, value: float | None) -> float:
    if (text is None) == (value is None):
        raise EditError(
            "give the value once", fix="as VALUE after --at TC, or as --value (e.g. --value -6)"
        )
    if value is not None:
        return value
    try:
        return float(str(text))
    except ValueError:
        raise EditError(f"value {text!r} is not a number", fix="e.g. -6 or 0.5") from None


@automation_app.command("clear")
def automation_clear(
    ctx: typer.Context,
    param: str = AUTOMATED,
    track: str | None = STRIP_TRACK,
    bus: str | None = STRIP_BUS,
    master: bool = STRIP_MASTER,
    at: str | None = typer.Option(None, "--at", help="Only the point at this time."),
) -> None:
    """Take away a strip's automation of one setting (or one point of it)."""
    name, is_bus = _strip(track, bus, master)
    frame = None if at is None else programme_frame(ctx, at)
    _apply(ctx, ops.ClearAutomation(name, param, frame, is_bus))


def print_console(view: dict[str, Any], title: str) -> None:
    """The console as a table, units in the headings."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"console of {title}", title_justify="left")
    for column in ("strip", "gain dB", "pan", "mute", "solo", "ø", "inserts", "sends", "to"):
        table.add_column(column)
    rows = [
        *((f"track {s['name']}", s) for s in view["tracks"]),
        *((f"bus {s['name']}", s) for s in view["buses"]),
        (MASTER, view["master"]),
    ]
    for label, strip in rows:
        inserts = " > ".join(_effect_text(item) for item in strip["inserts"])
        sends = ", ".join(
            f"{s['bus']} {s['level_db']:+.1f} dB{' pre' if s['pre_fader'] else ''}"
            for s in strip["sends"]
        )
        automated = ", ".join(f"{name} automated" for name in strip["automation"])
        table.add_row(
            label,
            f"{strip['gain_db']:+.1f}" + (f" ({automated})" if automated else ""),
            _pan(strip["pan"]) + (f" rear {strip['pan_rear']:.2f}" if strip["pan_rear"] else ""),
            "M" if strip["mute"] else "",
            "S" if strip["solo"] else "",
            "ø" if strip["polarity"] else "",
            inserts,
            sends,
            strip["output"] or "",
        )
    Console().print(table)


def _effect_text(item: dict[str, Any]) -> str:
    values = ", ".join(
        f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in item["params"].items()
    )
    return f"{item['effect']}({values})"


def _pan(pan: float) -> str:
    if pan == 0:
        return "C"
    return f"{'L' if pan < 0 else 'R'}{abs(pan) * 100:.0f}"
