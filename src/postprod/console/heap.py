"""Giving the C heap's free memory back to the system, now and then.

The console's work (mixing meters, rendering previews, building the state) makes
and frees large buffers in many threads. glibc keeps what is freed for reuse, so
a long-running console's resident memory crept up (about 6 MB per 1000 actions
after warm-up) although the memory Python holds stayed level (``tracemalloc``):
``malloc_trim(0)`` hands those free pages back. Elsewhere than glibc this does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

TRIM_INTERVAL_S = 30.0  # how often the console's watch loop trims (seconds)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]  # type: ignore[attr-defined]
    trim.restype = ctypes.c_int  # type: ignore[attr-defined]
    return trim


def trim() -> bool:
    """Return the heap's free pages to the system; False where there is no ``malloc_trim``."""
    release = _malloc_trim()
    if release is None:
        return False
    release(0)
    return True


__all__ = ["TRIM_INTERVAL_S", "trim"]
