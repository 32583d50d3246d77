"""Tracks of a project: add, rename, remove, move and lock them.

A track's position is counted among the tracks of its kind, from 1: video 1 is
the bottom picture layer (V1's place), audio 1 is A1's place. Picture tracks sit
before sound tracks in the stack, as every postprod project keeps them. Track
names are unique; a locked track refuses every edit of its clips
(:func:`postprod.timeline.slots.unlocked_track`) and its own removal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, param
from postprod.timeline.metadata import (
    TRACK_LAYOUTS,
    TrackSettings,
    set_track_settings,
    track_settings_of,
)
from postprod.timeline.slots import Where, find_track, unlocked_track

#: The kinds of track, as the command line names them.
TRACK_KINDS = {"video": otio.schema.TrackKind.Video, "audio": otio.schema.TrackKind.Audio}


@dataclass(frozen=True, slots=True)
class TrackInfo:
    """One track as ``track list`` shows it."""

    name: str
    kind: str  # "video" | "audio"
    position: int  # among the tracks of its kind, from 1
    layout: str | None
    locked: bool
    clips: int
    armed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def track_infos(timeline: otio.schema.Timeline) -> list[TrackInfo]:
    """Every track in stack order, with its position among its kind, layout and lock."""
    found = []
    for track in _tracks(timeline):
        settings = track_settings_of(track)
        found.append(
            TrackInfo(
                track.name,
                _kind_name(track),
                _index_of(_same_kind(timeline, track.kind), track) + 1,
                settings.layout,
                settings.locked,
                sum(isinstance(item, otio.schema.Clip) for item in track),
                settings.armed,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class AddTrack(Operation):
    """A new empty track of ``kind`` (video or audio); sound has a channel layout (mono,
    stereo or 5.1, stereo unless given). ``position`` among its kind (from 1) defaults to
    after the last of its kind."""

    name: ClassVar[str] = "add-track"
    kind: str
    track: str
    layout: str | None = None
    position: int | None = param(None, minimum=1, help="among the tracks of its kind, from 1")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        kind = TRACK_KINDS.get(self.kind)
        if kind is None:
            raise EditError(f"unknown track kind {self.kind!r}", fix="give video or audio")
        _refuse_bad_name(timeline, self.track)
        layout = self.layout
        if kind == otio.schema.TrackKind.Video and layout is not None:
            raise EditError(
                f"video track {self.track} cannot have a channel layout",
                fix="give --layout only to an audio track",
            )
        if kind == otio.schema.TrackKind.Audio:
            layout = layout or "stereo"
            if layout not in TRACK_LAYOUTS:
                raise EditError(
                    f"unknown channel layout {layout!r}",
                    fix=f"use one of {', '.join(TRACK_LAYOUTS)}",
                )
        track = otio.schema.Track(self.track, kind=kind)
        if layout is not None:
            set_track_settings(track, TrackSettings(layout=layout))
        _insert(timeline, track, self.position)


@dataclass(frozen=True, slots=True)
class RenameTrack(Operation):
    """Give a track a new name (unique in the project)."""

    name: ClassVar[str] = "rename-track"
    track: str
    new_name: str

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        if self.new_name == track.name:
            return
        _refuse_bad_name(timeline, self.new_name)
        track.name = self.new_name


@dataclass(frozen=True, slots=True)
class RemoveTrack(Operation):
    """Take a track away with everything on it (undo brings it back); a locked one is refused."""

    name: ClassVar[str] = "remove-track"
    track: str

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        del timeline.tracks[_index_of(timeline.tracks, track)]


@dataclass(frozen=True, slots=True)
class MoveTrack(Operation):
    """Put a track at ``position`` among the tracks of its kind (1 is V1's or A1's place)."""

    name: ClassVar[str] = "move-track"
    track: str
    position: int = param(minimum=1, help="among the tracks of its kind, from 1")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        count = len(_same_kind(timeline, track.kind))
        if self.position > count:
            raise EditError(
                f"there are {count} {_kind_name(track)} tracks; position {self.position} is past them",
                where=track.name,
                fix=f"give a position from 1 to {count}",
            )
        del timeline.tracks[_index_of(timeline.tracks, track)]
        _insert(timeline, track, self.position)


@dataclass(frozen=True, slots=True)
class LockTrack(Operation):
    """Lock a track against edits (or, with ``locked`` false, unlock it)."""

    name: ClassVar[str] = "lock-track"
    track: str
    locked: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        set_track_settings(track, replace(track_settings_of(track), locked=self.locked))


@dataclass(frozen=True, slots=True)
class ArmTrack(Operation):
    """Arm an audio track to record (or, with ``armed`` false, disarm it): where ``postprod
    record`` puts a take when no track is named, and what the console's R button shows."""

    name: ClassVar[str] = "arm-track"
    track: str
    armed: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        if self.armed and track.kind != otio.schema.TrackKind.Audio:
            raise EditError(
                f"track {track.name} is a picture track", fix="arm an audio track to record"
            )
        set_track_settings(track, replace(track_settings_of(track), armed=self.armed))


#: This family's operations, for the registry.
TRACK_OPERATIONS: tuple[type[Operation], ...] = (
    AddTrack,
    RenameTrack,
    RemoveTrack,
    MoveTrack,
    LockTrack,
    ArmTrack,
)


def _tracks(timeline: otio.schema.Timeline) -> list[otio.schema.Track]:
    return [track for track in timeline.tracks if isinstance(track, otio.schema.Track)]


def _same_kind(timeline: otio.schema.Timeline, kind: str) -> list[otio.schema.Track]:
    return [track for track in _tracks(timeline) if track.kind == kind]


def _kind_name(track: otio.schema.Track) -> str:
    return "video" if track.kind == otio.schema.TrackKind.Video else "audio"


def _refuse_bad_name(timeline: otio.schema.Timeline, name: str) -> None:
    """Refuse an empty name, one with spaces around it, or one another track has."""
    if not name.strip() or name != name.strip():
        raise EditError(
            f"track name {name!r} is empty or has spaces around it", fix="give a name like A3"
        )
    if any(track.name == name for track in _tracks(timeline)):
        raise EditError(
            f"there is already a track {name}",
            where=timeline.name,
            fix="choose another name (postprod track list PROJECT shows them)",
        )


def _insert(timeline: otio.schema.Timeline, track: otio.schema.Track, position: int | None) -> None:
    """Put ``track`` at ``position`` among its kind (default: after the last of its kind).

    The first picture track goes before everything, the first sound track after everything.
    """
    same = _same_kind(timeline, track.kind)
    if position is not None and position > len(same) + 1:
        raise EditError(
            f"there are {len(same)} {_kind_name(track)} tracks; position {position} is past them",
            where=track.name,
            fix=f"give a position from 1 to {len(same) + 1}",
        )
    if position is not None and position <= len(same):
        index = _index_of(timeline.tracks, same[position - 1])
    elif same:
        index = _index_of(timeline.tracks, same[-1]) + 1
    else:
        index = 0 if track.kind == otio.schema.TrackKind.Video else len(timeline.tracks)
    timeline.tracks.insert(index, track)


def _index_of(children: Iterable[otio.core.Composable], track: otio.schema.Track) -> int:
    """Where ``track`` itself (not an equal one) is among ``children``."""
    return next(index for index, child in enumerate(children) if child is track)


__all__ = [
    "TRACK_KINDS",
    "TRACK_OPERATIONS",
    "AddTrack",
    "LockTrack",
    "MoveTrack",
    "RemoveTrack",
    "RenameTrack",
    "TrackInfo",
    "track_infos",
]
