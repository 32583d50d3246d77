"""The ``postprod`` command line: a thin front end over the library.

Commands live one group per module; this package assembles them and owns the
error contract: a user's mistake prints ``error: <what>, <where>, <what to do>``
and exits 2, an internal failure prints a short message and exits 1 (with the
traceback under ``--debug``). This module imports nothing at its top but ``sys``:
:func:`main` handles Ctrl-C and SIGTERM before anything else is imported, so a
stop during start-up is one line, not a traceback.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see :func:`postprod.cli.main.main`)."""
    try:
        from postprod.cli.stopping import stop_on_sigterm

        stop_on_sigterm()
        run = _load().main  # type: ignore[attr-defined]
        return int(run(argv))
    except KeyboardInterrupt as stop:  # before the command line's own handler was in place
        sys.stderr.write("interrupted\n")
        status = 143 if type(stop).__name__ == "Terminated" else 130  # 128 + the signal
        if argv is None:
            sys.exit(status)
        return status


_ENTRY = main


def _load() -> object:
    """``postprod.cli.main``; importing it binds the package's name ``main`` to the module,
    so the entry point's function is put back."""
    __import__("postprod.cli.main")
    globals()["main"] = _ENTRY
    return sys.modules["postprod.cli.main"]


def __getattr__(name: str) -> object:
    if name == "app":
        return _load().app  # type: ignore[attr-defined]
    raise AttributeError(name)


__all__ = ["app", "main"]
