"""Media onto empty places and media found again: spotting, ADR twins, relinking.

:class:`AddClip` puts a file on a track only where the track is empty (a spotted
sound; :class:`~postprod.operations.placing.Overwrite` is the one that clears
the way). :class:`AddTwin` puts a copy of a clip, playing another file, on
another track at the same frames (an aligned ADR take beside its guide).
:class:`SetMedia` points clips at the files their media was found in again
(``postprod relink``). Each refuses, naming the clip and timecode, when the
place is taken or the clip is not where it is said to be.

:func:`save_new_project` is how a workflow writes a project file of its own
(``sync -o``, ``autocut -o``, ``import``): never over an existing project or
journal, and with its journal started from the new file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError, ProjectError
from postprod.operations.base import Operation, param
from postprod.operations.mixer import GAIN_MAX_DB, GAIN_MIN_DB
from postprod.operations.trackwork import media
from postprod.project import History, save_project
from postprod.timeline.metadata import set_clip_gain
from postprod.timeline.model import to_frames
from postprod.timeline.slots import (
    Where,
    clip_at,
    cut_at,
    find_track,
    slot_at,
    slots,
    track_length,
    unlocked_track,
)


@dataclass(frozen=True, slots=True)
class AddClip(Operation):
    """Put media at a frame where the track is empty (a spotted sound); refused where
    anything (a clip, or a transition's frames) is in the way. ``clip_name`` names the
    clip (default: the file's stem), ``gain_db`` is its clip gain."""

    name: ClassVar[str] = "add-clip"
    track: str
    media: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    clip_name: str = ""
    gain_db: float | None = param(None, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)
    source_in: int = param(0, minimum=0, unit="frames", help="The media's first frame used.")
    duration: int | None = param(None, minimum=1, unit="frames", help="Default: the rest.")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        clip = media(self.media, self.source_in, self.duration, where)
        if self.clip_name:
            clip.name = self.clip_name
        if self.gain_db is not None:
            set_clip_gain(clip, self.gain_db)
        put_where_empty(track, clip, self.at, where)


@dataclass(frozen=True, slots=True)
class AddTwin(Operation):
    """Put a twin of the clip under ``at`` on ``source_track`` onto ``track``, at the same
    frames and where that track is empty: the same source range, gain, slip, speed and
    link, playing ``media`` (a file of the same length and clock: an ADR take aligned to
    its guide). ``clip_name`` names it (default: the clip's name and " (twin)")."""

    name: ClassVar[str] = "add-twin"
    source_track: str
    track: str
    media: str
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    clip_name: str = ""

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(find_track(timeline, self.source_track), self.at, where)
        original = slot.item
        if not isinstance(original, otio.schema.Clip):
            raise EditError(
                f"no clip at {where.tc(self.at)} on {self.source_track}",
                where=self.source_track,
                fix="choose a time inside a clip",
            )
        twin = original.deepcopy()
        twin.name = self.clip_name or f"{original.name} (twin)"
        twin.media_reference = otio.schema.ExternalReference(
            target_url=self.media,
            available_range=getattr(original.media_reference, "available_range", None),
        )
        twin.markers[:] = []
        put_where_empty(unlocked_track(timeline, self.track), twin, slot.start, where)


#: One clip pointed at another file: its track, the record frame its item starts at, the
#: url it had and the url it gets.
MediaChange = tuple[str, int, str, str]


@dataclass(frozen=True, slots=True)
class SetMedia(Operation):
    """Point clips at other files (media found again): each change names the track, the
    record frame where the clip (or the nested item holding it) starts, the url the clip
    has and the one it gets. Nothing else changes, so a locked track is relinked too: it
    plays the same media, found again. A clip not found with that url is refused."""

    name: ClassVar[str] = "set-media"
    changes: tuple[MediaChange, ...] = ()

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if not self.changes:
            raise EditError("set-media needs at least one change", fix="give track, at, url, new")
        for track_name, at, old, new in self.changes:
            track = find_track(timeline, track_name)
            slot = slot_at(track, at, where)
            found = next(
                (
                    clip
                    for clip in _clips_of(slot.item)
                    if isinstance(clip.media_reference, otio.schema.ExternalReference)
                    and clip.media_reference.target_url == old
                ),
                None,
            )
            if slot.start != at or found is None:
                raise EditError(
                    f"no clip of {old} starts at {where.tc(at)} on {track.name}",
                    where=track.name,
                    fix="relink the project as it is now (postprod relink)",
                )
            reference = found.media_reference
            assert isinstance(reference, otio.schema.ExternalReference)
            reference.target_url = new  # so a second change of that url finds the next clip

    def describe(self) -> str:
        shown = "; ".join(
            f"{track} at {at}: {old} -> {new}" for track, at, old, new in self.changes
        )
        return f"{self.name} {shown}"


def _clips_of(item: otio.core.Composable) -> Iterator[otio.schema.Clip]:
    if isinstance(item, otio.schema.Clip):
        yield item
    elif isinstance(item, otio.core.Composition):
        yield from item.find_clips()


def put_where_empty(
    track: otio.schema.Track, clip: otio.schema.Clip, at: int, where: Where
) -> None:
    """Put ``clip`` on ``track`` at record frame ``at`` if the track is empty for its whole
    length there (no clip, no transition's frames); otherwise refuse, saying what is there."""
    length = to_frames(clip.duration(), where.rate, where=clip.name)
    end = at + length
    blocking = taken_by(track, at, end, where)
    if blocking:
        raise EditError(
            f"track {track.name} is taken from {where.tc(at)} to {where.tc(end)} ({blocking})",
            where=clip.name or track.name,
            fix="choose a free time or another track (overwrite replaces what is there)",
        )
    index = cut_at(track, at, where)
    if end < track_length(track, where.rate):
        cut_at(track, end, where)
    for slot in reversed(slots(track, where.rate)):
        if at <= slot.start and slot.end <= end:
            del track[slot.index]  # gaps only: the span is free
            index = slot.index
    track.insert(index, clip)


def taken_by(track: otio.schema.Track, start: int, end: int, where: Where) -> str:
    """What is on ``track`` in record frames ``start`` .. ``end`` (empty when nothing): a
    clip's name, or a transition whose frames (or cut) touch the span."""
    found = slots(track, where.rate)
    for slot in found:
        if not slot.is_gap and slot.start < end and start < slot.end:
            return slot.item.name or "a clip"
    by_index = {slot.index: slot for slot in found}
    for index, item in enumerate(track):
        incoming = by_index.get(index + 1)
        if not isinstance(item, otio.schema.Transition) or incoming is None:
            continue
        first = incoming.start - to_frames(item.in_offset, where.rate, where=item.name)
        last = incoming.start + to_frames(item.out_offset, where.rate, where=item.name)
        if first <= end and start <= last:
            return f"a transition at {where.tc(incoming.start)}"
    return ""


def save_new_project(timeline: otio.schema.Timeline, path: str | os.PathLike[str]) -> Path:
    """Write ``timeline`` as a new project at ``path`` and start its journal from it.

    Refused when ``path`` or its journal exists: a new project never replaces a project,
    nor takes over an old journal (whose undo would bring back another project).
    """
    target = Path(path)
    refuse_existing_project(target)
    save_project(timeline, target)
    History(target).current_text()  # the journal's first state is the new file
    return target


def refuse_existing_project(path: str | os.PathLike[str]) -> None:
    """Refuse to write a new project at ``path`` when a file or an undo journal is there."""
    target = Path(path)
    for taken in (target, History(target).folder):
        if taken.exists():
            raise ProjectError(
                f"{taken} already exists",
                where=str(taken),
                fix="write to a new name (a new project never replaces a project or its journal)",
            )


__all__ = [
    "AddClip",
    "AddTwin",
    "MediaChange",
    "SetMedia",
    "put_where_empty",
    "refuse_existing_project",
    "save_new_project",
    "taken_by",
]
