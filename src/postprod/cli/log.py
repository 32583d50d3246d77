"""``postprod log``: show, add to, export, verify and reconcile the studio log.

Where the log is: ``--log PATH|URL`` (on the group or the command), else
``POSTPROD_LOG``, else the per-user default; resolved here and passed down.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.errors import LogError
from postprod.log import Entry, LogStore, default_location, log_event
from postprod.log.entry import BroadcastItem
from postprod.log.playout import DEFAULT_TOLERANCE_S, Reconciliation, read_playout, reconcile
from postprod.log.reports import aired_on, current, export, totals
from postprod.log.times import bound, parse_day, wall_clock

EXIT_BROKEN_CHAIN = 3
EXIT_NOT_AIRED = 3  # reconcile: a scheduled programme did not air (like a failed QC check)
_LOG_KEY = "postprod.log.location"

app = typer.Typer(
    no_args_is_help=True, help="The studio log of takes, renders, deliveries and broadcasts."
)

LOG_OPTION = typer.Option(
    None,
    "--log",
    help="The log: a SQLite file or postgresql:// URL (default: POSTPROD_LOG, else per user).",
)


@app.callback()
def _group(ctx: typer.Context, log: str | None = LOG_OPTION) -> None:
    """The studio log of takes, renders, deliveries and broadcasts."""
    remember_location(ctx, log)


def remember_location(ctx: typer.Context, log: str | None) -> None:
    """A group's ``--log``, for its commands (click shares ``meta`` down the command chain)."""
    if log:
        ctx.meta[_LOG_KEY] = log


def open_store(ctx: typer.Context, log: str | None) -> LogStore:
    """The store named by the command's ``--log``, the group's, ``POSTPROD_LOG`` or the default."""
    return LogStore(default_location(log or ctx.meta.get(_LOG_KEY)))


def _select(
    store: LogStore,
    *,
    since: str | None,
    until: str | None,
    project: str | None,
    kind: str | None,
    channel: str | None,
    search: str | None = None,
) -> list[Entry]:
    return store.entries(
        since=bound(since),
        until=bound(until, until=True),
        project=project,
        kind=kind,
        channel=channel,
        text=search,
    )


def _on_day(entries: list[Entry], day: date) -> list[Entry]:
    """Broadcasts aired on ``day``, other entries logged on it (local time)."""
    start = wall_clock(day.isoformat() + "T00:00:00")
    end = start + timedelta(days=1)
    chosen = []
    for e in entries:
        if isinstance(e.details, BroadcastItem):
            keep = wall_clock(e.details.aired_at or e.at).date() == day
        else:
            keep = start <= wall_clock(e.at) < end
        if keep:
            chosen.append(e)
    return chosen


@app.command("show")
def show(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="Logged from this date/time (ISO)."),
    until: str | None = typer.Option(
        None, "--until", help="Logged up to this date (inclusive) or before this time."
    ),
    project: str | None = typer.Option(None, "--project"),
    kind: str | None = typer.Option(None, "--kind"),
    channel: str | None = typer.Option(None, "--channel"),
    search: str | None = typer.Option(None, "--search", help="Text in the notes."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as a JSON list."),
    log: str | None = LOG_OPTION,
) -> None:
    """Show log entries, filtered, with totals (hours recorded, programmes aired)."""
    with open_store(ctx, log) as store:
        entries = _select(
            store,
            since=since,
            until=until,
            project=project,
            kind=kind,
            channel=channel,
            search=search,
        )
    if as_json:
        typer.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False))
        return
    table = Table(title=f"{len(entries)} entries in {store.location}", title_justify="left")
    for column in ("id", "at (UTC)", "kind", "project", "channel", "operator", "note"):
        table.add_column(column, overflow="fold")
    for e in entries:
        note = e.note if e.corrects is None else f"{e.note} (corrects {e.corrects})"
        table.add_row(str(e.id), e.at[:19], e.kind, e.project, e.channel, e.operator, note)
    console = Console()
    console.print(table)
    total = totals(entries)
    console.print(
        f"recorded {total.hours_recorded:.2f} h; aired {total.programmes_aired} programmes, "
        f"{total.hours_aired:.2f} h"
    )


@app.command("add")
def add(
    ctx: typer.Context,
    kind: str = typer.Option(..., "--kind", help="note, session, recording, ..., correction."),
    note: str = typer.Option(..., "--note", help="What happened."),
    project: str = typer.Option("", "--project"),
    channel: str = typer.Option("", "--channel"),
    corrects: int | None = typer.Option(
        None, "--corrects", help="The id of the entry this one corrects."
    ),
    log: str | None = LOG_OPTION,
) -> None:
    """Add an entry by hand; a correction names the entry it corrects (nothing is ever changed)."""
    with open_store(ctx, log) as store:
        entry = log_event(store, kind, note, project=project, channel=channel, corrects=corrects)
    typer.echo(f"logged entry {entry.id} ({entry.kind})")


@app.command("verify")
def verify(ctx: typer.Context, log: str | None = LOG_OPTION) -> None:
    """Check the hash chain: exit status 3 naming the first entry that was altered."""
    with open_store(ctx, log) as store:
        check = store.check_chain()
    if not check.intact:
        typer.echo(
            f"error: the log's hash chain breaks at entry {check.first_broken}: {check.reason} "
            f"(history was changed outside postprod), {store.location}",
            err=True,
        )
        raise typer.Exit(EXIT_BROKEN_CHAIN)
    typer.echo(f"the log is intact: {check.entries} entries, {store.location}")


@app.command("export")
def export_command(
    ctx: typer.Context,
    fmt: str = typer.Option(
        ...,
        "--format",
        help="csv, json, html (a printable as-run log) or bxf (SMPTE ST 2021 as-run XML).",
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write."),
    since: str | None = typer.Option(None, "--since"),
    until: str | None = typer.Option(None, "--until"),
    project: str | None = typer.Option(None, "--project"),
    kind: str | None = typer.Option(None, "--kind"),
    channel: str | None = typer.Option(None, "--channel"),
    search: str | None = typer.Option(None, "--search", help="Text in the notes."),
    day: str | None = typer.Option(
        None, "--date", help="One day: broadcasts aired on it, other entries logged on it."
    ),
    log: str | None = LOG_OPTION,
) -> None:
    """Export entries as CSV, JSON or a printable as-run log (HTML, landscape) of a channel's day.

    ``--format bxf`` writes the as-run log of one channel and day as SMPTE ST
    2021 (BXF) XML for traffic systems: give --channel and --date.
    """
    as_run = fmt in ("html", "bxf")
    if fmt == "bxf" and not (channel and day):
        raise LogError(
            "a BXF as-run log is for one channel and one day",
            fix="give --channel and --date YYYY-MM-DD",
        )
    the_day = parse_day(day) if day else None
    with open_store(ctx, log) as store:
        entries = _select(
            store,
            since=since,
            until=until,
            project=project,
            kind="broadcast" if as_run else kind,
            channel=channel,
            search=search,
        )
    if as_run:
        entries = (
            aired_on(entries, the_day)
            if the_day
            else [e for e in current(entries) if isinstance(e.details, BroadcastItem)]
        )
    elif the_day:
        entries = _on_day(entries, the_day)
    export(entries, fmt, out, channel=channel or "", day=_dates_asked(day, since, until))
    typer.echo(f"wrote {out}: {len(entries)} entries")


def _dates_asked(day: str | None, since: str | None, until: str | None) -> str:
    """The dates a report covers, as asked: one day, a range, or every date."""
    if day:
        return day
    if since or until:
        return f"{since or 'the start'} to {until or 'now'}"
    return ""


@app.command("reconcile")
def reconcile_command(
    ctx: typer.Context,
    playlist: Path = typer.Argument(
        ..., help="Play-out list CSV: scheduled_at, programme, duration_s, channel."
    ),
    channel: str = typer.Option(..., "--channel"),
    day: str = typer.Option(..., "--date", help="The day (YYYY-MM-DD)."),
    tolerance: float = typer.Option(
        DEFAULT_TOLERANCE_S, "--tolerance", help="Seconds an air time may differ from the schedule."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    log: str | None = LOG_OPTION,
) -> None:
    """Compare a play-out list with what the log says aired: aired, missing, extra.

    Exit status 3 when a scheduled programme did not air (one is missing).
    """
    the_day = parse_day(day)
    scheduled = read_playout(playlist, day=the_day, channel=channel)
    with open_store(ctx, log) as store:
        logged = aired_on(store.entries(kind="broadcast", channel=channel), the_day, channel)
    result = reconcile(scheduled, logged, tolerance_s=tolerance)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print_reconciliation(result, channel, the_day)
    if result.missing:
        raise typer.Exit(EXIT_NOT_AIRED)


def _print_reconciliation(result: Reconciliation, channel: str, the_day: date) -> None:
    table = Table(
        title=f"{channel} {the_day}: aired {len(result.aired)}, missing {len(result.missing)}, "
        f"extra {len(result.extra)}",
        title_justify="left",
    )
    for column in ("scheduled", "aired", "programme", "result", "status", "entry"):
        table.add_column(column)
    rows: list[tuple[str, str, str, str, str, str]] = []
    for match in result.aired:
        data = match.to_dict()
        rows.append(
            (
                data["scheduled_at"][11:],
                str(data["aired_at"])[11:],
                match.item.programme,
                "aired",
                data["status"],
                str(match.entry.id),
            )
        )
    for item in result.missing:
        rows.append((item.scheduled_at.isoformat()[11:], "", item.programme, "MISSING", "", ""))
    for entry in result.extra:
        details = entry.details
        assert isinstance(details, BroadcastItem)
        rows.append(
            (
                "",
                (details.aired_at or "")[11:],
                details.programme,
                "extra",
                details.status,
                str(entry.id),
            )
        )
    for row in sorted(rows, key=lambda r: r[0] or r[1]):
        table.add_row(*row)
    Console().print(table)
