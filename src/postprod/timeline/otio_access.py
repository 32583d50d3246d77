"""Reading OTIO's containers from Python without the iterators OpenTimelineIO 0.18 leaks.

OpenTimelineIO 0.18's Python ``__iter__`` of ``AnyDictionary`` and ``AnyVector``
(metadata) and of the object lists (a clip's ``effects`` and ``markers``) returns
an iterator it never frees: about 30 bytes of native memory per iteration, so
``dict(metadata)``, ``items()``, ``list(clip.effects)``, ``repr`` and ``copy``
each leave a little behind. A console that reads the project on every change
turns that into memory that only grows (docs/CONSOLE.md, "Memory"; measured
with ``bench/otio_leak.py``). Indexing and OTIO's own JSON writer (which walks the
same data in C++) free what they make, so reads go through them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import opentimelineio as otio

T = TypeVar("T")


def plain(value: Any) -> Any:
    """OTIO metadata (``AnyDictionary``/``AnyVector``, nested) as plain dicts and lists;
    anything else as it is. Faster than ``dict()`` too (one C++ walk, one ``json.loads``)."""
    if isinstance(value, otio._otio.AnyDictionary | otio._otio.AnyVector):
        text = otio._otio._serialize_json_to_string(otio._otio.PyAny(value), {}, -1)
        return json.loads(text)
    return value


def items_of(vector: Sequence[T]) -> list[T]:
    """The items of an OTIO list (a clip's ``effects``, an item's ``markers``) by index."""
    return [vector[index] for index in range(len(vector))]


__all__ = ["items_of", "plain"]
