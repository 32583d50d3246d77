"""The project as the console holds it: its state as data, its changes, and who may change it.

:class:`Board` wraps :class:`postprod.operations.Project`: every change goes
through ``Project.apply``/``undo``/``redo`` under one lock (one change at a
time from this console's tabs, surfaces and jobs), and :meth:`Board.poll`
notices a change made by anyone (this console, the command line, another
program) by the project file's and the journal's size and modification time.

The state (``GET /api/state`` and every ``{"type": "state"}`` message) is
plain JSON: the project's basics, the inspect view, the mixer view, the undo
history (its last :data:`HISTORY_SHOWN` events; ``history_total`` counts them
all), whether undo and redo are possible, and the media the clips use with
the address that serves each. ``revision`` counts the journal's events, so it
grows with every edit, undo and redo, whoever made it.

The state is built once per change: it is kept with the fingerprint it was
built at, and a request that finds the same fingerprint within
:data:`STATE_FRESH_S` gets the same data back (a long session's state no longer
costs more to ask for with every edit, and the server keeps one state, not one
per request); after that it is built again, so media copied in or taken away
show as online or offline without an edit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opentimelineio as otio

from postprod.errors import PostprodError
from postprod.operations import Operation, Project
from postprod.timeline.console_view import console_view
from postprod.timeline.inspect import describe
from postprod.timeline.model import media_path

#: The stat of the project file and of its journal: (size, mtime_ns) each, None if absent.
Fingerprint = tuple[tuple[int, int] | None, tuple[int, int] | None]

#: How many of the journal's latest events the state lists (a session of a day has thousands).
HISTORY_SHOWN = 200

#: How long a state built at an unchanged fingerprint is served again, in seconds.
STATE_FRESH_S = 5.0


class ReadOnlyError(PostprodError):
    """A change asked of a read-only console."""


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A media file a clip uses: as the clip names it, where it is, and its address here."""

    reference: str  # the clip's target_url, as written in the project
    path: Path
    url: str | None  # "/files/..." (None: offline, or somewhere not served)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.reference, "url": self.url, "online": self.url is not None}


class Board:
    """One project opened by the console."""

    def __init__(self, project: Path, *, read_only: bool = False) -> None:
        self.project = Project(Path(project).absolute())
        self.path = self.project.path
        self.folder = self.path.parent.resolve()
        self.read_only = read_only
        self.lock = threading.RLock()  # one change (or state read) at a time
        self._seen: Fingerprint | None = None
        self._built: tuple[Fingerprint, float, dict[str, Any]] | None = None  # the last state

    # -- reading -----------------------------------------------------------

    def fingerprint(self) -> Fingerprint:
        return _stat(self.path), _stat(self.project.history.folder / "journal.jsonl")

    def media(self, timeline: otio.schema.Timeline | None = None) -> list[MediaFile]:
        """Every media file the clips use (each once, in timeline order)."""
        timeline = timeline if timeline is not None else self.project.timeline()
        found: dict[str, MediaFile] = {}
        for clip in timeline.find_clips():
            reference = clip.media_reference
            url = getattr(reference, "target_url", None)
            path = media_path(clip, self.folder)
            if not url or path is None or url in found:
                continue
            found[url] = MediaFile(url, path, self._address(path))
        return list(found.values())

    def roots(self, timeline: otio.schema.Timeline | None = None) -> list[Path]:
        """The folders files are served from: the project's, then each media file's."""
        folders = [self.folder]
        for item in self.media(timeline):
            try:
                folder = item.path.parent.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if folder not in folders:
                folders.append(folder)
        return folders

    def _address(self, path: Path) -> str | None:
        """``/files/REL`` for a media file: relative to the project's folder if inside it,
        else to its own folder (a media root)."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_file():
            return None
        base = self.folder if real.is_relative_to(self.folder) else real.parent
        return "/files/" + quote(real.relative_to(base).as_posix())

    def state(self) -> dict[str, Any]:
        """The whole state as JSON-ready data."""
        with self.lock:
            return self._state()

    def _state(self) -> dict[str, Any]:
        """The state at the files' current fingerprint (built again only when they changed).

        Callers get the kept dict itself: they serialise it, they never change it."""
        now = self.fingerprint()
        if self._built is not None:
            fingerprint, built_at, state = self._built
            if fingerprint == now and time.monotonic() - built_at < STATE_FRESH_S:
                return state
        state = self._build()
        self._built = (now, time.monotonic(), state)
        return state

    def _build(self) -> dict[str, Any]:
        timeline = self.project.timeline()
        info = describe(timeline)
        history = self.project.history
        events = history.events()
        position = history.position()
        return {
            "project": {
                "path": str(self.path),
                "name": info.name,
                "rate": info.rate,
                "start_timecode": info.start_timecode,
                "duration_frames": info.duration_frames,
                "revision": len(events),
                "state": position.current,
                "read_only": self.read_only,
            },
            "timeline": info.to_dict(),
            "mixer": console_view(timeline, self.path.parent),
            "history": [
                {"event": e.event, "state": e.state, "at": e.at, "description": e.description}
                for e in events[-HISTORY_SHOWN:]
            ],
            "history_total": len(events),
            "can_undo": len(position.undo) > 1,
            "can_redo": bool(position.redo),
            "media": [item.to_dict() for item in self.media(timeline)],
        }

    def poll(self) -> dict[str, Any] | None:
        """The state if the project or its journal changed since the last look, else None."""
        with self.lock:
            now = self.fingerprint()
            if now == self._seen:
                return None
            state = self._state()
            self._seen = now
            return state

    def mark_seen(self) -> dict[str, Any]:
        """The state now, remembered as seen (after a change this console made)."""
        with self.lock:
            self._seen = self.fingerprint()
            return self._state()

    # -- changing ----------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(
                "this console is read-only",
                where=str(self.path),
                fix="make the change in the console that holds the project",
            )

    def apply(self, operations: Sequence[Operation], description: str = "") -> dict[str, Any]:
        """Apply ``operations`` as one undo step; the new state."""
        with self.lock:
            self._writable()
            self.project.apply(*operations, description=description)
            return self.mark_seen()

    def undo(self) -> dict[str, Any]:
        with self.lock:
            self._writable()
            self.project.undo()
            return self.mark_seen()

    def redo(self) -> dict[str, Any]:
        with self.lock:
            self._writable()
            self.project.redo()
            return self.mark_seen()


__all__ = ["HISTORY_SHOWN", "STATE_FRESH_S", "Board", "Fingerprint", "MediaFile", "ReadOnlyError"]
