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
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from postprod.atomic import write_text
from postprod.errors import LogError, TimecodeError
from postprod.log.entry import (
    DEFAULT_AS_RUN_RATE,
    STATUS_LABELS,
    BroadcastItem,
    Entry,
    RecordingTake,
    canonical_json,
)
from postprod.log.times import wall_clock
from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import frames_to_label

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
FORMATS = ("csv", "json", "html", "bxf")


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
    """The current broadcast entries whose air time (or, skipped, scheduled time) falls on
    ``day`` (station time), in the order they started."""
    chosen = []
    for e in current(entries):
        if not isinstance(e.details, BroadcastItem) or (channel and e.channel != channel):
            continue
        if wall_clock(_start(e)).date() == day:
            chosen.append(e)
    return sorted(chosen, key=lambda e: wall_clock(_start(e)))


def _start(entry: Entry) -> str:
    """When a broadcast entry's event started (a skipped one: when it was due)."""
    details = entry.details
    assert isinstance(details, BroadcastItem)
    return details.start or entry.at


#: A cell starting with one of these is a formula to a spreadsheet (OWASP's CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula, with ``'`` before it (shown, not run);
    numbers and other cells as they are."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def to_csv(entries: Sequence[Entry]) -> str:
    """One row per entry; details as canonical JSON text; no cell opens as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = e.to_dict()
        writer.writerow(
            [
                spreadsheet_safe(
                    canonical_json(row[c]) if c == "details" else ("" if row[c] is None else row[c])
                )
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


def entry_rate(item: BroadcastItem) -> FrameRate:
    """The frame rate an as-run entry counts its timecodes in (25 when it names none)."""
    try:
        return FrameRate.parse(item.rate or DEFAULT_AS_RUN_RATE)
    except TimecodeError:
        return FrameRate.parse(DEFAULT_AS_RUN_RATE)


def duration_timecode(seconds: float | None, rate: FrameRate) -> str:
    """A duration as SMPTE timecode at ``rate`` (to the nearest frame); ``""`` if unknown."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    return frames_to_label(round(seconds * rate.fps), rate)


def _date_and_clock(text: str | None) -> tuple[str, str]:
    if not text:
        return "", ""
    try:
        moment = wall_clock(text)
    except LogError:
        return "", text
    return moment.date().isoformat(), moment.strftime("%H:%M:%S")


def as_run_html(entries: Sequence[Entry], *, channel: str, day: str) -> str:
    """A printable landscape as-run log: one row per broadcast entry given.

    The header names the channel and ``day``: the date or dates asked for.
    Each row has its date, the house id, scheduled and actual start, the
    duration in timecode at the entry's rate, the status and its reason.
    """
    rows = []
    for e in entries:
        if not isinstance(e.details, BroadcastItem):
            continue
        d = e.details
        loudness = "" if d.loudness_lufs is None else f"{d.loudness_lufs:.1f}"
        on_date, aired = _date_and_clock(d.aired_at or (None if d.status == "skipped" else e.at))
        scheduled_date, scheduled = _date_and_clock(d.scheduled_at)
        row_date = on_date or scheduled_date
        cells = (
            row_date,
            d.house_id or "",
            scheduled if scheduled_date in ("", row_date) else f"{scheduled_date} {scheduled}",
            aired,
            d.programme,
            duration_timecode(d.duration_s, entry_rate(d)),
            STATUS_LABELS[d.status],
            d.reason or "",
            loudness,
            e.operator,
            str(e.id),
            (d.sha256 or "")[:12],
        )
        status_class = f' class="{d.status}"' if d.status != "aired" else ""
        rows.append(
            f"<tr{status_class}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
        )
    total = totals(list(entries))
    rates = {str(entry_rate(e.details)) for e in entries if isinstance(e.details, BroadcastItem)}
    rate_note = f"Durations are timecode at {', '.join(sorted(rates)) or DEFAULT_AS_RUN_RATE} fps."
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
tr.cut td, tr.replaced td, tr.skipped td {{ background: #f3e3c3; }}
footer {{ margin-top: 4mm; font-size: 9pt; }}
</style></head><body>
<h1>As-run log: {html.escape(channel)}, {html.escape(day)}</h1>
<p>Channel: {html.escape(channel)}. Dates: {html.escape(day)}.</p>
<table>
<thead><tr><th>date</th><th>house id</th><th>scheduled</th><th>aired</th><th>programme</th>
<th>duration</th><th>status</th><th>reason</th><th>loudness (LUFS)</th><th>operator</th>
<th>log entry</th><th>SHA-256</th></tr></thead>
<tbody>
{body}
</tbody></table>
<footer>{total.programmes_aired} programmes aired, {_hms(total.hours_aired * 3600)} on air.
{rate_note}
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
    """Write entries as csv, json, html (the as-run log) or bxf (SMPTE ST 2021), atomically."""
    if fmt == "csv":
        text = to_csv(entries)
    elif fmt == "json":
        text = to_json(entries)
    elif fmt == "html":
        text = as_run_html(entries, channel=channel or "all channels", day=day or "all days")
    elif fmt == "bxf":
        from postprod.log.bxf import as_run_bxf

        text = as_run_bxf(entries, channel=channel, day=day)
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
