"""The ``postprod`` command line: a thin front end over the library.

Commands live one group per module; this package assembles them and owns the
error contract: a user's mistake prints ``error: <what>, <where>, <what to do>``
and exits 2, an internal failure prints a short message and exits 1 (with the
traceback under ``--debug``).
"""

from postprod.cli.main import app, main

__all__ = ["app", "main"]
