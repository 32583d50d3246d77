"""Read another tool's file into an OTIO timeline through the adapter its suffix names.

``read_interchange`` returns what the adapter makes (a Timeline, or a
collection for files holding several projects); ``import_timeline`` picks
the timeline and normalises it: an EDL's first record timecode becomes
``global_start_time`` as in the other formats, FCPX's ``tcStart`` likewise.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.errors import InterchangeError, MediaNotFoundError
from postprod.interchange.edl import edl_rate, edl_text, failing_line, record_start_to_global
from postprod.interchange.edl_wipes import wipes_from_edl
from postprod.interchange.fcp import fcp7_enabled_and_names, fcpx_start_timecode
from postprod.interchange.formats import adapter_for, is_bad_input, read_failure

_EVENT = re.compile(r"^\s*\d{3,}\s")


def _source_file(source: Path) -> Path:
    """The file to parse: an ``.fcpxmld`` bundle keeps its XML in ``Info.fcpxml``."""
    if source.suffix.lower() == ".fcpxmld" and source.is_dir():
        return source / "Info.fcpxml"
    return source


def read_interchange(
    path: str | os.PathLike[str], *, rate: float | None = None, **options: Any
) -> Any:
    """What the adapter reads from ``path`` (a Timeline, or a collection for some files)."""
    source = Path(path)
    adapter = adapter_for(source)
    parsed = _source_file(source)
    if not parsed.is_file():
        raise MediaNotFoundError(
            f"{source} does not exist", where=str(source), fix="check the path"
        )
    if adapter == "cmx_3600":
        return _read_edl(source, rate, options)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the AAF adapter prints notes to stdout
            result = otio.adapters.read_from_file(str(parsed), adapter_name=adapter, **options)
    except Exception as error:
        if is_bad_input(error):
            raise read_failure(source, error) from None
        raise
    if adapter == "fcp_xml" and isinstance(result, otio.schema.Timeline):
        fcp7_enabled_and_names(result, parsed)
    return result


def _read_edl(source: Path, rate: float | None, options: dict[str, Any]) -> Any:
    text = edl_text(source)
    options.setdefault("rate", rate or edl_rate(text))

    def read(content: str) -> Any:
        return otio.adapters.read_from_string(content, adapter_name="cmx_3600", **options)

    try:
        return read(text)
    except Exception as error:
        if not is_bad_input(error):
            raise
        line = failing_line(text, read, error)
        where = None
        if line is not None:
            line = _event_line(text.splitlines(), line)
            quoted = text.splitlines()[line - 1].strip()
            where = f"{source}, line {line}: {quoted[:60]!r}"
        raise read_failure(source, error, where) from None


def _event_line(lines: list[str], line: int) -> int:
    """The event line (``001  REEL  V  C ...``) that a failing comment line belongs to."""
    at = line
    while at > 1 and not _EVENT.match(lines[at - 1]):
        at -= 1
    return at if _EVENT.match(lines[at - 1]) else line


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
    adapter = adapter_for(source)
    if adapter == "cmx_3600":
        text = edl_text(source)
        edl_rate_used = options.get("rate") or rate or edl_rate(text)
        record_start_to_global(timeline, float(edl_rate_used))
        wipes_from_edl(timeline, text)
    elif adapter == "fcpx_xml":
        fcpx_start_timecode(timeline, _source_file(source))
    return timeline
