"""The ``postprod`` command line: a thin front end over the library.

Commands live one group per module; this package assembles them and owns the
error contract: a user's mistake prints ``error: <what>, <where>, <what to do>``
and exits 2, an internal failure prints a short message and exits 1 (with the
traceback under ``--debug``). :func:`main` imports the command line itself
only after SIGTERM and Ctrl-C are handled, so a stop during start-up is one
line, not a traceback.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

from postprod.cli.stopping import EXIT_TERMINATED, Terminated, stop_on_sigterm


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see :func:`postprod.cli.main.main`)."""
    stop_on_sigterm()
    try:
        run = _load().main
        return int(run(argv))
    except KeyboardInterrupt as stop:  # before the command line's own handler was in place
        sys.stderr.write("interrupted\n")
        status = EXIT_TERMINATED if isinstance(stop, Terminated) else 130
        if argv is None:
            sys.exit(status)
        return status


_ENTRY = main


def _load() -> ModuleType:
    """``postprod.cli.main``; importing it binds the package's name ``main`` to the module,
    so the entry point's function is put back."""
    module = importlib.import_module("postprod.cli.main")
    globals()["main"] = _ENTRY
    return module


def __getattr__(name: str) -> Any:
    if name == "app":
        return _load().app
    raise AttributeError(name)


__all__ = ["app", "main"]
