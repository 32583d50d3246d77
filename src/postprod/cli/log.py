"""``postprod log`` and ``postprod broadcast``: the studio's log of work and of what went to air."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.errors import LogError
from postprod.log import LogStore, default_location, file_sha256
from postprod.log.reports import export, reconcile
from postprod.media.probe import probe

EXIT_BROKEN_CHAIN = 3

app = typer.Typer(
    no_args_is_help=True, help="The log of sessions, renders, deliveries and broadcasts."
)
broadcast_app = typer.Typer(no_args_is_help=True, help="Log what went to air.")

LOG_OPTION = typer.Option(
    None, "--log", help="The log database (default: POSTPROD_LOG or ~/.local/share)."
)


def _store(path: Path | None) -> LogStore:
    return LogStore(path or default_location())


@app.command("show")
def show(
    since: str | None = typer.Option(None, "--since", help="From this date/time (ISO)."),
    until: str | None = typer.Option(None, "--until", help="Before this date/time (ISO)."),
    project: str | None = typer.Option(None, "--project"),
    kind: str | None = typer.Option(None, "--kind"),
    channel: str | None = typer.Option(None, "--channel"),
    search: str | None = typer.Option(None, "--search", help="Text in the notes."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    log: Path | None = LOG_OPTION,
) -> None:
    """Show log entries, filtered, with totals."""
    with _store(log) as store:
        entries = store.entries(
            since=since, until=until, project=project, kind=kind, channel=channel, text=search
        )
        totals = store.totals(entries)
    if as_json:
        typer.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False))
        return
    table = Table(title=f"{len(entries)} entries", title_justify="left")
    for column in ("id", "at (UTC)", "kind", "project", "channel", "operator", "note"):
        table.add_column(column)
    for e in entries:
        table.add_row(str(e.id), e.at[:19], e.kind, e.project, e.channel, e.operator, e.note)
    console = Console()
    console.print(table)
    console.print(
        f"recorded {totals['hours_recorded']:.2f} h; aired {totals['programmes_aired']:.0f} "
        f"programmes, {totals['hours_aired']:.2f} h"
    )


@app.command("add")
def add(
    kind: str = typer.Option("note", "--kind", help="note, recording, render, ... or correction."),
    note: str = typer.Option(..., "--note", help="What happened."),
    project: str = typer.Option("", "--project"),
    channel: str = typer.Option("", "--channel"),
    corrects: int | None = typer.Option(
        None, "--corrects", help="The id of the entry this corrects."
    ),
    log: Path | None = LOG_OPTION,
) -> None:
    """Add an entry by hand (a correction names the entry it corrects)."""
    with _store(log) as store:
        entry = store.append(
            "correction" if corrects is not None and kind == "note" else kind,
            note=note,
            project=project,
            channel=channel,
            corrects=corrects,
        )
    typer.echo(f"logged entry {entry.id}")


@app.command("verify")
def verify(log: Path | None = LOG_OPTION) -> None:
    """Check the hash chain; exit status 3 and the first broken entry if history was altered."""
    with _store(log) as store:
        broken = store.verify()
        count = len(store.entries())
    if broken is not None:
        typer.echo(
            f"error: entry {broken} does not match its hash: the log was altered from there",
            err=True,
        )
        raise typer.Exit(EXIT_BROKEN_CHAIN)
    typer.echo(f"the log is intact: {count} entries")


@app.command("export")
def export_command(
    fmt: str = typer.Option(..., "--format", help="csv, json or html (the as-run log)."),
    out: Path = typer.Option(..., "--out", "-o"),
    since: str | None = typer.Option(None, "--since"),
    until: str | None = typer.Option(None, "--until"),
    project: str | None = typer.Option(None, "--project"),
    kind: str | None = typer.Option(None, "--kind"),
    channel: str | None = typer.Option(None, "--channel"),
    log: Path | None = LOG_OPTION,
) -> None:
    """Export entries as CSV, JSON or a printable as-run log (HTML)."""
    with _store(log) as store:
        entries = store.entries(
            since=since, until=until, project=project, kind=kind, channel=channel
        )
    export(entries, fmt, out, channel=channel or "", day=since or "")
    typer.echo(f"wrote {out}: {len(entries)} entries")


@app.command("reconcile")
def reconcile_command(
    playlist: Path = typer.Argument(..., help="CSV: scheduled_at, programme, duration_s, channel."),
    channel: str = typer.Option(..., "--channel"),
    date: str = typer.Option(..., "--date", help="The day (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json"),
    log: Path | None = LOG_OPTION,
) -> None:
    """Compare a play-out list with what was logged as aired: aired, missing, extra."""
    try:
        day = datetime.fromisoformat(date).date()
    except ValueError:
        raise LogError(f"{date!r} is not a date", fix="write YYYY-MM-DD") from None
    with _store(log) as store:
        aired_entries = [
            e
            for e in store.entries(kind="broadcast", channel=channel)
            if str(e.details.get("aired_at", e.at))[:10] == day.isoformat()
        ]
    result = reconcile(playlist, aired_entries)
    summary: dict[str, list[object]] = {
        "aired": [{"programme": item["programme"], "entry": e.id} for item, e in result.aired],
        "missing": [item["programme"] for item in result.missing],
        "extra": [{"programme": e.details.get("programme"), "entry": e.id} for e in result.extra],
    }
    if as_json:
        typer.echo(json.dumps(summary))
        return
    typer.echo(
        f"aired {len(result.aired)}, missing {len(result.missing)}, extra {len(result.extra)}"
        + "".join(f"\n  missing: {item['programme']}" for item in result.missing)
    )


@broadcast_app.command("log")
def broadcast_log(
    channel: str = typer.Option(..., "--channel"),
    programme: str = typer.Option(..., "--programme", help="A file that went to air, or a name."),
    aired_at: str = typer.Option(..., "--aired-at", help="When it aired (ISO date and time)."),
    scheduled_at: str | None = typer.Option(None, "--scheduled-at"),
    status: str = typer.Option("aired", "--status", help="aired, cut or replaced."),
    duration: float | None = typer.Option(
        None, "--duration", help="Seconds (default: the file's)."
    ),
    log: Path | None = LOG_OPTION,
) -> None:
    """Log a programme that went to air (an as-run entry)."""
    if status not in ("aired", "cut", "replaced"):
        raise LogError(f"status {status!r} is not aired, cut or replaced")
    try:
        datetime.fromisoformat(aired_at)
    except ValueError:
        raise LogError(
            f"{aired_at!r} is not an ISO date and time", fix="write 2026-11-24T20:00:00"
        ) from None
    details: dict[str, object] = {"programme": programme, "aired_at": aired_at, "status": status}
    if scheduled_at:
        details["scheduled_at"] = scheduled_at
    path = Path(programme)
    if path.is_file():
        details |= {
            "programme": path.name,
            "file": str(path.resolve()),
            "sha256": file_sha256(path),
        }
        if duration is None:
            duration = probe(path).duration_s
    if duration is not None:
        details["duration_s"] = duration
    with _store(log) as store:
        entry = store.append(
            "broadcast", note=str(details["programme"]), channel=channel, details=details
        )
    typer.echo(
        f"logged entry {entry.id}: {details['programme']} on {channel} at {aired_at} ({status})"
    )
