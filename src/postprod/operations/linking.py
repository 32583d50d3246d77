"""Linked clips: a picture and its separately placed sound that move, trim and delete together.

A camera file's sound plays from its picture clip only when the project has no
audio tracks; sound on an audio track (a recorder's file that ``sync -o`` placed,
a take ``record`` put down, a camera file's sound a user appended to A1) is a
clip of its own. Clips in one sync group carry the same link id
(``timeline.metadata.link_of``). Two clips of a group are partners where they
share record frames: after a split, a jump cut or an overwrite each piece of
the picture is partnered with the pieces of sound under it, not with the whole
group. An operation that acts on a clip (move, trim, roll, slip, lift,
extract, split, speed, freeze, reverse) makes the same change to its partners,
each on its own track at the same record frames, unless it is given
``linked=False`` (``--unlinked``); a partner on a locked track refuses the change
(it would no longer be in step). Clips moved apart so that they no longer
share a frame are no longer partners; link them again to put them back in step.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation
from postprod.timeline.metadata import link_of, set_link
from postprod.timeline.slots import (
    Slot,
    Where,
    clip_at,
    refuse_locked,
    slots,
    unlocked_track,
)


@dataclass(frozen=True, slots=True)
class Partner:
    """A clip linked to the one an operation acts on, and the track it sits on."""

    track: otio.schema.Track
    slot: Slot


def linked_partners(
    timeline: otio.schema.Timeline, track: otio.schema.Track, slot: Slot, where: Where
) -> list[Partner]:
    """The clips on other tracks in ``slot``'s sync group that share record frames with it."""
    link = link_of(slot.item)
    if link is None:
        return []
    found = []
    for other in timeline.tracks:
        if other is track or not isinstance(other, otio.schema.Track):
            continue
        for candidate in slots(other, where.rate):
            overlaps = candidate.start < slot.end and slot.start < candidate.end
            if overlaps and not candidate.is_gap and link_of(candidate.item) == link:
                found.append(Partner(other, candidate))
    return found


def partners_of(
    timeline: otio.schema.Timeline, track: otio.schema.Track, at: int, where: Where, linked: bool
) -> list[Partner]:
    """The partners of the clip under ``at`` on ``track`` (none when ``linked`` is False)."""
    if not linked:
        return []
    partners = linked_partners(timeline, track, clip_at(track, at, where), where)
    refuse_locked_partners(partners, where)
    return partners


def refuse_locked_partners(
    partners: Iterable[Partner], where: Where, *, other: str = "make the edit --unlinked"
) -> None:
    """Refuse a change that would reach a partner on a locked track (a locked track stays
    exactly as it is, so the link cannot be kept by changing it)."""
    for partner in partners:
        slot = partner.slot
        refuse_locked(
            partner.track,
            why=f"{slot.item.name} at {where.tc(slot.start)} there is linked to the clip "
            "this edit changes",
            other=other,
        )


def follow(
    timeline: otio.schema.Timeline,
    where: Where,
    partners: Iterable[Partner],
    change: Callable[[Partner], Operation | None],
    *,
    latest_first: bool = True,
) -> None:
    """Make on each partner the change ``change`` gives for it (an unlinked operation on its
    own track; ``None``: nothing there). Partners are found before the operation's own
    change, so each is named by where it was; two on one track change the later one
    first (``latest_first``), so a ripple does not move the other from under its name."""
    ordered = sorted(partners, key=lambda partner: partner.slot.start, reverse=latest_first)
    for partner in ordered:
        operation = change(partner)
        if operation is not None:
            operation.check()
            operation.run(timeline, where)


def partner_tracks(partners: Iterable[Partner]) -> set[int]:
    """The ids of the partners' tracks (for sync-lock ripples, which leave them to the link)."""
    return {id(partner.track) for partner in partners}


def next_link_id(timeline: otio.schema.Timeline) -> str:
    """A link id no clip of the timeline has: ``link-N``, one more than the highest N."""
    numbers = [0]
    for clip in timeline.find_clips():
        link = link_of(clip)
        if link is not None and link.startswith("link-") and link[5:].isdigit():
            numbers.append(int(link[5:]))
    return f"link-{max(numbers) + 1}"


@dataclass(frozen=True, slots=True)
class Link(Operation):
    """Put the clips under (track, record frame) pairs in one sync group: they move together.

    The clips must be on different tracks and share at least one record frame (a
    picture and the sound that belongs to it); they leave any group they were in.
    """

    name: ClassVar[str] = "link"
    items: tuple[tuple[str, int], ...]

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if len(self.items) < 2:
            raise EditError(
                f"link needs two clips or more, not {len(self.items)}",
                fix="give a track and a time for each clip (-t V1 --at 10 -t A1 --at 10)",
            )
        placed = []
        for name, at in self.items:
            track = unlocked_track(timeline, name)
            placed.append((track, clip_at(track, at, where)))
        for (one, _), (other, _) in itertools.combinations(placed, 2):
            if one is other:
                raise EditError(
                    f"two of the clips are on track {one.name}",
                    where=one.name,
                    fix="link clips on different tracks (a picture and its sound)",
                )
        first = max(slot.start for _, slot in placed)
        last = min(slot.end for _, slot in placed)
        if first >= last:
            raise EditError(
                "the clips share no record frame, so they cannot play in step",
                where=", ".join(
                    f"{track.name} at {where.tc(slot.start)}" for track, slot in placed
                ),
                fix="link clips that play at the same time",
            )
        link = next_link_id(timeline)
        for _, slot in placed:
            set_link(slot.item, link)


@dataclass(frozen=True, slots=True)
class Unlink(Operation):
    """Take the clip under a frame and its partners out of their sync group."""

    name: ClassVar[str] = "unlink"
    track: str
    at: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        if link_of(slot.item) is None:
            raise EditError(
                f"{slot.item.name} at {where.tc(slot.start)} on {track.name} is not linked",
                where=slot.item.name,
                fix="choose a clip that was linked (link, or sync -o, links clips)",
            )
        partners = linked_partners(timeline, track, slot, where)
        refuse_locked_partners(partners, where, other="")
        for partner in partners:
            set_link(partner.slot.item, None)
        set_link(slot.item, None)
