"""What the CMX 3600 adapter leaves to us: the rate, the encoding, record timecodes, error lines.

An EDL does not state its frame rate, so it is guessed from the frame
numbers of its timecodes (or given with ``--rate``). The adapter keeps the
first record timecode as a negative track ``source_range``; postprod moves it
into ``Timeline.global_start_time`` (what the other formats use) on import,
and puts it back for the writer on export. When the adapter refuses a file,
the shortest failing prefix of the file names the line to blame.

:func:`read_edl`, :func:`after_edl_import` and :func:`write_edl` are the EDL's
hooks in ``postprod.interchange.formats.FORMATS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

from postprod.atomic import write_text
from postprod.errors import InterchangeError
from postprod.interchange.edl_wipes import wipes_from_edl, wipes_to_edl
from postprod.interchange.failures import ADAPTER_FAILURES, is_bad_input, read_failure, reason

if TYPE_CHECKING:
    from postprod.interchange.formats import Format

_EVENT = re.compile(r"^\s*\d{3,}\s")

_TIMECODE = re.compile(r"\b\d\d[:;]\d\d[:;]\d\d[:;.](\d\d)\b")


def edl_text(source: Path) -> str:
    """The EDL's text: UTF-8, else ISO-8859-1 (Premiere writes it; every byte is a character)."""
    data = source.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def edl_rate(text: str) -> float:
    """The frame rate an EDL's timecodes imply (an EDL does not say): 24 unless a frames
    field reaches 24 (then 25) or 25 (then 30; 29.97 with drop-frame ``;`` labels or FCM)."""
    highest = max((int(f) for f in _TIMECODE.findall(text)), default=0)
    drop = bool(re.search(r"FCM:\s*DROP FRAME", text, re.IGNORECASE)) or bool(
        re.search(r"\d\d:\d\d:\d\d;\d\d", text)
    )
    if highest >= 25 or drop:
        return 30000 / 1001 if drop else 30.0
    return 25.0 if highest == 24 else 24.0


def failing_line(text: str, read: Callable[[str], object], error: BaseException) -> int | None:
    """The 1-based line whose arrival makes ``read`` fail as it did on the whole ``text``.

    The adapter reads events in order, so a prefix fails once it holds the bad
    line: a bisection finds the shortest such prefix in log2(lines) reads.
    """
    lines = text.splitlines(keepends=True)
    wanted = (type(error), reason(error))

    def fails(count: int) -> bool:
        try:
            read("".join(lines[:count]))
        except ADAPTER_FAILURES as other:
            return (type(other), reason(other)) == wanted
        return False

    if not lines or not fails(len(lines)):
        return None
    low, high = 0, len(lines)  # fails(high) holds; fails(low) does not (an empty EDL reads)
    while high - low > 1:
        middle = (low + high) // 2
        if fails(middle):
            high = middle
        else:
            low = middle
    return high


def record_start_to_global(timeline: otio.schema.Timeline, rate: float) -> None:
    """Move the adapter's per-track record offsets into ``global_start_time``, in place.

    Tracks that start later than the earliest get a leading gap, so every
    event keeps its record timecode: record = global start + position in track.
    """
    offsets: list[otio.opentime.RationalTime] = []
    for track in timeline.tracks:
        kept = track.source_range
        if kept is None:
            offsets.append(otio.opentime.RationalTime(0, rate))
            continue
        if kept.duration != track.available_range().duration or kept.start_time.value > 0:
            return  # not the shape the adapter makes: leave it alone
        offsets.append(-kept.start_time)
    start = min(offsets, default=otio.opentime.RationalTime(0, rate))
    for track, offset in zip(timeline.tracks, offsets, strict=True):
        track.source_range = None
        lead = offset - start
        if lead.value > 0:
            track.insert(0, otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=lead)))
    timeline.global_start_time = start.rescaled_to(rate)


def global_to_record_start(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """Give the tracks ``global_start_time`` the way the EDL writer reads record timecodes, in place
    (call it on the copy being exported); returns the timeline."""
    start = timeline.global_start_time
    if start is None or start.value == 0:
        return timeline
    for track in timeline.tracks:
        available = track.available_range()
        base = track.source_range or available
        track.source_range = otio.opentime.TimeRange(
            base.start_time - start.rescaled_to(available.duration.rate), base.duration
        )
    return timeline


def with_fcm(text: str, rate: float) -> str:
    """The writer's EDL with the ``FCM:`` line it omits (drop frame at 29.97 and 59.94)."""
    if re.search(r"^FCM:", text, re.MULTILINE):
        return text
    drop = round(rate * 1001) % 1000 == 0 and abs(rate - round(rate)) > 1e-6
    fcm = "FCM: DROP FRAME" if drop else "FCM: NON-DROP FRAME"
    lines = text.splitlines(keepends=True)
    at = 1 if lines and lines[0].startswith("TITLE:") else 0
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    return "".join([*lines[:at], fcm + newline, *lines[at:]])


def read_edl(fmt: Format, source: Path, rate: float | None, options: dict[str, Any]) -> Any:
    """An EDL through the cmx_3600 adapter at ``rate`` (else the rate its timecodes imply);
    a refusal names the event line the adapter failed on."""
    text = edl_text(source)
    options.setdefault("rate", rate or edl_rate(text))

    def read(content: str) -> Any:
        return otio.adapters.read_from_string(content, adapter_name=fmt.adapter, **options)

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


def after_edl_import(timeline: otio.schema.Timeline, source: Path, rate: float | None) -> None:
    """The first record timecode as ``global_start_time``, and postprod's wipes back, in place."""
    text = edl_text(source)
    record_start_to_global(timeline, float(rate or edl_rate(text)))
    wipes_from_edl(timeline, text)


def write_edl(
    fmt: Format, timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]
) -> None:
    """One video and at most two audio tracks as a CMX 3600 EDL, with its wipes and FCM line."""
    video = [track for track in timeline.video_tracks() if track.enabled]
    audio = [track for track in timeline.audio_tracks() if track.enabled]
    if len(video) != 1 or len(audio) > 2:
        raise InterchangeError(
            f"a CMX 3600 EDL holds one video track and at most two audio tracks; "
            f"this timeline has {len(video)} video and {len(audio)} audio",
            where=str(target),
            fix="disable or remove the other tracks (or export one EDL per track), "
            "or export .otio / .xml / .aaf",
        )
    start = timeline.global_start_time
    rate = float(options.pop("rate", 0) or (start.rate if start else video[0].duration().rate))
    text = otio.adapters.write_to_string(
        global_to_record_start(timeline), adapter_name=fmt.adapter, rate=rate, **options
    )
    write_text(target, with_fcm(wipes_to_edl(text, timeline), rate))
