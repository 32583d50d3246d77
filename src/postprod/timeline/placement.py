"""Putting a clip on a track at an exact frame, where the track is free.

A track is a sequence; a clip placed at frame F goes after a gap that fills
up to F, or into an existing gap, which is split around it. Where the span
is taken, the clip is refused (the caller decides: another track, or a report).
"""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio

from postprod.timeline.model import rational_time, to_frames
from postprod.timeline.slots import match_track


def _gap(frames: int, rate: Fraction) -> otio.schema.Gap:
    return otio.schema.Gap(
        source_range=otio.opentime.TimeRange(rational_time(0, rate), rational_time(frames, rate))
    )


def place_clip(
    track: otio.schema.Track, clip: otio.schema.Clip, at_frame: int, rate: Fraction
) -> bool:
    """Put ``clip`` at ``at_frame`` if the track is free there; returns whether it was placed."""
    length = to_frames(clip.trimmed_range().duration, rate, where=clip.name)
    end = to_frames(track.duration(), rate, where=track.name) if len(track) else 0
    if at_frame >= end:
        if at_frame > end:
            track.append(_gap(at_frame - end, rate))
        track.append(clip)
        return True
    for index, item in enumerate(track):
        if not isinstance(item, otio.schema.Gap):
            continue
        placed = track.range_of_child_at_index(index)
        start = to_frames(placed.start_time, rate, where=track.name)
        gap_length = to_frames(placed.duration, rate, where=track.name)
        if start <= at_frame and at_frame + length <= start + gap_length:
            before, after = at_frame - start, start + gap_length - at_frame - length
            pieces: list[otio.core.Composable] = []
            if before:
                pieces.append(_gap(before, rate))
            pieces.append(clip)
            if after:
                pieces.append(_gap(after, rate))
            del track[index]
            for offset, piece in enumerate(pieces):
                track.insert(index + offset, piece)
            return True
    return False


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
