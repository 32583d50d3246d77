"""The exception tree: every error a user can cause is a ``PostprodError``.

Each error carries *what* went wrong, *where* (a file, a line, a timecode, a
byte) and *what to do*, so the command line can print one useful line and the
library user can inspect the parts. Errors that match a builtin also inherit it
(``MediaNotFoundError`` is a ``FileNotFoundError``), as PyAV does.
"""

from __future__ import annotations

import os
from pathlib import Path


class PostprodError(Exception):
    """A problem the user can fix: bad input, a missing file, an impossible request."""

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """``what, where, what to do`` as one line."""
        parts = [self.what]
        if self.where:
            parts.append(self.where)
        if self.fix:
            parts.append(self.fix)
        return ", ".join(parts)

    def __reduce__(self) -> tuple[object, ...]:
        # Keep keyword-only fields across pickling (Dask workers, multiprocessing).
        return (_rebuild, (type(self), self.what, self.where, self.fix))


def _rebuild(
    cls: type[PostprodError], what: str, where: str | None, fix: str | None
) -> PostprodError:
    return cls(what, where=where, fix=fix)


class TimecodeError(PostprodError, ValueError):
    """A timecode label, frame rate or time value that does not exist."""


class MediaError(PostprodError):
    """A media file that cannot be read or written."""


class MediaNotFoundError(MediaError, FileNotFoundError):
    """A media file that is not there."""


class ProjectError(PostprodError):
    """A project (timeline) that is malformed or asks for something impossible."""


class EditError(ProjectError):
    """An edit operation that would break the timeline."""


class InterchangeError(PostprodError):
    """A foreign project file (EDL, XML, AAF) that cannot be read or written."""


class AudioError(PostprodError):
    """An audio engine request that cannot be met (unknown effect, bad parameter)."""


class RenderError(PostprodError):
    """A render that cannot proceed."""


class DeliveryError(PostprodError):
    """A delivery preset or mastering request that cannot be met."""


class LogError(PostprodError):
    """The studio log cannot be opened, read or written."""


def refuse_overwriting(
    source: os.PathLike[str] | str, output: os.PathLike[str] | str, error: type[PostprodError]
) -> None:
    """Raise ``error`` if writing ``output`` would replace ``source``: sources are never modified."""
    if Path(output).resolve() == Path(source).resolve():
        raise error(
            f"the output would overwrite the source {Path(source).name}",
            where=str(output),
            fix="write to another file; sources are never modified",
        )


def check_output(
    output: os.PathLike[str] | str,
    inputs: tuple[os.PathLike[str] | str, ...] = (),
    *,
    error: type[PostprodError] = PostprodError,
    no_clobber: bool = False,
    folder: bool = False,
) -> Path:
    """Refuse an output before anything is opened for writing: one that is an input (the
    project, a source: the same file by path or by inode), a folder where a file goes
    (``folder=False``), a missing or read-only folder, or, with ``no_clobber``, any
    existing output. Returns the output's path."""
    target = Path(output)
    for source in inputs:
        if _same_file(target, Path(source)):
            raise error(
                f"the output would overwrite the input {Path(source).name}",
                where=str(target),
                fix="write to another file; inputs are never modified",
            )
    if target.is_dir() and not folder:
        raise error(f"{target} is a folder", where=str(target), fix="give a file name inside it")
    parent = target.resolve().parent
    if not parent.is_dir():
        raise error(
            f"folder {target.parent} does not exist",
            where=str(target),
            fix="create it or choose another output path",
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise error(
            f"folder {target.parent} cannot be written to",
            where=str(target),
            fix="check its permissions or choose another folder",
        )
    if no_clobber and (target.exists() or target.is_symlink()):
        raise error(
            f"{target} exists and --no-clobber was given",
            where=str(target),
            fix="remove it or choose another name",
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
