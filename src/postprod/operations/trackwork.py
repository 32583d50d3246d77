"""Track surgery shared by the edit operations: clearing, cutting, resizing, transitions around a cut."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.errors import EditError
from postprod.timeline.build import clip_of_file
from postprod.timeline.model import (
    exact_rate,
    playback_ratio,
    rational_time,
    to_frames,
)
from postprod.timeline.slots import (
    Slot,
    Where,
    clip_at,
    cut_at,
    gap,
    is_locked,
    set_source,
    slot_at,
    slots,
    source_in,
    track_length,
)


def media(path: str, first: int, duration: int | None, where: Where) -> otio.schema.Clip:
    """A clip of ``path`` (stored as given; read relative to the project's folder) from its
    frame ``first``, ``duration`` timeline frames long (default: the rest of the file). A
    file of another frame rate keeps its own frames in the source start; its length is
    in timeline frames, and the render converts it."""
    file = Path(path)
    if not file.is_absolute() and where.folder is not None:
        file = where.folder / file
    clip = clip_of_file(file, where.rate, source_start=first, target_url=path)
    rest = clip.source_range.duration
    ratio = playback_ratio(exact_rate(rest.rate), where.rate)
    frames = math.floor(Fraction(int(rest.value)) / ratio)  # timeline frames the rest lasts
    length = frames if duration is None else duration
    if not 0 < length <= frames:
        raise EditError(
            f"{length} frames from source frame {first} run past the end of {file.name} "
            f"({frames} timeline frames are left)",
            where=path,
            fix=f"give a duration of at most {frames} frames",
        )
    start = clip.source_range.start_time
    clip.source_range = otio.opentime.TimeRange(start, rational_time(length, where.rate))
    return clip


def media_first(item: otio.core.Item, where: Where) -> int:
    """The first frame of an item's media, in its source frames."""
    available = getattr(item.media_reference, "available_range", None)
    if available is None:
        return 0
    return to_frames(available.start_time, where.rate, where=item.name)


def other_tracks(
    timeline: otio.schema.Timeline, track: otio.schema.Track, at: int, where: Where
) -> list[otio.schema.Track]:
    """The tracks that move with ``track`` (sync lock): those that reach past ``at``, but
    not a locked one, which stays exactly as it is."""
    return [
        other
        for other in timeline.tracks
        if other is not track and not is_locked(other) and track_length(other, where.rate) > at
    ]


def clear(track: otio.schema.Track, start: int, end: int, where: Where) -> int:
    """Empty record frames ``start`` .. ``end`` of a track; returns the child index there.

    Transitions over those frames, or on the cuts at either end, go with them.
    """
    drop_transitions_over(track, start, end, where)
    first = cut_at(track, start, where)
    if end < track_length(track, where.rate):
        cut_at(track, end, where)
    for slot in reversed(slots(track, where.rate)):
        if start <= slot.start and slot.end <= end:
            del track[slot.index]
            first = slot.index
    return first


def remove_range(track: otio.schema.Track, start: int, end: int, where: Where) -> None:
    """Take record frames ``start`` .. ``end`` out of a track and close up."""
    length = track_length(track, where.rate)
    if start >= length:
        return
    clear(track, start, min(end, length), where)


def drop_transitions_around(track: otio.schema.Track, index: int) -> None:
    """Take away the transitions either side of the item at ``index``."""
    if index + 1 < len(track) and isinstance(track[index + 1], otio.schema.Transition):
        del track[index + 1]
    if index > 0 and isinstance(track[index - 1], otio.schema.Transition):
        del track[index - 1]


def drop_transitions_over(track: otio.schema.Track, start: int, end: int, where: Where) -> None:
    """Take away the transitions whose frames (or whose cut) fall in ``start`` .. ``end``."""
    found = {slot.index: slot for slot in slots(track, where.rate)}
    for index in reversed(range(len(track))):
        transition = track[index]
        incoming = found.get(index + 1)
        if not isinstance(transition, otio.schema.Transition) or incoming is None:
            continue
        cut = incoming.start
        first = cut - to_frames(transition.in_offset, where.rate, where=transition.name)
        last = cut + to_frames(transition.out_offset, where.rate, where=transition.name)
        if first <= end and start <= last:
            del track[index]


def tidy_gaps(track: otio.schema.Track, where: Where) -> None:
    """Merge neighbouring gaps into one and drop a gap at the end of the track
    (unless a transition fades into it)."""
    for index in reversed(range(1, len(track))):
        left, right = track[index - 1], track[index]
        if isinstance(left, otio.schema.Gap) and isinstance(right, otio.schema.Gap):
            length = to_frames(left.duration() + right.duration(), where.rate, where=track.name)
            track[index - 1] = gap(length, where.rate)
            del track[index]
    last = len(track) - 1
    trailing = last >= 0 and isinstance(track[last], otio.schema.Gap)
    if trailing and not touches_transition(track, last):
        del track[last]


def touches_transition(track: otio.schema.Track, index: int) -> bool:
    return any(
        0 <= i < len(track) and isinstance(track[i], otio.schema.Transition)
        for i in (index - 1, index + 1)
    )


def cut_between(track: otio.schema.Track, at: int, where: Where) -> tuple[Slot, Slot]:
    """The items either side of the cut at record frame ``at``."""
    found = slots(track, where.rate)
    for left, right in itertools.pairwise(found):
        if right.start == at:
            return left, right
    near = slot_at(track, at, where) if at < track_length(track, where.rate) else None
    hint = f"the nearest cut is at {where.tc(near.start)}" if near else "choose a cut"
    raise EditError(f"no cut at {where.tc(at)} on track {track.name}", where=track.name, fix=hint)


def refuse_shorter(slot: Slot, by: int, where: Where) -> None:
    """Refuse to take ``by`` frames from an item that does not have them."""
    if by >= slot.length:
        name = slot.item.name or "gap"
        raise EditError(
            f"{name} at {where.tc(slot.start)} is {slot.length} frames; it cannot lose {by}",
            where=name,
            fix=f"move it by less than {slot.length} frames",
        )


def detach(track: otio.schema.Track, at: int, where: Where) -> Slot:
    """The clip under ``at``, with the transitions either side of it taken away."""
    slot = clip_at(track, at, where)
    drop_transitions_around(track, slot.index)
    return clip_at(track, at, where)


def move_boundary(left: Slot, right: Slot, by: int, where: Where) -> None:
    """Move the edit point between two neighbours by ``by``: one longer, the other shorter."""
    refuse_shorter(left, -by, where)
    refuse_shorter(right, by, where)
    resize(left.item, 0, by, where)
    resize(right.item, by, -by, where)


def resize(item: otio.core.Item, move_in: int, grow_out: int, where: Where) -> None:
    """Move an item's in point by ``move_in`` frames and change its length by ``grow_out``."""
    first = 0 if isinstance(item, otio.schema.Gap) else source_in(item, where.rate) + move_in
    length = to_frames(item.duration(), where.rate, where=item.name)
    set_source(item, first, length + grow_out, where.rate)
