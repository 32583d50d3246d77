"""The console's C heap: at most two malloc arenas, and its free pages given back (console/heap.py).

Each case runs in a child process (an arena limit is for the whole process) that starts
eight threads allocating and freeing buffers, then counts glibc's heaps in
``malloc_info``'s report. Skipped where the C library is not glibc.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from postprod.console import heap

if not heap.trim():  # no malloc_trim: not glibc
    pytest.skip(
        "the C library is not glibc (no malloc_trim, mallopt, malloc_info)", allow_module_level=True
    )

CHILD = """
import ctypes, sys, tempfile, threading
from postprod.console import heap
if sys.argv[1] == "limit":
    assert heap.limit_arenas()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
start = threading.Barrier(8)
def work():
    start.wait()  # all eight at once, so they contend for an arena
    blocks = [libc.malloc(64 * 1024) for _ in range(200)]
    for block in blocks:
        libc.free(block)
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert heap.trim()
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
with tempfile.NamedTemporaryFile(suffix=".xml") as report:
    stream = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(open(report.name).read().count("<heap nr="))
"""


def _heaps(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_the_console_keeps_two_arenas_where_threads_would_make_more() -> None:
    assert _heaps("default") > heap.ARENAS  # the contention the limit is for happens
    assert _heaps("limit") <= heap.ARENAS
