"""``postprod broadcast log``: record what went to air (an as-run entry) in the studio log."""

from __future__ import annotations

from datetime import date

import typer

from postprod.cli.log import LOG_OPTION, open_store, remember_location
from postprod.log import log_broadcast
from postprod.log.entry import STATUS_LABELS, parse_status
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
    aired_at: str | None = typer.Option(
        None,
        "--aired-at",
        help="When it aired: 2026-11-24T20:00:00, or HH:MM[:SS] today (not for skipped).",
    ),
    status: str = typer.Option(
        "aired", "--status", help="aired, cut (cut short), replaced or skipped."
    ),
    duration: float | None = typer.Option(
        None, "--duration", help="Seconds on air (default: the file's duration)."
    ),
    scheduled_at: str | None = typer.Option(None, "--scheduled-at", help="When it was due."),
    house_id: str | None = typer.Option(
        None, "--house-id", help="The station's number for the material (BXF house number)."
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="Why it was cut short, replaced or skipped."
    ),
    rate: str | None = typer.Option(
        None, "--rate", help="The channel's frame rate for timecodes (default 25)."
    ),
    loudness: float | None = typer.Option(None, "--loudness", help="Measured loudness, LUFS."),
    note: str = typer.Option("", "--note"),
    corrects: int | None = typer.Option(
        None, "--corrects", help="The id of the broadcast entry this one replaces."
    ),
    log: str | None = LOG_OPTION,
) -> None:
    """Log a programme that went to air."""
    stored = parse_status(status)
    today = date.today()
    with open_store(ctx, log) as store:
        entry = log_broadcast(
            store,
            channel=channel,
            programme=programme,
            aired_at=None if aired_at is None else wall_clock(aired_at, day=today),
            scheduled_at=None if scheduled_at is None else wall_clock(scheduled_at, day=today),
            status=stored,
            duration_s=duration,
            loudness_lufs=loudness,
            note=note,
            corrects=corrects,
            house_id=house_id,
            reason=reason,
            rate=rate,
        )
    details = entry.details.to_dict()
    when = details.get("aired_at") or f"due {details.get('scheduled_at')}"
    typer.echo(
        f"logged entry {entry.id}: {details['programme']} on {channel} at "
        f"{when} ({STATUS_LABELS[stored]})"
    )
