"""Read another tool's file into an OTIO timeline through the adapter its suffix names.

``read_interchange`` returns what the adapter makes (a Timeline, or a
collection for files holding several projects); ``import_timeline`` picks
the timeline and normalises it: an EDL's first record timecode becomes
``global_start_time`` as in the other formats, FCPX's ``tcStart`` likewise.
Both only run the hooks of the file's :class:`~postprod.interchange.formats.Format`.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.errors import InterchangeError, MediaNotFoundError
from postprod.interchange.failures import is_bad_input, read_failure
from postprod.interchange.formats import format_for


def read_interchange(
    path: str | os.PathLike[str], *, rate: float | None = None, **options: Any
) -> Any:
    """What the adapter reads from ``path`` (a Timeline, or a collection for some files)."""
    source = Path(path)
    fmt = format_for(source)
    parsed = fmt.file_in(source)
    if not parsed.is_file():
        raise MediaNotFoundError(
            f"{source} does not exist", where=str(source), fix="check the path"
        )
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the AAF adapter prints notes to stdout
            result = fmt.read(fmt, source, rate, options)
    except InterchangeError:
        raise
    except Exception as error:
        if is_bad_input(error):
            raise read_failure(source, error) from None
        raise
    if fmt.after_read is not None and isinstance(result, otio.schema.Timeline):
        fmt.after_read(result, parsed)
    return result


def import_timeline(
    path: str | os.PathLike[str], *, rate: float | None = None, **options: Any
) -> otio.schema.Timeline:
    """A normalised timeline from any supported file (the first, if the file holds several)."""
    source = Path(path)
    result = read_interchange(source, rate=rate, **options)
    if isinstance(result, otio.schema.Timeline):
        timeline = result
    else:
        found = list(result.find_children(descended_from_type=otio.schema.Timeline))
        if not found:
            raise InterchangeError(
                f"{source.name} holds no timeline (it holds a {type(result).__name__})",
                where=str(source),
                fix="export a sequence or project (not only clips) from the editing tool",
            )
        timeline = found[0]
    fmt = format_for(source)
    if fmt.after_import is not None:
        fmt.after_import(timeline, fmt.file_in(source), options.get("rate") or rate)
    return timeline
