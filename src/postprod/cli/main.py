"""Entry point: the command group, loading each command's module only when it runs,
and the error contract (exit statuses, one ``error:`` line)."""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import typer

from postprod import __version__
from postprod.cli.commands import COMMANDS
from postprod.cli.messages import one_line, system_error_line
from postprod.cli.outputs import guard_outputs
from postprod.cli.stopping import EXIT_TERMINATED, Terminated
from postprod.errors import PostprodError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


class _Stopped(Exception):
    """A Ctrl-C or SIGTERM inside a command, carried past the parser (which would print a
    blank line and turn SIGTERM into a plain abort)."""

    def __init__(self, stop: KeyboardInterrupt) -> None:
        super().__init__("interrupted")
        self.stop = stop


class LazyGroup(typer.core.TyperGroup):
    """The top-level group: lists every command from :data:`COMMANDS`, imports one when asked."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:  # the command's own clean-up has run by now
            raise _Stopped(stop) from None

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        target = getattr(importlib.import_module(entry.module), entry.attribute)
        holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=cmd_name)  # a group stays a group with one command
            group = typer.main.get_command(holder).get_command(ctx, cmd_name)  # type: ignore[attr-defined]
            return guard_outputs(group, cmd_name, no_clobber=_no_clobber(ctx))
        holder.command(cmd_name)(target)
        return guard_outputs(typer.main.get_command(holder), cmd_name, no_clobber=_no_clobber(ctx))

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        """The command list from the registry's lines: no command module is imported for it."""
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    name="postprod",
    help="postprod: edit picture, mix sound, synchronise, master and deliver.\n\n"
    "Channels are counted from 1 everywhere; times are timecodes or frames.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["--help", "-h"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"postprod {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
    no_clobber: bool = typer.Option(
        False, "--no-clobber", help="Refuse to replace any existing output file or folder."
    ),
) -> None:
    """postprod: edit picture, mix sound, synchronise, master and deliver."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns (and, as a script, exits with) the status."""
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        status: Any = command.main(args=args, prog_name="postprod", standalone_mode=False)
    except PostprodError as error:
        typer.echo(f"error: {one_line(error.message)}", err=True)
        return _exit(EXIT_BAD_INPUT, argv)
    except (OSError, UnicodeDecodeError, RecursionError, MemoryError) as error:
        # the system's refusal (read-only or full disk, a folder where a file goes, a
        # binary file where text goes, a structure nested past any sense): the user's
        # to fix, so one line, not an internal error
        if debug:
            traceback.print_exc()
        typer.echo(f"error: {one_line(system_error_line(error))}", err=True)
        return _exit(EXIT_BAD_INPUT, argv)
    except typer.Exit as done:
        return _exit(done.exit_code, argv)
    except typer.Abort as abort:
        if isinstance(abort.__cause__, Terminated):
            typer.echo("interrupted", err=True)
            return _exit(EXIT_TERMINATED, argv)
        typer.echo("interrupted", err=True)
        return _exit(EXIT_INTERRUPTED, argv)
    except typer.TyperException as error:  # usage: unknown command or option, missing argument
        typer.echo(f"error: {_usage_line(error)}", err=True)
        return _exit(EXIT_BAD_INPUT, argv)
    except (KeyboardInterrupt, _Stopped) as stopped:  # Ctrl-C, or SIGTERM (cli.stopping)
        stop = stopped.stop if isinstance(stopped, _Stopped) else stopped
        typer.echo("interrupted", err=True)
        return _exit(EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED, argv)
    except Exception as error:  # an internal failure, not the user's mistake
        if debug:
            traceback.print_exc()
        typer.echo(
            f"internal error: {type(error).__name__}: {one_line(str(error))} "
            "(rerun with --debug for the traceback, and report it)",
            err=True,
        )
        return _exit(EXIT_INTERNAL, argv)
    # Without standalone mode the parser returns a command's ``typer.Exit(code)`` as its value.
    return _exit(status if isinstance(status, int) else 0, argv)


def _no_clobber(ctx: typer.Context) -> bool:
    """``postprod --no-clobber``: parsed before the command is looked up."""
    return bool(ctx is not None and (ctx.params or {}).get("no_clobber"))


def _usage_line(error: typer.TyperException) -> str:
    """``<what>, in '<command>', <what to do>`` on one line."""
    what = " ".join(error.format_message().split()).rstrip(".")
    ctx = getattr(error, "ctx", None)
    path = ctx.command_path if ctx is not None else "postprod"
    return f"{what}, in '{path}', see '{path} --help'"


def _exit(status: int, argv: list[str] | None) -> int:
    if argv is None:  # run as the console script
        sys.exit(status)
    return status
