"""The event sink for the rest of postprod: one call logs what a command did.

Commands call these after their work succeeds; layers below the log never
import it (render and deliver report to an injected sink). Output files are
checksummed here, read in blocks, so a log entry can later prove which
bytes were delivered.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from postprod.errors import LogError, MediaError
from postprod.log.entry import (
    PRODUCT_KINDS,
    STATUS_LABELS,
    BroadcastItem,
    BroadcastStatus,
    Entry,
    OutputFile,
    RecordingTake,
)
from postprod.log.store import LogStore
from postprod.log.times import wall_clock
from postprod.timecode.rate import FrameRate

BLOCK_BYTES = 1 << 20


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, read a block at a time."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(BLOCK_BYTES):
                digest.update(block)
    except OSError as error:
        raise LogError(
            f"cannot read {Path(path).name} to checksum it ({error.strerror})", where=str(path)
        ) from None
    return digest.hexdigest()


def output_file(path: str | os.PathLike[str]) -> OutputFile:
    """A written file as the log lists it: absolute path, SHA-256, size."""
    resolved = Path(path).resolve()
    return OutputFile(str(resolved), file_sha256(resolved), resolved.stat().st_size)


def log_event(
    store: LogStore,
    kind: str,
    note: str,
    *,
    project: str | os.PathLike[str] = "",
    channel: str = "",
    details: Mapping[str, Any] | None = None,
    corrects: int | None = None,
) -> Entry:
    """Log anything (a note, a session, an edit) with free details."""
    return store.append(
        kind, note=note, project=project, channel=channel, details=details, corrects=corrects
    )


def record_output(
    store: LogStore,
    kind: str,
    note: str,
    *,
    project: str | os.PathLike[str] = "",
    outputs: Sequence[str | os.PathLike[str]] = (),
    details: Mapping[str, Any] | None = None,
) -> Entry:
    """Log a render, mix, delivery, QC run, import, export or edit with checksums of its outputs."""
    if kind not in PRODUCT_KINDS:
        raise LogError(
            f"record_output logs products, not {kind!r} entries",
            fix=f"use one of {', '.join(PRODUCT_KINDS)}",
        )
    files = [output_file(path).to_dict() for path in outputs if Path(path).is_file()]
    return store.append(
        kind, note=note, project=project, details={**(details or {}), "outputs": files}
    )


def log_recording(
    store: LogStore, take: RecordingTake, *, project: str | os.PathLike[str], note: str = ""
) -> Entry:
    """Log a recorded take; the take's file (if it exists) is checksummed."""
    if take.file and take.sha256 is None and Path(take.file).is_file():
        take = RecordingTake.from_dict({**take.to_dict(), "sha256": file_sha256(take.file)})
    summary = note or f"take on {take.track or 'a track'}" + (
        f" at {take.start_timecode}" if take.start_timecode else ""
    )
    return store.append("recording", note=summary, project=project, details=take)


def log_broadcast(
    store: LogStore,
    *,
    channel: str,
    programme: str | os.PathLike[str],
    aired_at: str | datetime | None,
    status: BroadcastStatus = "aired",
    duration_s: float | None = None,
    scheduled_at: str | datetime | None = None,
    loudness_lufs: float | None = None,
    note: str = "",
    corrects: int | None = None,
    house_id: str | None = None,
    reason: str | None = None,
    rate: str | None = None,
) -> Entry:
    """Log a play-out event as run; a programme that is a file is checksummed and timed.

    A skipped event never went to air: it has a scheduled time and no air
    time. Every other status needs the air time.
    """
    if status == "skipped" and aired_at is not None:
        raise LogError(
            "a skipped event did not go to air, so it has no air time",
            fix="leave out the air time, or give the status it aired with",
        )
    if status == "skipped" and scheduled_at is None:
        raise LogError("a skipped event needs the time it was scheduled for")
    if status != "skipped" and aired_at is None:
        raise LogError(f"an event {status} on air needs the time it aired")
    if rate is not None:
        rate = str(FrameRate.parse(rate))
    aired = None if aired_at is None else _air_time(aired_at)
    scheduled = None if scheduled_at is None else _air_time(scheduled_at)
    name = os.fspath(programme)
    file_details: dict[str, Any] = {}
    path = Path(name)
    if path.is_file():
        file_details = {"file": str(path.resolve()), "sha256": file_sha256(path)}
        name = path.name
        if duration_s is None and status != "skipped":
            duration_s = media_duration_s(path)
    item = BroadcastItem.from_dict(
        {
            "programme": name,
            "house_id": house_id or None,
            "aired_at": aired,
            "scheduled_at": scheduled,
            "duration_s": duration_s,
            "loudness_lufs": loudness_lufs,
            "status": status,
            "reason": reason or None,
            "rate": rate,
            **file_details,
        }
    )
    label = STATUS_LABELS[item.status]
    return store.append(
        "broadcast",
        note=note or f"{name} {label}" + (f": {reason}" if reason else ""),
        channel=channel,
        details=item,
        corrects=corrects,
    )


def media_duration_s(path: Path) -> float:
    """A media file's duration from its header (postprod.media.probe)."""
    from postprod.media.probe import probe  # PyAV loads only when a file is timed

    try:
        return probe(path).duration_s
    except MediaError as error:
        raise LogError(
            f"cannot read the duration of {path.name} ({error.what})",
            where=str(path),
            fix="give the duration in seconds (--duration)",
        ) from None


def _air_time(value: str | datetime) -> str:
    moment = value if isinstance(value, datetime) else wall_clock(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")
