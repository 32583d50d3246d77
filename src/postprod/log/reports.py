"""The log for people and other systems: CSV, JSON, a printable as-run log, play-out reconciliation."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from postprod.atomic import write_text
from postprod.errors import LogError
from postprod.log.store import Entry

COLUMNS = (
    "id",
    "at",
    "kind",
    "project",
    "channel",
    "operator",
    "note",
    "details",
    "corrects",
    "hash",
)


def to_csv(entries: list[Entry]) -> str:
    """One row per entry, details as JSON text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for e in entries:
        row = e.to_dict()
        writer.writerow(
            [json.dumps(row[c], sort_keys=True) if c == "details" else row[c] for c in COLUMNS]
        )
    return out.getvalue()


def to_json(entries: list[Entry]) -> str:
    return json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False)


def as_run_html(entries: list[Entry], channel: str, day: str) -> str:
    """A printable (landscape) as-run log of a channel's broadcasts on a day."""
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                e.details.get("scheduled_at", ""),
                e.details.get("aired_at", e.at),
                e.details.get("programme", e.note),
                _duration(float(e.details.get("duration_s", 0))),
                e.details.get("loudness_lufs", ""),
                e.details.get("status", "aired"),
                e.operator,
                e.id,
            )
        )
        + "</tr>"
        for e in entries
        if e.kind == "broadcast"
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>As-run log {html.escape(channel)} {html.escape(day)}</title>
<style>@page {{ size: A4 landscape; margin: 12mm; }}
body {{ font: 11px system-ui, sans-serif; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #999; padding: 3px 6px; text-align: left; }}</style></head><body>
<h1>As-run log: {html.escape(channel)}, {html.escape(day)}</h1>
<table><tr><th>scheduled</th><th>aired</th><th>programme</th><th>duration</th><th>loudness (LUFS)</th>
<th>status</th><th>operator</th><th>log entry</th></tr>
{rows}</table></body></html>
"""


def export(entries: list[Entry], fmt: str, path: Path, *, channel: str = "", day: str = "") -> Path:
    """Write the entries as csv, json or html (the as-run log), atomically."""
    if fmt == "csv":
        return write_text(path, to_csv(entries))
    if fmt == "json":
        return write_text(path, to_json(entries))
    if fmt == "html":
        return write_text(path, as_run_html(entries, channel or "all channels", day or "all days"))
    raise LogError(f"unknown export format {fmt!r}", fix="use csv, json or html")


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """A play-out list against what was logged as aired."""

    aired: list[tuple[dict[str, str], Entry]]
    missing: list[dict[str, str]]
    extra: list[Entry]


def reconcile(
    playlist: Path, broadcasts: list[Entry], *, tolerance_s: float = 120.0
) -> Reconciliation:
    """Match scheduled items (CSV: scheduled_at, programme[, duration_s, channel]) to aired entries."""
    try:
        with open(playlist, newline="", encoding="utf-8") as handle:
            scheduled = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LogError(
            f"cannot read the play-out list {playlist.name} ({error})", where=str(playlist)
        ) from None
    for line, item in enumerate(scheduled, start=2):
        if not item.get("scheduled_at") or not item.get("programme"):
            raise LogError(
                "a play-out row needs scheduled_at and programme",
                where=f"{playlist}, line {line}",
                fix="give the CSV header scheduled_at,programme,duration_s,channel",
            )
    unmatched = list(broadcasts)
    aired, missing = [], []
    for item in scheduled:
        when = _time(item["scheduled_at"], playlist)
        match = next(
            (
                e
                for e in unmatched
                if e.details.get("programme") == item["programme"]
                and abs(
                    (_time(str(e.details.get("aired_at", e.at)), playlist) - when).total_seconds()
                )
                <= tolerance_s
            ),
            None,
        )
        if match is None:
            missing.append(item)
        else:
            aired.append((item, match))
            unmatched.remove(match)
    return Reconciliation(aired, missing, unmatched)


def _time(text: str, source: Path) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise LogError(
            f"{text!r} is not an ISO date and time",
            where=str(source),
            fix="write 2026-11-24T20:00:00",
        ) from None
    return (
        moment.replace(tzinfo=None)
        if moment.tzinfo is None
        else moment.astimezone().replace(tzinfo=None)
    )
