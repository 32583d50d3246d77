"""The log for people and other systems: totals, CSV, JSON and a printable as-run log.

Exports are written atomically (a temporary file renamed into place). The
as-run log is one self-contained HTML page (inline CSS, ``@page`` landscape)
listing a channel's broadcasts of one day, ready to print or save as PDF.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from postprod.atomic import write_text
from postprod.errors import LogError
from postprod.log.entry import BroadcastItem, Entry, RecordingTake, canonical_json
from postprod.log.times import wall_clock

CSV_COLUMNS = (
    "id",
    "at",
    "kind",
    "project",
    "channel",
    "operator",
    "note",
    "corrects",
    "details",
    "prev_hash",
    "hash",
)
FORMATS = ("csv", "json", "html")


@dataclass(frozen=True, slots=True)
class Totals:
    """Hours recorded and programmes aired among some entries."""

    entries: int
    hours_recorded: float
    programmes_aired: int
    hours_aired: float

    def to_dict(self) -> dict[str, float | int]:
        return {
            "entries": self.entries,
            "hours_recorded": self.hours_recorded,
            "programmes_aired": self.programmes_aired,
            "hours_aired": self.hours_aired,
        }


def current(entries: Sequence[Entry]) -> list[Entry]:
    """Entries not superseded: a later entry of the same kind that ``corrects`` one replaces it."""
    replaced = {
        e.corrects
        for e in entries
        if e.corrects is not None and e.kind not in ("note", "correction")
    }
    return [e for e in entries if e.id not in replaced]


def totals(entries: Sequence[Entry]) -> Totals:
    """Hours recorded (takes' durations) and programmes aired (cut short counts as aired)."""
    live = current(entries)
    recorded_s = sum(
        e.details.duration_s or 0.0 for e in live if isinstance(e.details, RecordingTake)
    )
    aired = [
        e
        for e in live
        if isinstance(e.details, BroadcastItem) and e.details.status in ("aired", "cut")
    ]
    aired_s = sum(
        e.details.duration_s or 0.0 for e in aired if isinstance(e.details, BroadcastItem)
    )
    return Totals(len(entries), recorded_s / 3600, len(aired), aired_s / 3600)


def aired_on(entries: Sequence[Entry], day: date, channel: str | None = None) -> list[Entry]:
    """The current broadcast entries whose air time falls on ``day`` (station time)."""
    chosen = []
    for e in current(entries):
        if not isinstance(e.details, BroadcastItem) or (channel and e.channel != channel):
            continue
        aired = e.details.aired_at or e.at
        if wall_clock(aired).date() == day:
            chosen.append(e)
    return sorted(chosen, key=lambda e: wall_clock(e.details.get("aired_at") or e.at))


def to_csv(entries: Sequence[Entry]) -> str:
    """One row per entry; details as canonical JSON text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = e.to_dict()
        writer.writerow(
            [
                canonical_json(row[c]) if c == "details" else ("" if row[c] is None else row[c])
                for c in CSV_COLUMNS
            ]
        )
    return out.getvalue()


def to_json(entries: Sequence[Entry]) -> str:
    """A JSON list of entry dicts (as ``log show --json``)."""
    return json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False) + "\n"


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _clock(text: str | None) -> str:
    if not text:
        return ""
    try:
        return wall_clock(text).strftime("%H:%M:%S")
    except LogError:
        return text


def as_run_html(entries: Sequence[Entry], *, channel: str, day: str) -> str:
    """A printable landscape as-run log: one row per broadcast entry given."""
    rows = []
    for e in entries:
        if not isinstance(e.details, BroadcastItem):
            continue
        d = e.details
        loudness = "" if d.loudness_lufs is None else f"{d.loudness_lufs:.1f}"
        cells = (
            _clock(d.scheduled_at),
            _clock(d.aired_at or e.at),
            d.programme,
            _hms(d.duration_s),
            loudness,
            d.status,
            e.operator,
            str(e.id),
            (d.sha256 or "")[:12],
        )
        status_class = f' class="{d.status}"' if d.status != "aired" else ""
        rows.append(
            f"<tr{status_class}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
        )
    total = totals(list(entries))
    body = "\n".join(rows)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>As-run log: {html.escape(channel)}, {html.escape(day)}</title>
<style>
@page {{ size: A4 landscape; margin: 12mm; }}
body {{ font: 10pt system-ui, sans-serif; margin: 0; }}
h1 {{ font-size: 14pt; margin: 0 0 4mm; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 0.5pt solid #888; padding: 1.5mm 2mm; text-align: left; }}
thead {{ display: table-header-group; }}
tr {{ page-break-inside: avoid; }}
tr.cut td, tr.replaced td {{ background: #f3e3c3; }}
footer {{ margin-top: 4mm; font-size: 9pt; }}
</style></head><body>
<h1>As-run log: {html.escape(channel)}, {html.escape(day)}</h1>
<table>
<thead><tr><th>scheduled</th><th>aired</th><th>programme</th><th>duration</th>
<th>loudness (LUFS)</th><th>status</th><th>operator</th><th>log entry</th><th>SHA-256</th></tr></thead>
<tbody>
{body}
</tbody></table>
<footer>{total.programmes_aired} programmes aired, {_hms(total.hours_aired * 3600)} on air.
Printed from the postprod studio log; each row is a log entry whose hash chain
<code>postprod log verify</code> checks.</footer>
</body></html>
"""


def export(
    entries: Sequence[Entry],
    fmt: str,
    path: str | os.PathLike[str],
    *,
    channel: str = "",
    day: str = "",
) -> Path:
    """Write entries as csv, json or html (the as-run log), atomically."""
    if fmt == "csv":
        text = to_csv(entries)
    elif fmt == "json":
        text = to_json(entries)
    elif fmt == "html":
        text = as_run_html(entries, channel=channel or "all channels", day=day or "all days")
    else:
        raise LogError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    try:
        return write_text(path, text)
    except OSError as error:
        raise LogError(
            f"cannot write the export ({error.strerror or error})",
            where=str(path),
            fix="choose a folder that exists and is writable",
        ) from None
