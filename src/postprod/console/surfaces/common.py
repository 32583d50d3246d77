"""What every control surface shares: the strips as it numbers them, and the one writer
that turns its moves into operations.

A surface holds no mixing logic: a fader, pan, mute or solo becomes
``SetStrip(track, ...)`` applied through ``postprod.operations.Project.apply`` (or
whatever ``apply`` the console injects). Faders move fast, so the writer coalesces:
per strip it keeps only the latest values and writes them at most every
``interval_s`` (50 ms), each write one undo step; while a strip is touched (a touch
sensitive fader, or ``/strip/N/touch 1``) nothing is written until its release, so a
touch from start to release is one undo step.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import opentimelineio as otio

from postprod.errors import PostprodError
from postprod.operations import Operation, Project, SetStrip
from postprod.operations.mixer import GAIN_MAX_DB, GAIN_MIN_DB, MASTER
from postprod.project import load_project
from postprod.timeline.metadata import console_of, strip_of

__all__ = [
    "GAIN_MAX_DB",
    "GAIN_MIN_DB",
    "MASTER",
    "Apply",
    "Strip",
    "StripWriter",
    "Strips",
    "project_apply",
]

log = logging.getLogger("postprod.console.surfaces")

#: Apply operations as one undo step with a description (``Project.apply``'s shape).
Apply = Callable[[Sequence[Operation], str], object]

#: The values a surface may set on a strip (``SetStrip``'s fields of the same names).
FIELDS = ("gain_db", "pan", "mute", "solo")


def project_apply(project: Project) -> Apply:
    """``project.apply`` as an ``Apply`` (the default when the console injects none)."""

    def apply(operations: Sequence[Operation], description: str) -> object:
        return project.apply(*operations, description=description)

    return apply


@dataclass(frozen=True, slots=True)
class Strip:
    """One strip as a surface sees it: ``number`` counts the audio tracks from 1 in track
    order (``None`` for the master)."""

    number: int | None
    name: str
    gain_db: float
    pan: float = 0.0
    mute: bool = False
    solo: bool = False


class Strips:
    """The project's strips (audio tracks in order, then the master), read from the file
    and read again only when the file changes (its inode, size or modification time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._key: tuple[int, int, int] | None = None
        self._strips: tuple[Strip, ...] = ()
        self._master = Strip(None, MASTER, 0.0)

    def _read(self) -> None:
        stat = self.path.stat()
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key == self._key:
            return
        timeline = load_project(self.path)
        self._strips = tuple(_strips_of(timeline))
        self._master = Strip(None, MASTER, console_of(timeline).master_gain_db)
        self._key = key

    def current(self) -> tuple[tuple[Strip, ...], Strip]:
        """The audio tracks' strips and the master's, as the file holds them now."""
        with self._lock:
            self._read()
            return self._strips, self._master

    def number(self, number: int) -> Strip | None:
        """Strip ``number`` (from 1), or None when the project has no such strip."""
        strips, _ = self.current()
        return strips[number - 1] if 1 <= number <= len(strips) else None


def _strips_of(timeline: otio.schema.Timeline) -> list[Strip]:
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    strips = []
    for number, track in enumerate(audio, start=1):
        state = strip_of(track)
        strips.append(Strip(number, track.name, state.gain_db, state.pan, state.mute, state.solo))
    return strips


def with_pending(strip: Strip, pending: Mapping[str, float | bool]) -> Strip:
    """``strip`` with the values a writer has not written yet (what the surface shows)."""
    if not pending:
        return strip
    return replace(
        strip,
        gain_db=float(pending.get("gain_db", strip.gain_db)),
        pan=float(pending.get("pan", strip.pan)),
        mute=bool(pending.get("mute", strip.mute)),
        solo=bool(pending.get("solo", strip.solo)),
    )


def checked_value(field: str, value: object) -> float | bool | None:
    """A surface's value for ``field`` as ``SetStrip`` takes it, or None when it is not one:
    gain_db a finite number of dB in GAIN_MIN_DB..GAIN_MAX_DB, pan -1..1, mute and solo
    0 or 1 (ints, floats or OSC booleans)."""
    if not isinstance(value, int | float):  # a bool is an int
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    if field == "gain_db":
        return number if GAIN_MIN_DB <= number <= GAIN_MAX_DB else None
    if field == "pan":
        return number if -1.0 <= number <= 1.0 else None
    if field in ("mute", "solo", "touch"):
        return bool(number) if number in (0.0, 1.0) else None
    return None


def strip_operation(track: str, values: Mapping[str, float | bool]) -> SetStrip:
    """The ``SetStrip`` that sets ``values`` (gain_db, pan, mute, solo) on ``track``."""

    def number(name: str) -> float | None:
        return float(values[name]) if name in values else None

    def flag(name: str) -> bool | None:
        return bool(values[name]) if name in values else None

    return SetStrip(
        track, gain_db=number("gain_db"), pan=number("pan"), mute=flag("mute"), solo=flag("solo")
    )


class StripWriter:
    """Writes a surface's strip changes through ``apply`` from one thread.

    ``set(track, gain_db=...)`` keeps the latest value of each field per strip; a strip's
    values are written together as one ``SetStrip`` (one undo step) at most every
    ``interval_s``: the first move of a strip at once, the rest of a fast move every
    ``interval_s`` with its latest value. Mute and solo are written at once. While a strip
    is touched its values wait for the release (one undo step per touch); a touch with no
    message for ``touch_timeout_s`` counts as released (a lost release message). Strips
    due at the same moment go in one step. A refused write (the track gone, a read-only
    console) is logged as a warning and dropped.
    """

    def __init__(
        self,
        apply: Apply,
        *,
        source: str,
        interval_s: float = 0.05,
        touch_timeout_s: float = 2.0,
        on_written: Callable[[], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._apply = apply
        self.source = source
        self.interval_s = interval_s
        self.touch_timeout_s = touch_timeout_s
        self._on_written = on_written
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: dict[str, dict[str, float | bool]] = {}
        self._urgent: set[str] = set()
        self._touched: set[str] = set()
        self._last_message: dict[str, float] = {}
        self._written: dict[str, float] = {}
        self._flushing = 0
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writing thread (a daemon: it never keeps the process alive)."""
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"{self.source}-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is pending, touched or not, and end the thread."""
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        thread.join()
        self._thread = None

    def set(self, track: str, **values: float | bool) -> None:
        """The latest values for ``track``'s strip (fields of ``SetStrip``: gain_db, pan,
        mute, solo); mute and solo are written at once."""
        with self._cond:
            self._pending.setdefault(track, {}).update(values)
            self._last_message[track] = self._clock()
            if "mute" in values or "solo" in values:
                self._urgent.add(track)
            self._cond.notify_all()

    def touch(self, track: str, touched: bool) -> None:
        """A fader touched (hold its values) or released (write them now)."""
        with self._cond:
            self._last_message[track] = self._clock()
            if touched:
                self._touched.add(track)
            else:
                self._touched.discard(track)
                self._urgent.add(track)
            self._cond.notify_all()

    def touched(self, track: str) -> bool:
        with self._cond:
            return track in self._touched

    def pending(self) -> dict[str, dict[str, float | bool]]:
        """The values not written yet, per track."""
        with self._cond:
            return {track: dict(values) for track, values in self._pending.items()}

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Write everything pending now (touched strips too); False if it took too long
        (or the thread is not running)."""
        with self._cond:
            if self._thread is None:
                return not self._pending
            self._flushing += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(
                    lambda: not self._pending and not self._busy, timeout=timeout_s
                )
            finally:
                self._flushing -= 1

    def _due(self, now: float) -> tuple[list[str], float | None]:
        """The tracks to write now, and how long to wait for the next otherwise."""
        due: list[str] = []
        wait: float | None = None
        for track in self._pending:
            if self._stopping or self._flushing:
                due.append(track)
                continue
            if track in self._touched:
                at = self._last_message.get(track, now) + self.touch_timeout_s
            elif track in self._urgent:
                at = now
            else:
                at = self._written.get(track, -math.inf) + self.interval_s
            if at <= now:
                due.append(track)
            else:
                wait = at - now if wait is None else min(wait, at - now)
        return due, wait

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    due, wait = self._due(self._clock())
                    if due or (self._stopping and not self._pending):
                        break
                    self._cond.wait(wait)
                if not due:
                    return
                batch = [(track, self._pending.pop(track)) for track in due]
                now = self._clock()
                for track in due:
                    self._urgent.discard(track)
                    if now - self._last_message.get(track, now) >= self.touch_timeout_s:
                        self._touched.discard(track)  # a touch with no release is over
                self._busy = True
            try:
                self._write(batch)
            finally:
                with self._cond:
                    written = self._clock()
                    for track, _ in batch:
                        self._written[track] = written
                    self._busy = False
                    self._cond.notify_all()

    def _write(self, batch: list[tuple[str, dict[str, float | bool]]]) -> None:
        operations = [strip_operation(track, values) for track, values in batch]
        text = f"{self.source}: " + "; ".join(op.describe() for op in operations)
        try:
            self._apply(operations, text)
        except PostprodError as error:
            log.warning("%s refused: %s", text, error)
            return
        except Exception:
            log.exception("%s failed", text)
            return
        if self._on_written is not None:
            try:
                self._on_written()
            except Exception:
                log.exception("%s: updating the surface failed", self.source)
