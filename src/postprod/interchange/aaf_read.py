"""What the OTIO AAF reader (otio-aaf-adapter 2.0) misses on real files, fixed around it.

- Resolve writes timeline markers without ``DescribedSlots`` (the reader's ``KeyError``):
  they are read from a copy in which each such marker describes its own event slot, so the
  reader finds no track for it and keeps it on the timeline, where Resolve had it.
- A track with transitions comes back named "Sequence": the slot's name is put back.
- Markers of the timeline (Media Composer's on TC1, Resolve's) are left on an empty timecode
  or event track: they go on the timeline.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

if TYPE_CHECKING:
    from postprod.interchange.formats import Format


def read_aaf(fmt: Format, source: Path, rate: float | None, options: dict[str, Any]) -> Any:
    """The adapter's reading; a file whose markers lack ``DescribedSlots`` through a copy
    that gives them their own event slot."""
    result = _read(fmt, source, options)
    if isinstance(result, otio.schema.Timeline) and options.get("attach_markers", True):
        aaf_timeline_markers(result)
    return result


def _read(fmt: Format, source: Path, options: dict[str, Any]) -> Any:
    try:
        return otio.adapters.read_from_file(str(source), adapter_name=fmt.adapter, **options)
    except KeyError as error:
        if error.args != ("DescribedSlots",):
            raise
    with tempfile.TemporaryDirectory(prefix="postprod-aaf-") as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        _describe_markers(copy)
        return otio.adapters.read_from_file(str(copy), adapter_name=fmt.adapter, **options)


def _describe_markers(path: Path) -> None:
    """Give every DescriptiveMarker without ``DescribedSlots`` its event slot's id, in place."""
    import aaf2

    with aaf2.open(str(path), "rw") as aaf:
        for mob in aaf.content.mobs:
            for slot in mob.slots:
                if not isinstance(slot, aaf2.mobslots.EventMobSlot):
                    continue
                segment = slot.segment
                events = (
                    list(segment.components)
                    if isinstance(segment, aaf2.components.Sequence)
                    else [segment]
                )
                for event in events:
                    if (
                        isinstance(event, aaf2.components.DescriptiveMarker)
                        and "DescribedSlots" not in event.keys()  # noqa: SIM118 (an AAF object, not a dict)
                    ):
                        event["DescribedSlots"].value = {slot.slot_id}


def aaf_track_names(timeline: otio.schema.Timeline, source: Path) -> None:
    """Put the slots' names back on tracks the reader named after their "Sequence"."""
    import aaf2

    with aaf2.open(str(source), "r") as aaf:
        mobs = list(aaf.content.toplevel()) or list(aaf.content.compositionmobs())
        if not mobs:
            return
        names = [
            slot.name or ""
            for slot in mobs[0].slots
            if isinstance(slot, aaf2.mobslots.TimelineMobSlot)
            and str(slot.segment.media_kind) in ("Picture", "Sound")
        ]
    if len(names) != len(timeline.tracks):
        return
    for track, name in zip(timeline.tracks, names, strict=True):
        if name and track.name in ("", "Sequence"):
            track.name = name


def aaf_timeline_markers(timeline: otio.schema.Timeline) -> None:
    """Markers the reader leaves on an empty timecode or event track go on the timeline (where
    Media Composer's TC1 markers and Resolve's timeline markers belong); the empty track goes."""
    kinds = (otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio)
    for track in list(timeline.tracks):
        if track.kind in kinds or len(track) or not track.markers:
            continue
        for marker in list(track.markers):
            track.markers.remove(marker)
            timeline.tracks.markers.append(marker)
        timeline.tracks.remove(track)
