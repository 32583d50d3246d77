"""The error line itself: one line whatever it quotes, and the system's refusals in words.

A project or file name may hold a newline or a terminal escape; printed as is,
it would forge a second ``error:`` line or repaint the terminal. Every message
the command line prints goes through :func:`one_line`.
"""

from __future__ import annotations

import errno
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


#: What to do about an operating system's refusal, by errno.
_FIXES = {
    errno.ENOSPC: "free some space or write to another disk",
    errno.EDQUOT: "free some space or write to another disk",
    errno.EROFS: "write to another folder",
    errno.EACCES: "check the permissions, or write to another folder",
    errno.EPERM: "check the permissions, or write to another folder",
    errno.EISDIR: "give a file name, not a folder",
    errno.ENOTDIR: "check the path: a part of it is a file, not a folder",
    errno.ENOENT: "check the path, or create the folder",
    errno.ENAMETOOLONG: "use a shorter name",
    errno.EMFILE: "close other programs or raise the open-file limit",
}


def system_error_line(error: BaseException) -> str:
    """``what, where, what to do`` for an ``OSError`` and the other system refusals."""
    if isinstance(error, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({error.reason} at byte {error.start}), give a text file"
    if isinstance(error, RecursionError):
        return "the input is nested too deeply to read, simplify it or re-export it"
    if isinstance(error, MemoryError):
        return "not enough memory for this input, use a shorter range or a smaller input"
    assert isinstance(error, OSError)
    what = error.strerror or str(error) or type(error).__name__
    parts = [what[:1].lower() + what[1:]]
    names = [_final(name) for name in (error.filename, error.filename2) if name is not None]
    if names:
        parts.append(" -> ".join(str(name) for name in names))
    fix = _FIXES.get(error.errno or 0)
    if fix:
        parts.append(fix)
    return ", ".join(parts)


#: A temporary beside its output (postprod.atomic.partial_path): ``.NAME.PID[-x].partial...``.
_PARTIAL = re.compile(r"\.(?P<name>.+)\.\d+(-[^./]*)?\.partial[^/]*")


def _final(name: object) -> str:
    """The output a temporary stands for: the user never named ``.out.wav.123.partial``."""
    path = str(name)
    head, _, tail = path.rpartition("/")
    found = _PARTIAL.fullmatch(tail)
    if found is None:
        return path
    return f"{head}/{found['name']}" if head else found["name"]
