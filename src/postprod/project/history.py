"""Undo and redo for a project: a journal of edits and a snapshot of every state, beside it.

``PROJECT.otio`` gets a folder ``PROJECT.otio.history/`` holding
``states/NNNNNN.otio`` (the project's exact text after each edit; state 0 is
the project before the first one) and ``journal.jsonl``, one line per event
(``edit`` with the operation, ``undo``, ``redo``, or ``outside`` when the
project changed behind the journal's back). Replaying the events gives the
undo stack and the redo stack, so the journal alone says where the user is.

Order of writing, so that a crash at any moment loses nothing: the new
state's snapshot, then the project (both atomic), then the journal line
(flushed to disk). A crash before the journal line leaves a project that
matches no journalled state; the next command notices and records it as an
``outside`` state, which can itself be undone.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.atomic import write_text
from postprod.errors import EditError, ProjectError
from postprod.project.files import load_project, project_json, save_project


@dataclass(frozen=True, slots=True)
class Event:
    """One line of the journal."""

    event: str  # "edit" | "undo" | "redo" | "outside"
    state: int  # the state the project is in after the event
    at: str
    description: str = ""
    operation: dict[str, Any] | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"event": self.event, "state": self.state, "at": self.at}
        if self.description:
            data["description"] = self.description
        if self.operation is not None:
            data["operation"] = self.operation
        return json.dumps(data, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Position:
    """Where the user is: the states that undo walks back through, and those redo walks on to."""

    undo: tuple[int, ...]  # oldest first; the last is the current state
    redo: tuple[int, ...]  # the next redo last

    @property
    def current(self) -> int:
        return self.undo[-1]


class History:
    """The undo journal of one project file."""

    def __init__(self, project: str | os.PathLike[str]) -> None:
        self.project = Path(project)
        self.folder = self.project.with_name(self.project.name + ".history")
        self._journal = self.folder / "journal.jsonl"
        self._states = self.folder / "states"

    # -- reading ---------------------------------------------------------

    def events(self) -> list[Event]:
        """Every event so far, oldest first."""
        if not self._journal.is_file():
            return []
        found = []
        for number, line in enumerate(self._journal.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                found.append(
                    Event(
                        str(data["event"]),
                        int(data["state"]),
                        str(data["at"]),
                        str(data.get("description", "")),
                        data.get("operation"),
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise ProjectError(
                    f"line {number} of the undo journal is damaged",
                    where=str(self._journal),
                    fix="move the .history folder away to start a new journal",
                ) from None
        return found

    def position(self) -> Position:
        """The undo and redo stacks the journal describes."""
        undo: list[int] = [0]
        redo: list[int] = []
        for event in self.events():
            if event.event in ("edit", "outside"):
                undo.append(event.state)
                redo.clear()
            elif event.event == "undo" and len(undo) > 1:
                redo.append(undo.pop())
            elif event.event == "redo" and redo:
                undo.append(redo.pop())
        return Position(tuple(undo), tuple(redo))

    def label_of(self, state: int) -> str:
        """What made ``state`` (for messages)."""
        for event in self.events():
            if event.state == state and event.event in ("edit", "outside"):
                return event.description
        return "the project as first opened"

    # -- changing --------------------------------------------------------

    def current_text(self) -> str:
        """The project's text, after recording a change made outside the journal."""
        self._catch_up()
        return self.project.read_text()

    def commit(
        self,
        changed: otio.schema.Timeline,
        description: str,
        operations: list[dict[str, Any]] | None = None,
    ) -> None:
        """Save ``changed`` as the project's next state and journal it as one undo step."""
        self._catch_up()
        state = self._next_state()
        write_text(self._state_path(state), project_json(changed))
        save_project(changed, self.project)
        record: dict[str, Any] | None = None
        if operations is not None:
            record = operations[0] if len(operations) == 1 else {"batch": operations}
        self._append(Event("edit", state, _now(), description, record))

    def undo(self) -> str:
        """Go back one state; returns what was undone."""
        self._catch_up()
        position = self.position()
        if len(position.undo) < 2:
            raise EditError(
                "nothing to undo", where=str(self.project), fix="edit the project first"
            )
        undone = self.label_of(position.current)
        self._restore(position.undo[-2])
        self._append(Event("undo", position.undo[-2], _now(), undone))
        return undone

    def redo(self) -> str:
        """Go forward one state (after an undo); returns what was redone."""
        self._catch_up()
        position = self.position()
        if not position.redo:
            raise EditError("nothing to redo", where=str(self.project), fix="redo follows an undo")
        state = position.redo[-1]
        redone = self.label_of(state)
        self._restore(state)
        self._append(Event("redo", state, _now(), redone))
        return redone

    # -- inside ----------------------------------------------------------

    def _catch_up(self) -> None:
        """Start the journal, or record a project changed outside it as a state of its own."""
        if not self.project.is_file():
            load_project(self.project)  # raises the usual missing-project error
        text = self.project.read_bytes()
        if not self._journal.is_file():
            self._states.mkdir(parents=True, exist_ok=True)
            write_text(self._state_path(0), text.decode())
            self._journal.touch()
            return
        current = self._state_path(self.position().current)
        if current.is_file() and _sha(current.read_bytes()) == _sha(text):
            return
        state = self._next_state()
        write_text(self._state_path(state), text.decode())
        self._append(Event("outside", state, _now(), "changed outside postprod edit"))

    def _restore(self, state: int) -> None:
        snapshot = self._state_path(state)
        if not snapshot.is_file():
            raise ProjectError(
                f"the snapshot of state {state} is missing",
                where=str(snapshot),
                fix="the journal cannot go there; edit on from the current project",
            )
        write_text(self.project, snapshot.read_text())

    def _next_state(self) -> int:
        taken = [int(path.stem) for path in self._states.glob("*.otio") if path.stem.isdigit()]
        return max(taken, default=0) + 1

    def _state_path(self, state: int) -> Path:
        return self._states / f"{state:06d}.otio"

    def _append(self, event: Event) -> None:
        with self._journal.open("a") as journal:
            journal.write(event.to_json() + "\n")
            journal.flush()
            os.fsync(journal.fileno())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
