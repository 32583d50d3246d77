"""Files appear whole or not at all: write beside the target, then rename over it.

A crash or Ctrl-C leaves the old file (or none), never half a file. The new
file gets the permissions an ordinary ``open()`` would give (0666 less the
umask), not the private 0600 of a temporary file. Temporaries carry the
writer's pid, and the next write of the same target removes those of runs
that were killed (SIGKILL leaves no chance to clean up).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_path(target: Path, suffix: str = "") -> Path:
    """This process's temporary for ``target``: ``.NAME.PID.partial[SUFFIX]`` beside it, so
    a later run can tell a killed run's leftovers (:func:`sweep_partials`) from a live one's."""
    return target.with_name(f".{target.name}.{os.getpid()}.partial{suffix}")


def sweep_partials(target: Path) -> list[Path]:
    """Remove the temporaries of ``target`` whose process no longer runs (a killed run's);
    returns what was removed. A live run's are left alone."""
    removed: list[Path] = []
    prefix = f".{target.name}."
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for path in siblings:
        if not path.name.startswith(prefix) or ".partial" not in path.name:
            continue
        pid = path.name[len(prefix) :].split(".", 1)[0].split("-", 1)[0]
        if not pid.isdigit() or process_running(int(pid)):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def process_running(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (another user's counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    except OSError:
        return False
    return True


@contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over it if the block ends without error."""
    target = Path(path)
    sweep_partials(target)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}-", suffix=".partial", dir=target.parent
    )
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with replacing(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(path)
