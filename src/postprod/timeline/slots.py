"""A track seen in whole frames: where each item sits, and cutting it at a frame.

OTIO keeps a track as a sequence of items (clips, gaps) with transitions
between them that take no time of their own. The edit operations think in
record frames instead: "the clip under 01:00:10:00", "cut the track there".
This module is that view and the one primitive every operation builds on,
:func:`cut_at`, which makes sure an edit point exists at a frame.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.errors import EditError
from postprod.timecode import FrameRate, frames_to_label
from postprod.timeline.metadata import track_settings_of
from postprod.timeline.model import exact_rate, playback_ratio, time_range, timeline_rate, to_frames
from postprod.timeline.warps import consumed, split_firsts, time_scalar


@dataclass(frozen=True, slots=True)
class Slot:
    """An item (clip or gap) of a track and the record frames it covers."""

    index: int  # position among the track's children (transitions included)
    item: otio.core.Item
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def is_gap(self) -> bool:
        return isinstance(self.item, otio.schema.Gap)


@dataclass(frozen=True, slots=True)
class Where:
    """How an operation names places: the timeline's rate, its first timecode, and the
    project's folder (what relative media paths are relative to)."""

    rate: Fraction
    start_frame: int  # the programme's first frame as timecode frames
    folder: Path | None = None

    @staticmethod
    def of(timeline: otio.schema.Timeline, folder: Path | None = None) -> Where:
        rate = timeline_rate(timeline)
        start = timeline.global_start_time
        first = to_frames(start, rate, where="timeline start") if start else 0
        return Where(rate, first, folder)

    def tc(self, frame: int) -> str:
        """A record frame as the programme's timecode (for messages)."""
        smpte = FrameRate.parse(self.rate)
        if not smpte.is_smpte:
            return f"frame {frame}"
        return frames_to_label(self.start_frame + frame, smpte)


def match_track(
    tracks: Iterable[otio.core.Composable], name: str, *, where: str = ""
) -> otio.schema.Track | None:
    """The track called ``name``, or else the one whose short name (the first word of its
    name) it is: ``A2`` finds ``A2 recorder_sc1_t1``, as ``sync`` names tracks. An exact
    name wins; a short name two tracks share is refused, naming both."""
    candidates = [track for track in tracks if isinstance(track, otio.schema.Track)]
    for track in candidates:
        if track.name == name:
            return track
    short = [track for track in candidates if track.name.split()[:1] == [name]]
    if len(short) > 1:
        names = " and ".join(repr(track.name) for track in short)
        raise EditError(
            f"track {name!r} could be {names}",
            where=where,
            fix="give the whole name, in quotes",
        )
    return short[0] if short else None


def find_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    """The track called ``name`` (V1, A2, ...), or of that short name (:func:`match_track`)."""
    track = match_track(timeline.tracks, name, where=timeline.name)
    if track is not None:
        return track
    names = ", ".join(track.name for track in timeline.tracks) or "none"
    raise EditError(f"no track {name!r}", where=timeline.name, fix=f"choose one of: {names}")


def unlocked_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    """The track an edit changes (:func:`find_track`); a locked track is refused."""
    track = find_track(timeline, name)
    refuse_locked(track)
    return track


def is_locked(track: otio.core.Composable) -> bool:
    """Whether a track is locked: no edit, ripple or linked change touches it."""
    return isinstance(track, otio.schema.Track) and track_settings_of(track).locked


def refuse_locked(track: otio.schema.Track, *, why: str = "", other: str = "") -> None:
    """Refuse to change a locked track, saying ``why`` it would change and ``other`` ways out."""
    if is_locked(track):
        unlock = f"unlock it with postprod track lock PROJECT {shlex.quote(track.name)} --off"
        raise EditError(
            f"track {track.name} is locked" + (f": {why}" if why else ""),
            where=track.name,
            fix=unlock + (f", or {other}" if other else ""),
        )


def unlocked_tracks(timeline: otio.schema.Timeline) -> list[otio.schema.Track]:
    """The tracks an edit of every track changes: all but the locked ones (refused if none)."""
    tracks = [track for track in timeline.tracks if not is_locked(track)]
    if timeline.tracks and not tracks:
        raise EditError(
            "every track is locked",
            where=timeline.name,
            fix="unlock a track with postprod track lock PROJECT TRACK --off",
        )
    return tracks


def slots(track: otio.schema.Track, rate: Fraction) -> list[Slot]:
    """The track's clips and gaps in order, with their record frames."""
    found: list[Slot] = []
    frame = 0
    for index, child in enumerate(track):
        if isinstance(child, otio.schema.Transition):
            continue
        length = to_frames(child.duration(), rate, where=child.name or track.name)
        found.append(Slot(index, child, frame, length))
        frame += length
    return found


def track_length(track: otio.schema.Track, rate: Fraction) -> int:
    """The track's length in frames."""
    found = slots(track, rate)
    return found[-1].end if found else 0


def gap(frames: int, rate: Fraction) -> otio.schema.Gap:
    """A gap of ``frames``."""
    return otio.schema.Gap(source_range=time_range(0, frames, rate))


def source_in(item: otio.core.Item, rate: Fraction) -> int:
    """An item's first source frame."""
    return to_frames(item.trimmed_range().start_time, rate, where=item.name)


def set_source(item: otio.core.Item, first: int, length: int, rate: Fraction) -> None:
    """Give ``item`` the source range ``first`` .. ``first + length``."""
    item.source_range = time_range(first, length, rate)


def handles(item: otio.core.Item, rate: Fraction) -> tuple[int | None, int | None]:
    """Frames of media before the item's in point and after its out point (None: unlimited)."""
    if not isinstance(item, otio.schema.Clip):
        return None, None
    reference = item.media_reference
    available = getattr(reference, "available_range", None)
    if available is None:
        return None, None
    used = item.trimmed_range()
    # media counted in the clip's own frames (a file at another rate keeps its own), then
    # turned into the timeline frames they play for
    clip_rate = exact_rate(used.start_time.rate)
    ratio = playback_ratio(clip_rate, rate)
    if ratio == 1:
        clip_rate = rate
    first = to_frames(available.start_time, clip_rate, where=item.name)
    length = to_frames(available.duration, clip_rate, where=item.name)
    used_in = to_frames(used.start_time, clip_rate, where=item.name)
    # the source frames it plays: its record length, or what a time warp reaches into
    used_length = to_frames(used.duration, rate, where=item.name)
    speed = time_scalar(item)
    if speed != 1:
        used_length = consumed(used_length, speed)
    before = math.floor((used_in - first) / ratio)
    return before, math.floor((first + length - used_in) / ratio) - used_length


def slot_at(track: otio.schema.Track, frame: int, where: Where) -> Slot:
    """The clip or gap under record ``frame``."""
    for slot in slots(track, where.rate):
        if slot.start <= frame < slot.end:
            return slot
    raise EditError(
        f"track {track.name} has nothing at {where.tc(frame)}",
        where=track.name,
        fix=f"choose a time before its end ({where.tc(track_length(track, where.rate))})",
    )


def clip_at(track: otio.schema.Track, frame: int, where: Where) -> Slot:
    """The clip under record ``frame`` (a gap there is refused)."""
    slot = slot_at(track, frame, where)
    if slot.is_gap:
        raise EditError(
            f"track {track.name} has a gap at {where.tc(frame)}, not a clip",
            where=track.name,
            fix="choose a time inside a clip (postprod inspect lists them)",
        )
    return slot


def cut_at(track: otio.schema.Track, frame: int, where: Where) -> int:
    """Make sure an edit point exists at record ``frame``; returns the child index there.

    Past the end, the track is padded with a gap. Inside an item, the item is
    split in two (a clip into two clips playing on from the same media). A
    transition over the frame is refused: cut either side of it.
    """
    rate = where.rate
    end = track_length(track, rate)
    if frame >= end:
        if frame > end:
            track.append(gap(frame - end, rate))
        return len(track)
    for slot in slots(track, rate):
        if slot.start == frame:
            _refuse_inside_transition(track, slot.index, 0, frame, where)
            return slot.index
        if slot.start < frame < slot.end:
            offset = frame - slot.start
            _refuse_inside_transition(track, slot.index, offset, frame, where)
            speed = time_scalar(slot.item)  # a slowed or reversed clip plays on as it did
            left_first, right_first = split_firsts(
                source_in(slot.item, rate), slot.length, offset, speed
            )
            right = slot.item.deepcopy()
            set_source(slot.item, left_first, offset, rate)
            set_source(right, right_first, slot.length - offset, rate)
            right.markers[:] = []
            _share_markers(slot.item, right, right_first)
            track.insert(slot.index + 1, right)
            return slot.index + 1
    raise AssertionError("unreachable: frame inside the track but in no slot")


def _refuse_inside_transition(
    track: otio.schema.Track, index: int, offset: int, frame: int, where: Where
) -> None:
    """Refuse a cut that falls inside a transition's frames (``offset`` into the item).

    A transition before the item covers its first ``out_offset`` frames; one
    after it covers its last ``in_offset`` frames.
    """
    if offset == 0:
        return
    rate = where.rate
    item = track[index]
    length = to_frames(item.duration(), rate, where=item.name)
    before = track[index - 1] if index > 0 else None
    after = track[index + 1] if index + 1 < len(track) else None
    inside = (
        isinstance(before, otio.schema.Transition)
        and offset < to_frames(before.out_offset, rate, where=before.name)
    ) or (
        isinstance(after, otio.schema.Transition)
        and offset > length - to_frames(after.in_offset, rate, where=after.name)
    )
    if inside:
        raise EditError(
            f"{where.tc(frame)} on track {track.name} is inside a transition",
            where=item.name or track.name,
            fix="remove the transition first, or cut before or after it",
        )


def _share_markers(left: otio.core.Item, right: otio.core.Item, split_source: int) -> None:
    """After a split, each half keeps the markers inside its own source range."""
    ours = list(left.markers)
    rate = exact_rate(left.trimmed_range().duration.rate)
    late = [
        to_frames(marker.marked_range.start_time, rate, where=marker.name) >= split_source
        for marker in ours
    ]
    left.markers[:] = [marker for marker, is_late in zip(ours, late, strict=True) if not is_late]
    right.markers[:] = [
        marker.deepcopy() for marker, is_late in zip(ours, late, strict=True) if is_late
    ]
