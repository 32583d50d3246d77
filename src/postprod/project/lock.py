"""One change at a time per project: an advisory lock held around load, apply and save.

Four ``postprod edit P add-marker`` at once each loaded the same project, added
their marker and saved: the last save won and three markers were lost while the
journal recorded four. :func:`editing` takes ``fcntl.flock`` on
``P.otio.history/lock`` (the journal's own folder, so no new file sits beside
the project); a second writer waits for the first to finish, then loads what
it saved. The lock goes with the process, so a killed writer never leaves the
project locked. The console's ``P.otio.console.lock`` is another thing: it
keeps a second *console* off a project for as long as one serves it, and its
changes still pass through here.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_file(project: Path) -> Path:
    """The lock of ``project``: inside its journal folder."""
    return project.with_name(project.name + ".history") / "lock"


@contextmanager
def editing(project: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the project's edit lock for the block (waits while another process holds it)."""
    path = lock_file(Path(project))
    path.parent.mkdir(exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock
