"""Entry point: builds the Typer app and turns exceptions into exit statuses."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass

import typer

from postprod import __version__
from postprod.cli import (
    adr,
    autocut,
    broadcast,
    clean,
    demo,
    edit,
    fx,
    interchange,
    log,
    loudness,
    mix,
    probe,
    qc,
    record,
    render,
    sfx,
    spot,
    sync,
    tc,
    timeline_view,
)
from postprod.errors import PostprodError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


@dataclass(slots=True)
class CliState:
    """What the top-level options set, read back when a command fails."""

    debug: bool = False


app = typer.Typer(
    name="postprod",
    help="postprod: edit picture, mix sound, synchronise, master and deliver.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(tc.app, name="tc")
app.command("probe")(probe.probe_command)
app.command("render")(render.render_command)
app.command("record")(record.record_command)
app.command("demo")(demo.demo_command)
app.command("loudness")(loudness.loudness_command)
app.command("normalize")(loudness.normalize_command)
app.command("qc")(qc.qc_command)
app.command("deliver")(qc.deliver_command)
app.add_typer(fx.app, name="fx")
app.command("mix")(mix.mix_command)
app.command("import")(interchange.import_command)
app.command("export")(interchange.export_command)
app.command("relink")(interchange.relink_command)
app.add_typer(edit.app, name="edit")
app.command("autocut")(autocut.autocut_command)
app.add_typer(log.app, name="log")
app.add_typer(broadcast.app, name="broadcast")
app.command("sync")(sync.sync_command)
app.command("sfx")(sfx.sfx_command)
app.command("spot")(spot.spot_command)
app.add_typer(adr.app, name="adr")
app.command("clean")(clean.clean_command)
app.command("inspect")(timeline_view.inspect_command)
app.add_typer(qc.presets_app, name="presets")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"postprod {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """postprod: edit picture, mix sound, synchronise, master and deliver."""
    if isinstance(ctx.obj, CliState):
        ctx.obj.debug = debug


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and, as a script, exits with) the status."""
    state = CliState(debug="--debug" in (argv if argv is not None else sys.argv[1:]))
    command = typer.main.get_command(app)
    try:
        status = command.main(args=argv, prog_name="postprod", obj=state, standalone_mode=False)
    except PostprodError as error:
        typer.echo(f"error: {error.message}", err=True)
        return _exit(EXIT_BAD_INPUT, argv)
    except typer.Exit as done:
        return _exit(done.exit_code, argv)
    except typer.Abort:
        typer.echo("interrupted", err=True)
        return _exit(EXIT_INTERRUPTED, argv)
    except typer.TyperException as error:  # usage errors: unknown command, missing option
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {error}", err=True)
        return _exit(EXIT_BAD_INPUT, argv)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return _exit(EXIT_INTERRUPTED, argv)
    except Exception as error:  # an internal failure, not the user's mistake
        if state.debug:
            traceback.print_exc()
        typer.echo(
            f"internal error: {type(error).__name__}: {error} "
            "(rerun with --debug for the traceback, and report it)",
            err=True,
        )
        return _exit(EXIT_INTERNAL, argv)
    # Without standalone mode the parser returns a command's ``typer.Exit(code)`` as its value.
    return _exit(status if isinstance(status, int) else 0, argv)


def _exit(status: int, argv: list[str] | None) -> int:
    if argv is None:  # run as the console script
        sys.exit(status)
    return status
