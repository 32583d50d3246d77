"""Import and export through the OpenTimelineIO adapter packages, chosen by file suffix.

The adapters do the work (cmx_3600, fcp_xml, fcpx_xml, AAF, otio_json,
otioz); this module picks one, passes the options a format needs (an EDL has
no frame rate of its own), reads EDLs that are not UTF-8 (Premiere writes
ISO-8859-1), and turns every adapter failure into one ``InterchangeError``
naming the file and, where the adapter says, the line or element.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.atomic import replacing
from postprod.errors import InterchangeError, MediaNotFoundError

#: Adapter for each suffix we read and write.
ADAPTERS = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".edl": "cmx_3600",
    ".txt": "cmx_3600",
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".aaf": "AAF",
}
#: The exceptions adapters raise on bad input (pyaaf2 and the XML parsers raise their own kinds).
_ADAPTER_FAILURES = (
    otio.exceptions.OTIOError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    UnicodeDecodeError,
    OSError,
    RuntimeError,
)


def adapter_for(path: Path) -> str:
    """The adapter name for ``path``'s suffix, or a clear refusal."""
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise InterchangeError(
            f"{path.name}: postprod does not know the format of a {path.suffix or 'suffix-less'} file",
            where=str(path),
            fix=f"use one of {', '.join(sorted(ADAPTERS))}",
        )
    return adapter


def read_interchange(
    path: str | os.PathLike[str], *, rate: float | None = None, **options: Any
) -> Any:
    """What the adapter reads from ``path`` (a Timeline, or a collection for some AAFs)."""
    source = Path(path)
    if not source.is_file():
        raise MediaNotFoundError(
            f"{source} does not exist", where=str(source), fix="check the path"
        )
    adapter = adapter_for(source)
    if adapter == "cmx_3600":
        text = _edl_text(source)
        options.setdefault("rate", rate or edl_rate(text))
        try:
            return otio.adapters.read_from_string(text, adapter_name=adapter, **options)
        except _ADAPTER_FAILURES as error:
            raise _failure(source, error) from None
    try:
        result = otio.adapters.read_from_file(str(source), adapter_name=adapter, **options)
        if adapter == "fcp_xml" and isinstance(result, otio.schema.Timeline):
            _fcp7_enabled_and_names(result, source)
        return result
    except _ADAPTER_FAILURES as error:
        raise _failure(source, error) from None
    except Exception as error:  # XML and AAF parsers raise their own exception types
        if type(error).__module__.split(".")[0] in (
            "xml",
            "aaf2",
            "lxml",
            "otio_aaf_adapter",
            "otio_fcp_adapter",
        ):
            raise _failure(source, error) from None
        raise


def import_timeline(
    path: str | os.PathLike[str], *, rate: float | None = None, **options: Any
) -> otio.schema.Timeline:
    """A timeline from any supported file; a file holding several takes the first, a clear error if none."""
    result = read_interchange(path, rate=rate, **options)
    if isinstance(result, otio.schema.Timeline):
        return result
    timelines = [
        item
        for item in getattr(result, "find_children", lambda **_: [])(
            descended_from_type=otio.schema.Timeline
        )
    ]
    if timelines:
        return timelines[0]
    raise InterchangeError(
        f"{Path(path).name} holds no timeline (it holds a {type(result).__name__})",
        where=str(path),
        fix="export a sequence or timeline from the editing tool",
    )


def export_timeline(
    timeline: otio.schema.Timeline,
    path: str | os.PathLike[str],
    *,
    media_folder: Path | None = None,
    **options: Any,
) -> Path:
    """Write ``timeline`` in the format of ``path``'s suffix, atomically.

    ``media_folder`` is where relative media paths point (the project's
    folder); they are made absolute in what is written, so the other tool
    (or an .otioz bundle) finds the media.
    """
    target = Path(path)
    adapter = adapter_for(target)
    if media_folder is not None:
        timeline = _with_absolute_media(timeline, media_folder)
    if not target.parent.is_dir():
        raise InterchangeError(
            f"folder {target.parent} does not exist", where=str(target), fix="create it"
        )
    if adapter == "cmx_3600":
        _check_edl_exportable(timeline, target)
    try:
        with replacing(target) as temporary:
            final = temporary.with_name(
                temporary.name + target.suffix
            )  # some adapters look at the suffix
            try:
                otio.adapters.write_to_file(timeline, str(final), adapter_name=adapter, **options)
                os.replace(final, temporary)
            finally:
                final.unlink(missing_ok=True)
    except _ADAPTER_FAILURES as error:
        raise InterchangeError(
            f"cannot write {target.name} as {adapter}: {error}",
            where=str(target),
            fix="export to .otio, which keeps everything",
        ) from None
    return target


def _with_absolute_media(timeline: otio.schema.Timeline, folder: Path) -> otio.schema.Timeline:
    copy = timeline.deepcopy()
    for clip in copy.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.ExternalReference) and reference.target_url:
            url = reference.target_url
            if "://" not in url and not Path(url).is_absolute():
                reference.target_url = str((folder / url).resolve())
    return copy


def _check_edl_exportable(timeline: otio.schema.Timeline, target: Path) -> None:
    video = [track for track in timeline.video_tracks() if track.enabled]
    if len(video) > 1:
        raise InterchangeError(
            f"a CMX 3600 EDL holds one video track; this timeline has {len(video)}",
            where=str(target),
            fix="disable or remove the other video tracks, or export .otio / .xml / .aaf",
        )


def edl_rate(text: str) -> float:
    """The frame rate an EDL's timecodes imply (an EDL does not say): 24 unless a frames
    field reaches 24 (then 25) or 25 (then 30; 29.97 with drop-frame ``;`` labels or FCM)."""
    frames = [int(f) for f in re.findall(r"\b\d\d[:;]\d\d[:;]\d\d[:;.](\d\d)\b", text)]
    highest = max(frames, default=0)
    drop = bool(re.search(r"FCM:\s*DROP FRAME", text, re.IGNORECASE)) or ";" in "".join(
        re.findall(r"\d\d:\d\d:\d\d;\d\d", text)
    )
    if highest >= 25 or drop:
        return 30000 / 1001 if drop else 30.0
    return 25.0 if highest == 24 else 24.0


def _fcp7_enabled_and_names(timeline: otio.schema.Timeline, source: Path) -> None:
    """Carry FCP 7 XML's ``<enabled>`` flags and Premiere's track names into the timeline.

    otio-fcp-adapter 1.0.0 (the release on PyPI) drops them; its later
    sources read them. Applied only where the XML's tracks and clip items
    line up one to one with what the adapter built.
    """
    import xml.etree.ElementTree as ElementTree

    sequence = ElementTree.parse(source).getroot().find(".//sequence")
    if sequence is None:
        return
    audio = [  # Premiere explodes a stereo track into two; the adapter keeps the first of each pair
        track
        for track in sequence.findall("./media/audio/track")
        if track.get("currentExplodedTrackIndex", "0") == "0"
    ]
    xml_tracks = sequence.findall("./media/video/track") + audio
    if len(xml_tracks) != len(timeline.tracks):
        return
    for element, track in zip(xml_tracks, timeline.tracks, strict=True):
        flag = element.find("./enabled")
        if flag is not None and flag.text:
            track.enabled = flag.text.strip().upper() != "FALSE"
        if not track.name and element.get("MZ.TrackName"):
            track.name = element.get("MZ.TrackName")
        items = element.findall("./clipitem")
        clips = [child for child in track if isinstance(child, otio.schema.Clip)]
        if len(items) != len(clips):
            continue
        for item, clip in zip(items, clips, strict=True):
            flag = item.find("./enabled")
            if flag is not None and flag.text:
                clip.enabled = flag.text.strip().upper() != "FALSE"


def _edl_text(source: Path) -> str:
    data = source.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # every byte is a character: Premiere's ISO-8859-1 EDLs


def _failure(source: Path, error: BaseException) -> InterchangeError:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    line = re.search(r"line (\d+)", str(error), re.IGNORECASE)
    where = f"{source}, line {line.group(1)}" if line else str(source)
    return InterchangeError(
        f"{source.name} could not be read ({type(error).__name__}: {reason})",
        where=where,
        fix="check the file in the tool that made it, or re-export it",
    )
