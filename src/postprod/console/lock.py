"""One writer per project: the console's lock file ``P.otio.console.lock``.

The file holds the owner's pid and port as JSON. It is made whole or not at all
(written under a temporary name, then hard-linked to its name, which fails if
the name exists), so a second console never sees half a lock. A lock whose pid
no longer runs is stale and taken over; a live one refuses the second console
(which may still start ``--read-only``, taking no lock).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from postprod.atomic import process_running
from postprod.errors import ProjectError


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lock."""

    pid: int
    port: int


def lock_path(project: Path) -> Path:
    """The lock file of ``project``."""
    return project.with_name(project.name + ".console.lock")


class WriterLock:
    """The single-writer lock of one project."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.path = lock_path(project)
        self.held = False

    def holder(self) -> Holder | None:
        """The holder the lock file names (None: no lock, or one that cannot be read)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Holder(int(data["pid"]), int(data["port"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def acquire(self, port: int) -> None:
        """Take the lock for this process, serving on ``port``; refused while another runs."""
        if self._create(port):
            self.held = True
            return
        holder = self.holder()
        if holder is not None and process_running(holder.pid):
            raise ProjectError(
                f"{self.project.name} is open in another console (pid {holder.pid}, port {holder.port})",
                where=str(self.path),
                fix="use that console, close it, or start this one with --read-only",
            )
        # stale (its process is gone) or unreadable: take it over
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        if not self._create(port):
            raise ProjectError(
                f"{self.project.name} was just opened by another console",
                where=str(self.path),
                fix="use that console, or start this one with --read-only",
            )
        self.held = True

    def update_port(self, port: int) -> None:
        """Rewrite the lock with the port actually served (after binding port 0)."""
        if not self.held:
            return
        temporary = self._temporary(port)
        os.replace(temporary, self.path)

    def release(self) -> None:
        """Remove the lock if this process holds it."""
        if not self.held:
            return
        self.held = False
        holder = self.holder()
        if holder is None or holder.pid == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def _temporary(self, port: int) -> Path:
        handle, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"pid": os.getpid(), "port": port}, out)
            out.flush()
            os.fsync(out.fileno())
        return Path(name)

    def _create(self, port: int) -> bool:
        """Make the lock file whole under its name; False if the name is taken."""
        temporary = self._temporary(port)
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        return True


__all__ = ["Holder", "WriterLock", "lock_path"]
