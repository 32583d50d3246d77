"""Putting a clip on a track at an exact frame, where the track is free.

A track is a sequence; a clip placed at frame F goes after a gap that fills
up to F, or into an existing gap, which is split around it. Where the span
is taken, the clip is refused (the caller decides: another track, or a report).
"""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio

from postprod.timeline.model import rational_time, to_frames


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
    for track in timeline.audio_tracks():
        if track.name == name:
            return track
    track = otio.schema.Track(name, kind=otio.schema.TrackKind.Audio)
    timeline.tracks.append(track)
    return track


def video_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    """The video track called ``name``, added above the others if the timeline has none."""
    for track in timeline.video_tracks():
        if track.name == name:
            return track
    track = otio.schema.Track(name, kind=otio.schema.TrackKind.Video)
    videos = timeline.video_tracks()
    index = list(timeline.tracks).index(videos[-1]) + 1 if videos else 0
    timeline.tracks.insert(index, track)
    return track
