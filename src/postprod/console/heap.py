"""Giving the C heap's free memory back to the system, now and then.

The console's work (mixing meters, rendering previews, building the state) makes
and frees large buffers in many threads. glibc keeps what is freed for reuse, so
a long-running console's resident memory crept up (about 6 MB per 1000 actions
after warm-up) although the memory Python holds stayed level (``tracemalloc``):
``malloc_trim(0)`` hands those free pages back. What a trim cannot hand back is a
page still partly used, and glibc gives every thread that allocates an arena of its
own (up to 8 per core), so the console's thread pool spread its buffers over many
heaps and left partly used pages in each: the floor after each trim still rose
(+3.4 MB per 1000 actions) while the heap in use rose 0.3 MB. Two arenas
(:func:`limit_arenas`, as ``MALLOC_ARENA_MAX=2`` would) keep the floor level and the
server 20-40 MB smaller (bench/RESULTS.md, "Console"). Elsewhere than glibc both do
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

TRIM_INTERVAL_S = 30.0  # how often the console's watch loop trims (seconds)
ARENAS = 2  # malloc arenas for the console's process
_M_ARENA_MAX = -8  # mallopt's parameter number (glibc's malloc.h)


@functools.cache
def _libc_function(name: str, *argtypes: type) -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        function: Callable[..., int] = getattr(libc, name)
    except (OSError, AttributeError):  # not glibc
        return None
    function.argtypes = list(argtypes)  # type: ignore[attr-defined]
    function.restype = ctypes.c_int  # type: ignore[attr-defined]
    return function


def _malloc_trim() -> Callable[..., int] | None:
    return _libc_function("malloc_trim", ctypes.c_size_t)


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Let the C heap use at most ``arenas`` arenas from now on (call it before threads
    start: a thread keeps the arena it has); False where there is no ``mallopt``."""
    mallopt = _libc_function("mallopt", ctypes.c_int, ctypes.c_int)
    return mallopt is not None and mallopt(_M_ARENA_MAX, arenas) == 1


def trim() -> bool:
    """Return the heap's free pages to the system; False where there is no ``malloc_trim``."""
    release = _malloc_trim()
    if release is None:
        return False
    release(0)
    return True


__all__ = ["ARENAS", "TRIM_INTERVAL_S", "limit_arenas", "trim"]
