"""Times in the log: entries are stamped in UTC; people type local dates and times.

``at`` is always ``YYYY-MM-DDTHH:MM:SS.mmm+00:00``, so text order is time
order and a date range is a text range. Air times (``aired_at``,
``scheduled_at``) are station wall-clock times as the play-out list writes
them; a time with an offset is turned into local wall-clock time to compare.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from postprod.errors import LogError


def utc_stamp(moment: datetime) -> str:
    """The stored form of an instant (naive means local time)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_moment(text: str, *, what: str = "time") -> datetime:
    """An ISO date or date and time; one clear error otherwise."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise LogError(
            f"{text!r} is not an ISO {what}",
            fix="write 2026-11-24 or 2026-11-24T20:00:00",
        ) from None


def parse_day(text: str) -> date:
    """A calendar day ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LogError(f"{text!r} is not a date", fix="write YYYY-MM-DD") from None


def bound(text: str | None, *, until: bool = False) -> datetime | None:
    """``--since``/``--until`` text as an instant; a bare date ``--until`` includes that whole day."""
    if not text:
        return None
    moment = parse_moment(text, what="date")
    if until and len(text.strip()) == 10:  # a date alone: up to the end of that day
        moment += timedelta(days=1)
    return moment


def wall_clock(text: str, *, day: date | None = None) -> datetime:
    """An air time as naive local wall-clock time; ``HH:MM[:SS]`` alone needs ``day``."""
    stripped = text.strip()
    if day is not None and len(stripped) <= 8 and ":" in stripped:
        try:
            return datetime.combine(day, time.fromisoformat(stripped))
        except ValueError:
            pass
    moment = parse_moment(stripped, what="date and time")
    return moment if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)
