"""SIGTERM is a stop like Ctrl-C: the same clean-up runs, the same one line is printed.

``kill``, ``timeout`` and service managers send SIGTERM; Python's default would
end the process at once, leaving partial files and throwing a recording take
away. Turned into :class:`Terminated` (a ``KeyboardInterrupt``), it unwinds
through every ``finally`` and ``except BaseException`` that removes a
temporary file or closes a take. Standard library only: this runs before the
command line's own imports, so a Ctrl-C in the first second is one line too.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

#: Exit status of a run stopped by SIGTERM (128 + 15, as a shell reports it).
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind as for Ctrl-C."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    # A second SIGTERM during the clean-up must not interrupt the clean-up itself.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def stop_on_sigterm() -> None:
    """Raise :class:`Terminated` on SIGTERM in this (main) thread from now on."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
