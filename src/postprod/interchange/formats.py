"""The interchange formats: which OpenTimelineIO adapter reads and writes which file, and the
hooks that fix around what each adapter gets wrong.

One registry, :data:`FORMATS`: each :class:`Format` names its suffixes, its
adapter, how a file is read (``read``), what is fixed in what the adapter
read (``after_read``, for :func:`~postprod.interchange.read_interchange`) and
in the timeline imported (``after_import``), and how a timeline is written
(``write``). ``importing`` and ``exporting`` only look the format up, so
adding a format adds a row here (and its hooks beside this module), not a
branch. The adapters do the work (cmx_3600, fcp_xml, fcpx_xml, AAF,
otio_json, otioz); ``edl``, ``edl_wipes`` and ``fcp`` hold the fix-ups;
``failures`` turns every adapter failure into one ``InterchangeError``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import opentimelineio as otio

from postprod.atomic import replacing, write_text
from postprod.errors import InterchangeError
from postprod.interchange.aaf_read import aaf_track_names, read_aaf
from postprod.interchange.aaf_write import write_aaf
from postprod.interchange.edl import after_edl_import, read_edl, write_edl
from postprod.interchange.fcp import fcp7_after_read, fcp7_names_and_speed, fcpx_start_timecode
from postprod.interchange.fcpxml import fcpxml_text, read_fcpxml
from postprod.interchange.otio_read import read_otio

#: ``(format, source, rate, options) -> what the adapter read`` (a Timeline or a collection).
ReadFunction = Callable[["Format", Path, "float | None", dict[str, Any]], Any]
#: ``(timeline, file read) -> None``: fixes what the adapter read, in place.
AfterRead = Callable[[otio.schema.Timeline, Path], None]
#: ``(timeline, file read, rate given) -> None``: normalises an imported timeline, in place.
AfterImport = Callable[[otio.schema.Timeline, Path, "float | None"], None]
#: ``(format, timeline, target, options) -> None``: writes the file (atomically).
WriteFunction = Callable[["Format", otio.schema.Timeline, Path, dict[str, Any]], None]


def read_with_adapter(
    fmt: Format, source: Path, rate: float | None, options: dict[str, Any]
) -> Any:
    """The adapter's reading of the file (the document inside, for a bundle folder)."""
    return otio.adapters.read_from_file(
        str(fmt.file_in(source)), adapter_name=fmt.adapter, **options
    )


def write_string(
    fmt: Format, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """The adapter's text, written atomically."""
    write_text(target, otio.adapters.write_to_string(timeline, adapter_name=fmt.adapter, **options))


def write_to_path(
    fmt: Format, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """For adapters that only write to a path (and look at its suffix): a temporary path
    with the target's suffix, renamed over the target when complete."""
    with replacing(target) as temporary:
        final = temporary.with_name(temporary.name + target.suffix)
        try:
            otio.adapters.write_to_file(timeline, str(final), adapter_name=fmt.adapter, **options)
            os.replace(final, temporary)
        finally:
            final.unlink(missing_ok=True)


def write_bundle(
    fmt: Format, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """A bundle folder (``.fcpxmld``) holding the FCPXML document, replaced as a whole."""
    text = fcpxml_text(timeline)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / fmt.inside).write_text(text, encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_fcp7(
    fmt: Format, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """FCP 7 XML through the adapter, with the track names and speed it leaves out."""
    text = otio.adapters.write_to_string(timeline, adapter_name=fmt.adapter, **options)
    write_text(target, fcp7_names_and_speed(text, timeline))


def write_fcpxml(
    fmt: Format, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """The timeline as FCPXML with exact rational times, written atomically."""
    write_text(target, fcpxml_text(timeline))


def _fcpx_after_import(timeline: otio.schema.Timeline, source: Path, rate: float | None) -> None:
    fcpx_start_timecode(timeline, source)


@dataclass(frozen=True, slots=True)
class Format:
    """One interchange format: its suffixes, its OTIO adapter and the hooks around it."""

    name: str
    adapter: str
    suffixes: tuple[str, ...]
    read: ReadFunction = read_with_adapter
    after_read: AfterRead | None = None
    after_import: AfterImport | None = None
    write: WriteFunction = write_string
    inside: str = ""  # a bundle folder: the file in it that holds the document
    keeps_generators: bool = False  # titles stay generators (else written as missing media)

    def file_in(self, source: Path) -> Path:
        """The file to parse: ``source``, or the document inside a bundle folder."""
        return source / self.inside if self.inside and source.is_dir() else source


FORMATS: tuple[Format, ...] = (
    Format("OpenTimelineIO", "otio_json", (".otio",), read=read_otio, keeps_generators=True),
    Format("OpenTimelineIO zip", "otioz", (".otioz",), write=write_to_path, keeps_generators=True),
    Format(
        "CMX 3600 EDL",
        "cmx_3600",
        (".edl", ".txt"),
        read=read_edl,
        after_import=after_edl_import,
        write=write_edl,
    ),
    Format("FCP 7 XML", "fcp_xml", (".xml",), after_read=fcp7_after_read, write=write_fcp7),
    Format(
        "FCPX XML",
        "fcpx_xml",
        (".fcpxml",),
        read=read_fcpxml,
        after_import=_fcpx_after_import,
        write=write_fcpxml,
        keeps_generators=True,
    ),
    Format(
        "FCPX XML bundle",
        "fcpx_xml",
        (".fcpxmld",),
        read=read_fcpxml,
        after_import=_fcpx_after_import,
        keeps_generators=True,
        write=write_bundle,
        inside="Info.fcpxml",
    ),
    Format("AAF", "AAF", (".aaf",), read=read_aaf, after_read=aaf_track_names, write=write_aaf),
)

#: The format of each suffix we read and write.
BY_SUFFIX = MappingProxyType({suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes})
#: The adapter of each suffix (``.fcpxmld`` is a folder holding ``Info.fcpxml``).
ADAPTERS = MappingProxyType({suffix: fmt.adapter for suffix, fmt in BY_SUFFIX.items()})


def format_for(path: Path) -> Format:
    """The format ``path``'s suffix names, or a clear refusal."""
    fmt = BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InterchangeError(
            f"{path.name}: postprod does not know the format of a {path.suffix or 'suffix-less'} file",
            where=str(path),
            fix=f"use one of {', '.join(sorted(BY_SUFFIX))}",
        )
    return fmt


def adapter_for(path: Path) -> str:
    """The adapter name for ``path``'s suffix, or a clear refusal."""
    return format_for(path).adapter
