"""A project opened for change: the one path by which the CLI, Python and the console edit.

``Project(path).apply(op, ...)`` loads the project, applies the operations to a
copy (all or nothing), saves it atomically and journals it as one undo step;
``undo`` and ``redo`` walk the journal. Nothing is kept between calls, so two
front ends on one file each see the other's changes at their next call.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, apply_operations
from postprod.project import History, load_project
from postprod.project.history import Event
from postprod.project.lock import editing
from postprod.timeline.slots import Where


class Project:
    """A project file and its undo journal."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.history = History(self.path)

    def timeline(self) -> otio.schema.Timeline:
        """The project as it is on disk now."""
        return load_project(self.path)

    def where(self) -> Where:
        """The project's rate, first timecode and folder (for parsing times and paths)."""
        return Where.of(self.timeline(), self.path.parent)

    def apply(self, *operations: Operation, description: str = "") -> otio.schema.Timeline:
        """Apply ``operations`` in turn as one undo step; refused whole, the file untouched."""
        if not operations:
            raise EditError("no operation to apply", where=str(self.path), fix="give one or more")
        with editing(self.path):  # load, apply and save as one: concurrent edits queue
            changed = apply_operations(self.timeline(), operations, folder=self.path.parent)
            self.commit(changed, operations, description)
        return changed

    def commit(
        self,
        changed: otio.schema.Timeline,
        operations: Sequence[Operation],
        description: str = "",
    ) -> None:
        """Save ``changed`` (made from this project by ``operations``) as one undo step."""
        text = description or "; ".join(operation.describe() for operation in operations)
        self.history.commit(changed, text, [operation.to_dict() for operation in operations])

    def undo(self) -> str:
        """Go back one step; returns what was undone."""
        with editing(self.path):
            return self.history.undo()

    def redo(self) -> str:
        """Go forward one step after an undo; returns what was redone."""
        with editing(self.path):
            return self.history.redo()

    def events(self) -> list[Event]:
        """The journal: edits, undos and redos, oldest first."""
        return self.history.events()
