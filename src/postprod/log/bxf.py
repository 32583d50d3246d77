"""The as-run log as SMPTE ST 2021 (BXF, Broadcast eXchange Format) XML.

BXF is how play-out automation tells traffic and scheduling systems what
aired. postprod writes the as-run part of it for one channel (usually one
broadcast day), a subset of the standard's AsRun structure::

    BxfMessage (id, dateTime, messageType="Information", origin, originType)
      BxfData action="add"
        AsRun broadcastDate
          Channel shortName
          AsRunDetail                         one per broadcast entry, in air order
            BasicAsRun
              AsRunEventId/EventId           postprod-log:<entry id>
              Content/ContentId/HouseNumber  the house id (when logged)
              Content/Name                   the programme
              ScheduledStartDateTime/SmpteDateTime broadcastDate + SmpteTimeCode
              StartDateTime/SmpteDateTime    the actual start (absent when skipped)
              Duration/SmpteDuration/SmpteTimeCode
              AsRunStatus status="aired|cut short|replaced|skipped"
                Reason                       why, when not aired as scheduled

Times of day and durations are SMPTE timecode at the entry's frame rate
(``frameRate`` on each SmpteTimeCode's parent; drop-frame labels use ``;``).
The message's ``id`` is a UUID derived from the entries' hashes, so the same
log exported twice gives the same message id. The XML is checked for
well-formedness and structure by the tests with the standard library's
parser; it is not validated against SMPTE's XSD, which postprod does not
ship.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from postprod.log.entry import STATUS_LABELS, BroadcastItem, Entry
from postprod.log.reports import duration_timecode, entry_rate
from postprod.log.times import wall_clock
from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import frames_to_label

BXF_NAMESPACE = "http://smpte-ra.org/schemas/2021/2008/BXF"
_UUID_SPACE = uuid.UUID("8c1f4c3e-5d0b-4f7e-9a51-2b1f0d6c7a10")  # postprod's as-run messages


def as_run_bxf(
    entries: Sequence[Entry], *, channel: str, day: str, now: datetime | None = None
) -> str:
    """BXF as-run XML of the broadcast ``entries`` of ``channel`` on ``day`` (text for a file)."""
    items = [e for e in entries if isinstance(e.details, BroadcastItem)]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    digest = ",".join(e.hash for e in items) + f"|{channel}|{day}"
    message = _element(
        None,
        "BxfMessage",
        xmlns=BXF_NAMESPACE,  # every element below is in it (attributes stay unqualified)
        id=f"urn:uuid:{uuid.uuid5(_UUID_SPACE, digest)}",
        dateTime=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        messageType="Information",
        origin="postprod",
        originType="Automation",
    )
    data = _element(message, "BxfData", action="add")
    as_run = _element(data, "AsRun", **({"broadcastDate": day} if day else {}))
    _element(as_run, "Channel", shortName=channel or "all channels")
    for entry in items:
        _detail(as_run, entry)
    ET.indent(message)
    body = ET.tostring(message, "unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _detail(parent: ET.Element, entry: Entry) -> None:
    item = entry.details
    assert isinstance(item, BroadcastItem)
    rate = entry_rate(item)
    basic = _element(_element(parent, "AsRunDetail"), "BasicAsRun")
    _text(_element(basic, "AsRunEventId"), "EventId", f"postprod-log:{entry.id}")
    content = _element(basic, "Content")
    if item.house_id:
        _text(_element(content, "ContentId"), "HouseNumber", item.house_id)
    _text(content, "Name", item.programme)
    if item.scheduled_at:
        _date_time(_element(basic, "ScheduledStartDateTime"), item.scheduled_at, rate)
    if item.status != "skipped":
        _date_time(_element(basic, "StartDateTime"), item.aired_at or entry.at, rate)
    if item.duration_s is not None:
        smpte = _element(_element(basic, "Duration"), "SmpteDuration", frameRate=_rate(rate))
        _text(smpte, "SmpteTimeCode", duration_timecode(item.duration_s, rate))
    status = _element(basic, "AsRunStatus", status=STATUS_LABELS[item.status])
    if item.reason:
        _text(status, "Reason", item.reason)


def _date_time(parent: ET.Element, text: str, rate: FrameRate) -> None:
    moment = wall_clock(text)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    frames = round((moment - midnight).total_seconds() * rate.fps)
    smpte = _element(
        parent, "SmpteDateTime", broadcastDate=moment.date().isoformat(), frameRate=_rate(rate)
    )
    _text(smpte, "SmpteTimeCode", frames_to_label(frames, rate))


def _rate(rate: FrameRate) -> str:
    return f"{float(rate.fps):.3f}".rstrip("0").rstrip(".") + ("DF" if rate.drop_frame else "")


def _element(parent: ET.Element | None, tag: str, **attributes: str) -> ET.Element:
    if parent is None:
        return ET.Element(tag, attributes)
    return ET.SubElement(parent, tag, attributes)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = _element(parent, tag)
    element.text = value
    return element
