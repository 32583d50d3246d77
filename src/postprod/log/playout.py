"""A play-out list (what was scheduled) reconciled against the log (what aired).

The list is CSV with a header: ``scheduled_at`` (ISO date and time, or a
time of day taken on the reconciled date), ``programme``, and optionally
``duration_s`` (seconds or HH:MM:SS) and ``channel`` (rows for other
channels are skipped). Common header spellings (``time``, ``program``,
``title``, ``duration``) are accepted. A scheduled item is *aired* when a
broadcast entry of the same programme (case and spacing ignored) aired
within the tolerance of its scheduled time; the nearest one wins. Items
with no such entry are *missing*; broadcast entries matched by no item are
*extra*. The entry's as-run status (aired, cut, replaced) is kept.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from postprod.errors import LogError
from postprod.log.entry import BroadcastItem, Entry
from postprod.log.times import wall_clock

DEFAULT_TOLERANCE_S = 120.0
_ALIASES = {
    "scheduled_at": ("scheduled_at", "scheduled", "scheduled time", "time", "start"),
    "programme": ("programme", "program", "title", "name"),
    "duration_s": ("duration_s", "duration", "length"),
    "channel": ("channel",),
}


@dataclass(frozen=True, slots=True)
class ScheduledItem:
    """One row of a play-out list."""

    line: int
    scheduled_at: datetime
    programme: str
    duration_s: float | None
    channel: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "scheduled_at": self.scheduled_at.isoformat(timespec="seconds"),
            "programme": self.programme,
            "duration_s": self.duration_s,
            "channel": self.channel,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A scheduled item and the log entry that shows it aired."""

    item: ScheduledItem
    entry: Entry

    @property
    def offset_s(self) -> float:
        """Aired minus scheduled, in seconds."""
        return (_aired(self.entry) - self.item.scheduled_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        details = self.entry.details
        assert isinstance(details, BroadcastItem)
        return {
            **self.item.to_dict(),
            "entry": self.entry.id,
            "aired_at": details.aired_at,
            "offset_s": self.offset_s,
            "status": details.status,
            "aired_duration_s": details.duration_s,
        }


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What aired as scheduled, what is missing from the log, and what aired unscheduled."""

    aired: tuple[Match, ...]
    missing: tuple[ScheduledItem, ...]
    extra: tuple[Entry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "aired": [m.to_dict() for m in self.aired],
            "missing": [i.to_dict() for i in self.missing],
            "extra": [_extra_dict(e) for e in self.extra],
        }


def _extra_dict(entry: Entry) -> dict[str, Any]:
    details = entry.details
    assert isinstance(details, BroadcastItem)
    return {
        "entry": entry.id,
        "programme": details.programme,
        "aired_at": details.aired_at,
        "status": details.status,
        "duration_s": details.duration_s,
    }


def _aired(entry: Entry) -> datetime:
    return wall_clock(entry.details.get("aired_at") or entry.at)


def _key(programme: str) -> str:
    return " ".join(programme.split()).casefold()


def _duration(text: str, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        if ":" in text:
            seconds = 0.0
            for part in text.split(":"):
                seconds = seconds * 60 + float(part)
            return seconds
        return float(text)
    except ValueError:
        raise LogError(
            f"duration {text!r} is not seconds or HH:MM:SS",
            where=where,
            fix="write 1800 or 00:30:00",
        ) from None


def read_playout(
    path: str | os.PathLike[str], *, day: date, channel: str | None = None
) -> list[ScheduledItem]:
    """The play-out list's items for ``channel`` (rows without a channel belong to every one)."""
    source = Path(path)
    try:
        with open(source, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
            columns = {
                field: next((header[a] for a in aliases if a in header), None)
                for field, aliases in _ALIASES.items()
            }
            if columns["scheduled_at"] is None or columns["programme"] is None:
                raise LogError(
                    "a play-out list needs scheduled_at and programme columns",
                    where=f"{source}, line 1",
                    fix="give the CSV header scheduled_at,programme,duration_s,channel",
                )
            items = []
            for row in reader:
                line = reader.line_num
                where = f"{source}, line {line}"

                def cell(field: str, row: dict[str, Any] = row) -> str:
                    column = columns[field]
                    return "" if column is None else str(row.get(column) or "").strip()

                if not any(cell(f) for f in _ALIASES):
                    continue
                if not cell("scheduled_at") or not cell("programme"):
                    raise LogError(
                        "a play-out row needs a scheduled time and a programme", where=where
                    )
                if channel and cell("channel") and cell("channel") != channel:
                    continue
                try:
                    when = wall_clock(cell("scheduled_at"), day=day)
                except LogError as error:
                    raise LogError(error.what, where=where, fix=error.fix) from None
                if when.date() != day:
                    continue
                items.append(
                    ScheduledItem(
                        line,
                        when,
                        cell("programme"),
                        _duration(cell("duration_s"), where),
                        cell("channel") or (channel or ""),
                    )
                )
    except FileNotFoundError:
        raise LogError(f"there is no play-out list {source.name}", where=str(source)) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LogError(
            f"cannot read the play-out list {source.name} ({error})", where=str(source)
        ) from None
    return sorted(items, key=lambda item: item.scheduled_at)


def reconcile(
    scheduled: Sequence[ScheduledItem],
    broadcasts: Sequence[Entry],
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
) -> Reconciliation:
    """Match scheduled items to broadcast entries (same programme, nearest air time in tolerance)."""
    unmatched = [e for e in broadcasts if isinstance(e.details, BroadcastItem)]
    aired: list[Match] = []
    missing: list[ScheduledItem] = []
    for item in sorted(scheduled, key=lambda i: i.scheduled_at):
        candidates = [
            (abs((_aired(e) - item.scheduled_at).total_seconds()), e.id, e)
            for e in unmatched
            if _key(e.details.get("programme") or "") == _key(item.programme)
        ]
        candidates = [c for c in candidates if c[0] <= tolerance_s]
        if not candidates:
            missing.append(item)
            continue
        _, _, best = min(candidates, key=lambda c: (c[0], c[1]))
        aired.append(Match(item, best))
        unmatched.remove(best)
    return Reconciliation(tuple(aired), tuple(missing), tuple(unmatched))
