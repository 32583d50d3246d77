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
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

from postprod.atomic import write_text
from postprod.errors import InterchangeError
from postprod.interchange.edl_wipes import wipes_from_edl, wipes_to_edl
from postprod.interchange.failures import ADAPTER_FAILURES, is_bad_input, read_failure, reason
from postprod.interchange.losses import InterchangeWarning

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


_TC = r"\d\d[:;.]\d\d[:;.]\d\d[:;.]\d\d"
_EVENT_TIMES = re.compile(
    rf"^(?P<head>\s*(?P<number>\d{{3,}})\s+\S+\s+\S+\s+(?:C|D|W\d{{3}}|K[BO]?)\s*(?:\d{{3}})?\s+)"
    rf"(?P<source_in>{_TC})(?P<gap1>\s+)(?P<source_out>{_TC})(?P<gap2>\s+)"
    rf"(?P<record_in>{_TC})(?P<gap3>\s+)(?P<record_out>{_TC})(?P<tail>\s*)$"
)
_SPEED_NOTE = re.compile(r"^\s*(M2\s|\*\s*FREEZE)", re.IGNORECASE)


def _frames(label: str, rate: float) -> int:
    return int(otio.opentime.from_timecode(label.replace(".", ":"), rate).value)


def record_times_govern(text: str, rate: float) -> tuple[str, list[str]]:
    """The EDL with each event's source out moved so its source duration equals its record
    duration (what CMX readers in other tools do: audio wipes, events after a motion effect,
    zero-length leaders), and the numbers of the events so changed. Events with an M2 or
    freeze note keep theirs: their durations differ by design."""
    lines = text.splitlines(keepends=True)
    changed: list[str] = []
    for index, line in enumerate(lines):
        match = _EVENT_TIMES.match(line.rstrip("\r\n"))
        if match is None:
            continue
        following = lines[index + 1 : index + 6]
        notes = []
        for other in following:
            if _EVENT.match(other):
                break
            notes.append(other)
        if any(_SPEED_NOTE.match(note) for note in notes):
            continue
        source = _frames(match["source_out"], rate) - _frames(match["source_in"], rate)
        record = _frames(match["record_out"], rate) - _frames(match["record_in"], rate)
        if source == record or record < 0:
            continue
        drop = ";" in match["source_out"]
        start = otio.opentime.from_timecode(match["source_in"].replace(".", ":"), rate)
        out = otio.opentime.to_timecode(
            start + otio.opentime.RationalTime(record, rate), rate, drop
        )
        newline = line[len(line.rstrip("\r\n")) :]
        lines[index] = (
            f"{match['head']}{match['source_in']}{match['gap1']}{out}{match['gap2']}"
            f"{match['record_in']}{match['gap3']}{match['record_out']}{match['tail']}{newline}"
        )
        changed.append(match["number"])
    return "".join(lines), changed


def read_edl(fmt: Format, source: Path, rate: float | None, options: dict[str, Any]) -> Any:
    """An EDL through the cmx_3600 adapter at ``rate`` (else the rate its timecodes imply),
    the record times governing where an event's source and record durations differ (one
    warning); a refusal names the event line the adapter failed on."""
    text = edl_text(source)
    options.setdefault("rate", rate or edl_rate(text))
    try:
        text, changed = record_times_govern(text, float(options["rate"]))
    except ValueError:  # a timecode the rate cannot hold: the adapter names the line
        changed = []
    if changed:
        shown = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
        warnings.warn(
            InterchangeWarning(
                f"{source.name}: {len(changed)} events' source and record durations differ; "
                f"the record times govern, the source out is adjusted (events {shown})"
            ),
            stacklevel=2,
        )

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
    """A CMX 3600 EDL with its wipes and FCM line: one video and up to two sound tracks in one
    list (V, A, A2 events); more tracks than that, one EDL per track (Avid's convention): the
    first video track in ``target``, each other track in ``STEM_V2.edl``, ``STEM_A1.edl``..."""
    # an empty track writes no events (the adapter cannot write one)
    video = [track for track in timeline.video_tracks() if track.enabled and len(track)]
    audio = [track for track in timeline.audio_tracks() if track.enabled and len(track)]
    if not video and not audio:
        raise InterchangeError(
            "the timeline has no enabled track to write",
            where=str(target),
            fix="enable a track",
        )
    start = timeline.global_start_time
    first = (video or audio)[0]
    rate = float(options.pop("rate", 0) or (start.rate if start else first.duration().rate))
    if len(video) <= 1 and len(audio) <= 2:
        parts = [_track_events(timeline, track, "V", rate, options) for track in video]
        parts += [
            _track_events(timeline, track, code, rate, options)
            for track, code in zip(audio, ("A", "A2"), strict=False)
        ]
        write_text(target, with_fcm(_joined(parts, timeline.name), rate))
        return
    written = [target]
    for index, track in enumerate(video + audio):
        is_video = track.kind == otio.schema.TrackKind.Video
        number = (video.index(track) if is_video else audio.index(track)) + 1
        label = f"{'V' if is_video else 'A'}{number}"
        path = target if index == 0 else target.with_name(f"{target.stem}_{label}{target.suffix}")
        events = _track_events(timeline, track, "V" if is_video else "A", rate, options)
        write_text(path, with_fcm(_joined([events], f"{timeline.name} {label}"), rate))
        written.append(path)
    warnings.warn(
        InterchangeWarning(
            f"a CMX 3600 EDL holds one video and two sound tracks: wrote one EDL per track "
            f"({len(video)} video, {len(audio)} sound: {target.name} and "
            f"{', '.join(p.name for p in written[2:])})"
        ),
        stacklevel=2,
    )


_EVENT_NUMBER = re.compile(r"^(\d{3,})(\s+\S+\s+)(\S+)(\s+)")
_M2 = re.compile(r"^M2\s+\S+\s+(?P<fps>-?[0-9.]+)\s+(?P<tc>\S+)")


def _track_events(
    timeline: otio.schema.Timeline,
    track: otio.schema.Track,
    channel: str,
    rate: float,
    options: dict[str, Any],
) -> list[str]:
    """One track's event lines as the adapter writes them (it writes only a first video
    track: a sound track goes through as one), with the channel code, speed source outs and
    the wipes put right."""
    single = otio.schema.Timeline(name=timeline.name)
    single.global_start_time = timeline.global_start_time
    kind = track.kind
    # the timeline is export_timeline's copy: the track moves into a timeline of its own
    parent = track.parent()
    if parent is not None:
        parent.remove(track)
    track.kind = otio.schema.TrackKind.Video
    _black_before_after_transitions(track)
    single.tracks.append(track)
    text = otio.adapters.write_to_string(
        global_to_record_start(single), adapter_name="cmx_3600", rate=rate, **options
    )
    if kind == otio.schema.TrackKind.Video:
        text = wipes_to_edl(text, single)
    lines = [line for line in text.splitlines() if not line.startswith(("TITLE:", "FCM:"))]
    out = []
    for line in _speed_source_outs(lines, rate):
        match = _EVENT_NUMBER.match(line)
        if match and channel != "V":
            width = max(len(match.group(3) + match.group(4)), len(channel) + 1)
            line = f"{match.group(1)}{match.group(2)}{channel:<{width}}{line[match.end(4) :]}"
        out.append(line)
    return [line for line in out if line.strip()]


def _black_before_after_transitions(track: otio.schema.Track) -> None:
    """Gaps after a transition start their (black) source at the transition's reach, so the
    writer's dissolve from black never asks for a negative source timecode, in place."""
    items = list(track)
    for index, item in enumerate(items):
        if isinstance(item, otio.schema.Gap) and index > 0:
            before = items[index - 1]
            if isinstance(before, otio.schema.Transition):
                kept = item.source_range or item.trimmed_range()
                item.source_range = otio.opentime.TimeRange(
                    before.in_offset.rescaled_to(kept.duration.rate), kept.duration
                )


def _speed_source_outs(lines: list[str], rate: float) -> list[str]:
    """An M2 event's source out as CMX has it: source in + record duration x speed (the writer
    puts source in + record duration)."""
    out = list(lines)
    for index, line in enumerate(out):
        match = _EVENT_TIMES.match(line)
        if match is None:
            continue
        speed = None
        for note in out[index + 1 : index + 6]:
            if _EVENT.match(note):
                break
            found = _M2.match(note.strip())
            if found:
                speed = float(found["fps"]) / rate
        if speed is None:
            continue
        record = _frames(match["record_out"], rate) - _frames(match["record_in"], rate)
        begin = otio.opentime.from_timecode(match["source_in"], rate)
        source_out = otio.opentime.to_timecode(
            begin + otio.opentime.RationalTime(round(record * abs(speed)), rate), rate
        )
        out[index] = (
            f"{match['head']}{match['source_in']}{match['gap1']}{source_out}{match['gap2']}"
            f"{match['record_in']}{match['gap3']}{match['record_out']}{match['tail']}"
        )
    return out


def _joined(parts: list[list[str]], title: str) -> str:
    """Event lines of several tracks as one list, numbered on from one track to the next."""
    lines = [f"TITLE: {title}", ""]
    number = 0
    for events in parts:
        renumbered: dict[str, int] = {}
        for line in events:
            match = _EVENT_NUMBER.match(line)
            if match:
                if match.group(1) not in renumbered:
                    number += 1
                    renumbered[match.group(1)] = number
                width = len(match.group(1))
                line = f"{renumbered[match.group(1)]:0{width}d}{line[len(match.group(1)) :]}"
            lines.append(line)
    return "\n".join(lines) + "\n"
