"""Finding a track by name, or making it: what edits that name a new track use.

(Putting a clip where a track is empty is the ``add-clip`` operation,
``postprod.operations.media``.)
"""

from __future__ import annotations

import opentimelineio as otio

from postprod.timeline.slots import match_track


def audio_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    """The audio track called ``name``, added at the bottom if the timeline has none."""
    return _track(timeline, name, otio.schema.TrackKind.Audio)


def video_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    """The video track called ``name``, added above the others if the timeline has none."""
    return _track(timeline, name, otio.schema.TrackKind.Video)


def _track(timeline: otio.schema.Timeline, name: str, kind: str) -> otio.schema.Track:
    """The track of ``kind`` called ``name``, or a new one after the last of its kind (or,
    the first of its kind: sound after everything, picture before everything)."""
    same_kind = [track for track in timeline.tracks if track.kind == kind]
    found = match_track(same_kind, name, where=timeline.name)
    if found is not None:
        return found
    track = otio.schema.Track(name, kind=kind)
    if same_kind:
        index = list(timeline.tracks).index(same_kind[-1]) + 1
    else:
        index = len(timeline.tracks) if kind == otio.schema.TrackKind.Audio else 0
    timeline.tracks.insert(index, track)
    return track
