"""What makes a timeline valid, checked after every edit operation.

Every item lasts a positive whole number of frames; a clip plays only media
that exists (inside its reference's available range, when the reference says);
a transition sits between two items, never next to another transition, and
fits inside its neighbours: the outgoing item plays ``out_offset`` frames past
its out point and the incoming one ``in_offset`` frames before its in point,
so both must have those handles. The first problem found is raised as an
:class:`EditError` naming the item and its timecode.
"""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio

from postprod.errors import EditError
from postprod.timeline.model import exact_rate, to_frames
from postprod.timeline.slots import Slot, Where, handles, slots


def check_timeline(timeline: otio.schema.Timeline) -> None:
    """Raise :class:`EditError` at the first thing that makes ``timeline`` invalid."""
    where = Where.of(timeline)
    for track in timeline.tracks:
        if not isinstance(track, otio.schema.Track):
            continue
        if track.kind == otio.schema.TrackKind.Audio and not _on_frames(track, where.rate):
            _check_sound_between_frames(track)
            continue
        check_track(track, where)


def _on_frames(track: otio.schema.Track, rate: Fraction) -> bool:
    """Whether every item of the track lasts whole frames at ``rate``."""
    for child in track:
        if isinstance(child, otio.core.Item):
            duration = child.duration()
            frames = Fraction(duration.value) * rate / exact_rate(duration.rate)
            if frames.denominator != 1:
                return False
    return True


def _check_sound_between_frames(track: otio.schema.Track) -> None:
    """A sound track placed between frames (AAF, FCPXML, a sound editor's EDL): its items
    keep their samples; each must last some time. (Edits address frames: such a track is
    carried through other tracks' edits, not edited itself.)"""
    for child in track:
        if isinstance(child, otio.core.Item) and child.duration().value <= 0:
            name = child.name or "item"
            raise EditError(
                f"{name} on {track.name} lasts no time",
                where=name,
                fix="give every clip some length",
            )


def check_track(track: otio.schema.Track, where: Where) -> None:
    """Raise :class:`EditError` at the first thing that makes ``track`` invalid."""
    rate = where.rate
    found = slots(track, rate)
    for slot in found:
        name = slot.item.name or ("gap" if slot.is_gap else "clip")
        if slot.length <= 0:
            raise EditError(
                f"{name} on {track.name} at {where.tc(slot.start)} lasts {slot.length} frames",
                where=name,
                fix="give every clip at least one frame",
            )
        before, after = handles(slot.item, rate)
        if (before is not None and before < 0) or (after is not None and after < 0):
            raise EditError(
                f"{name} on {track.name} at {where.tc(slot.start)} plays outside its media",
                where=name,
                fix="keep the source range inside the media's available range",
            )
    by_index = {slot.index: slot for slot in found}
    for index, child in enumerate(track):
        if not isinstance(child, otio.schema.Transition):
            continue
        outgoing, incoming = by_index.get(index - 1), by_index.get(index + 1)
        if outgoing is None or incoming is None:
            raise EditError(
                f"transition {child.name or index} on {track.name} is not between two items",
                where=child.name or track.name,
                fix="remove it or put items on both sides",
            )
        cut = incoming.start
        in_frames = to_frames(child.in_offset, rate, where=child.name)
        out_frames = to_frames(child.out_offset, rate, where=child.name)
        label = f"transition at {where.tc(cut)} on {track.name}"
        if in_frames < 0 or out_frames < 0 or in_frames + out_frames == 0:
            raise EditError(f"{label} has no length", where=label, fix="give it frames")
        if in_frames > outgoing.length or out_frames > incoming.length:
            raise EditError(
                f"{label} ({in_frames}+{out_frames} frames) is longer than its neighbours",
                where=label,
                fix="shorten the transition",
            )
        _need(outgoing, "after", out_frames, label, where)
        _need(incoming, "before", in_frames, label, where)


def _need(slot: Slot, side: str, frames: int, label: str, where: Where) -> None:
    before, after = handles(slot.item, where.rate)
    available = after if side == "after" else before
    if available is not None and available < frames:
        raise EditError(
            f"{label} needs {frames} frames of {slot.item.name} {side} its "
            f"{'out' if side == 'after' else 'in'} point; the media has {available}",
            where=slot.item.name,
            fix="shorten the transition or trim the clip to leave handles",
        )
