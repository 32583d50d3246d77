"""``postprod broadcast log``: record what went to air (an as-run entry) in the studio log."""

from __future__ import annotations

from datetime import date

import typer

from postprod.cli.log import LOG_OPTION, open_store, remember_location
from postprod.errors import LogError
from postprod.log import log_broadcast
from postprod.log.entry import STATUSES
from postprod.log.times import wall_clock

app = typer.Typer(no_args_is_help=True, help="Log what went to air.")


@app.callback()
def _group(ctx: typer.Context, log: str | None = LOG_OPTION) -> None:
    """Log what went to air."""
    remember_location(ctx, log)


@app.command("log")
def broadcast_log(
    ctx: typer.Context,
    channel: str = typer.Option(..., "--channel", help="The channel it went out on."),
    programme: str = typer.Option(
        ..., "--programme", help="The file that went to air (checksummed and timed), or a name."
    ),
    aired_at: str = typer.Option(
        ..., "--aired-at", help="When it aired: 2026-11-24T20:00:00, or HH:MM[:SS] today."
    ),
    status: str = typer.Option("aired", "--status", help="aired, cut (cut short) or replaced."),
    duration: float | None = typer.Option(
        None, "--duration", help="Seconds on air (default: the file's duration)."
    ),
    scheduled_at: str | None = typer.Option(None, "--scheduled-at", help="When it was due."),
    loudness: float | None = typer.Option(None, "--loudness", help="Measured loudness, LUFS."),
    note: str = typer.Option("", "--note"),
    corrects: int | None = typer.Option(
        None, "--corrects", help="The id of the broadcast entry this one replaces."
    ),
    log: str | None = LOG_OPTION,
) -> None:
    """Log a programme that went to air."""
    if status not in STATUSES:
        raise LogError(
            f"status {status!r} is not one of {', '.join(STATUSES)}",
            fix="use aired, cut or replaced",
        )
    today = date.today()
    with open_store(ctx, log) as store:
        entry = log_broadcast(
            store,
            channel=channel,
            programme=programme,
            aired_at=wall_clock(aired_at, day=today),
            scheduled_at=None if scheduled_at is None else wall_clock(scheduled_at, day=today),
            status=status,  # type: ignore[arg-type]
            duration_s=duration,
            loudness_lufs=loudness,
            note=note,
            corrects=corrects,
        )
    details = entry.details.to_dict()
    typer.echo(
        f"logged entry {entry.id}: {details['programme']} on {channel} at "
        f"{details['aired_at']} ({status})"
    )
