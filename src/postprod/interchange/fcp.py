"""Fix-ups for what the FCP 7 XML and FCPX XML adapters (the PyPI releases) drop.

Each fix reads the XML with the standard library's parser, changes only
what the adapter demonstrably missed, and does nothing when the file and
the adapter's result do not line up one to one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio


def fcp7_enabled_and_names(timeline: otio.schema.Timeline, source: Path) -> None:
    """Carry FCP 7 XML's ``<enabled>`` flags and Premiere's track names into the timeline.

    otio-fcp-adapter 1.0.0 drops them; its later sources read them. Applied
    only where the XML's tracks and clip items line up with what the adapter built.
    """
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
            track.name = element.get("MZ.TrackName") or ""
        items = element.findall("./clipitem")
        clips = [child for child in track if isinstance(child, otio.schema.Clip)]
        if len(items) != len(clips):
            continue
        for item, clip in zip(items, clips, strict=True):
            flag = item.find("./enabled")
            if flag is not None and flag.text:
                clip.enabled = flag.text.strip().upper() != "FALSE"


def _seconds(value: str | None) -> Fraction | None:
    """An FCPXML time (``"3600s"``, ``"1001/30000s"``) as exact seconds."""
    if not value or not value.endswith("s"):
        return None
    try:
        return Fraction(value[:-1])
    except (ValueError, ZeroDivisionError):
        return None


def fcpx_start_timecode(timeline: otio.schema.Timeline, source: Path) -> None:
    """Turn the leading gap the FCPX adapter makes of a sequence's ``tcStart`` into ``global_start_time``.

    otio-fcpx-xml-adapter 1.x places clips at their ``offset``, which counts
    from ``tcStart``; a project starting at 01:00:00:00 gains an hour of gap.
    """
    root = ElementTree.parse(source).getroot()
    formats = {f.get("id"): f for f in root.iter("format")}
    for project in root.iter("project"):
        if project.get("name") != timeline.name:
            continue
        sequence = project.find("sequence")
        if sequence is None:
            return
        start = _seconds(sequence.get("tcStart"))
        frame = formats.get(sequence.get("format"))
        frame_s = _seconds(frame.get("frameDuration")) if frame is not None else None
        if not start or not frame_s or not timeline.tracks:
            return
        leads = [track[0] if len(track) else None for track in timeline.tracks]
        if not all(
            isinstance(lead, otio.schema.Gap) and lead.duration().to_seconds() >= float(start)
            for lead in leads
        ):
            return
        rate = float(1 / frame_s)
        for track, lead in zip(timeline.tracks, leads, strict=True):
            assert isinstance(lead, otio.schema.Gap)
            left = lead.duration() - otio.opentime.from_seconds(float(start), lead.duration().rate)
            if left.value <= 0:
                track.remove(lead)
            else:
                lead.source_range = otio.opentime.TimeRange(duration=left)
        timeline.global_start_time = otio.opentime.RationalTime(round(start / frame_s), rate)
        return
