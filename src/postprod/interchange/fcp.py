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


def _timeline_tracks_in_xml_order(timeline: otio.schema.Timeline) -> list[otio.schema.Track]:
    return [*timeline.video_tracks(), *timeline.audio_tracks()]


def fcp7_names_and_speed(text: str, timeline: otio.schema.Timeline) -> str:
    """The FCP 7 XML writer's document with what otio-fcp-adapter 1.0.0 leaves out: track
    names (Premiere's ``MZ.TrackName``) and speed (a Time Remap filter, the clip item's out
    point at source in + record length x speed, as FCP 7 counts it). Applied only where the
    XML's tracks and clip items line up with the timeline's."""
    root = ElementTree.fromstring(text)
    sequence = root.find(".//sequence")
    if sequence is None:
        return text
    xml_tracks = sequence.findall("./media/video/track") + sequence.findall("./media/audio/track")
    tracks = _timeline_tracks_in_xml_order(timeline)
    if len(xml_tracks) != len(tracks):
        return text
    for element, track in zip(xml_tracks, tracks, strict=True):
        if track.name:
            element.set("MZ.TrackName", str(track.name))
        items = element.findall("./clipitem")
        clips = [child for child in track if isinstance(child, otio.schema.Clip)]
        if len(items) != len(clips):
            continue
        for item, clip in zip(items, clips, strict=True):
            warps = [e for e in clip.effects if isinstance(e, otio.schema.LinearTimeWarp)]
            if warps and warps[0].time_scalar > 0:
                _time_remap(item, float(warps[0].time_scalar))
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + body + "\n"


def _time_remap(item: ElementTree.Element, speed: float) -> None:
    """A clip item played at ``speed``: FCP 7's Time Remap filter, its out point in source frames."""
    begin, end = item.find("./in"), item.find("./out")
    if begin is not None and end is not None and begin.text and end.text:
        frames = int(end.text) - int(begin.text)
        end.text = str(int(begin.text) + round(frames * speed))
    effect = ElementTree.SubElement(ElementTree.SubElement(item, "filter"), "effect")
    for tag, value in (
        ("name", "Time Remap"),
        ("effectid", "timeremap"),
        ("effectcategory", "motion"),
        ("effecttype", "motion"),
        ("mediatype", "video"),
    ):
        ElementTree.SubElement(effect, tag).text = value
    for parameter_id, value in (("variablespeed", "0"), ("speed", f"{speed * 100:g}")):
        parameter = ElementTree.SubElement(effect, "parameter")
        ElementTree.SubElement(parameter, "parameterid").text = parameter_id
        ElementTree.SubElement(parameter, "value").text = value


def fcp7_speed(timeline: otio.schema.Timeline, source: Path) -> None:
    """Clip items with a Time Remap filter as clips with a ``LinearTimeWarp``, their length the
    record length (``end - start``), in place; only where tracks and items line up."""
    sequence = ElementTree.parse(source).getroot().find(".//sequence")
    if sequence is None:
        return
    audio = [
        track
        for track in sequence.findall("./media/audio/track")
        if track.get("currentExplodedTrackIndex", "0") == "0"
    ]
    xml_tracks = sequence.findall("./media/video/track") + audio
    if len(xml_tracks) != len(timeline.tracks):
        return
    for element, track in zip(xml_tracks, timeline.tracks, strict=True):
        items = element.findall("./clipitem")
        clips = [child for child in track if isinstance(child, otio.schema.Clip)]
        if len(items) != len(clips):
            continue
        for item, clip in zip(items, clips, strict=True):
            speed = None
            for effect in item.findall("./filter/effect"):
                if (effect.findtext("effectid") or "").strip() == "timeremap":
                    for parameter in effect.findall("./parameter"):
                        if (parameter.findtext("parameterid") or "").strip() == "speed":
                            speed = float(parameter.findtext("value") or "100") / 100
            start, end = item.findtext("start"), item.findtext("end")
            if not speed or start is None or end is None or int(start) < 0 or int(end) < 0:
                continue
            kept = clip.source_range
            clip.source_range = otio.opentime.TimeRange(
                kept.start_time,
                otio.opentime.RationalTime(int(end) - int(start), kept.duration.rate),
            )
            for effect in list(clip.effects):  # the adapter's generic reading of the filter
                fcp = effect.metadata.get("fcp_xml", {})
                if not isinstance(effect, otio.schema.LinearTimeWarp) and (
                    fcp.get("effectid") == "timeremap"
                ):
                    clip.effects.remove(effect)
            if not any(isinstance(e, otio.schema.LinearTimeWarp) for e in clip.effects):
                clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=speed))


def fcp7_after_read(timeline: otio.schema.Timeline, source: Path) -> None:
    """The FCP 7 XML adapter's reading put right: enabled flags, track names, speed."""
    fcp7_enabled_and_names(timeline, source)
    fcp7_speed(timeline, source)
