"""Multicam: group angles in sync, cut and switch between them, choose the sound, flatten.

The group is stored as :mod:`postprod.timeline.multicam` describes (one OTIO stack per
cut, every angle inside it). :class:`CreateMulticam` appends a group to a video track and
its sound to an audio track at the same frame, spanning the earliest angle's start to the
latest angle's end, angle 1 active. :class:`CutMulticam` makes an angle active from a frame
(picture and sound, or one of them); :class:`SwitchMulticam` changes the angle of the cut
under a frame without a new cut; :class:`SetMulticamAudio` chooses how the sound plays;
:class:`RenameAngle` renames an angle everywhere; :class:`FlattenMulticam` turns the cuts
into the plain clips they play. Each is one undoable step through ``Project.apply``.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, param
from postprod.operations.media import put_where_empty
from postprod.timeline.build import clip_of_file
from postprod.timeline.model import exact_rate, playback_ratio, time_range
from postprod.timeline.multicam import (
    AUDIO_MODES,
    Angle,
    Cut,
    CutAt,
    angles_of,
    cut_of,
    flatten,
    group_cuts,
    group_names,
    group_stack,
    place_angle,
    rename_angle,
    set_cut,
    the_group,
)
from postprod.timeline.placement import audio_track, video_track
from postprod.timeline.slots import (
    Slot,
    Where,
    cut_at,
    refuse_locked,
    slots,
    source_in,
    track_length,
)

#: What a cut changes: the picture, the sound, or both.
SIDES = ("both", "picture", "sound")


@dataclass(frozen=True, slots=True)
class CreateMulticam(Operation):
    """Append a multicam group: its picture angles at the end of ``track`` and its sound
    angles on ``audio_track`` at the same frame; angle 1 active."""

    name: ClassVar[str] = "create-multicam"
    group: str
    media: tuple[str, ...]
    angle_names: tuple[str, ...] = ()
    offsets_s: tuple[float, ...] = ()
    drifts_ppm: tuple[float, ...] = ()
    track: str = "V1"
    audio_track: str = "A1"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if not self.group or self.group in group_names(timeline, where.rate):
            raise EditError(
                f"a multicam clip named {self.group!r} is taken or empty",
                where=timeline.name,
                fix="give the group a new name",
            )
        angles = self.angles()
        pictures: list[otio.schema.Track] = []
        sounds: list[otio.schema.Track] = []
        for angle in angles:
            file = Path(angle.media)
            if not file.is_absolute() and where.folder is not None:
                file = where.folder / file
            clip = clip_of_file(file, where.rate, target_url=angle.media)
            clip_rate = exact_rate(clip.source_range.start_time.rate)
            if playback_ratio(clip_rate, where.rate) != 1:
                raise EditError(
                    f"angle {angle.number} ({angle.name}) runs at {float(clip_rate):g} fps, "
                    f"the project at {float(where.rate):g}",
                    where=angle.media,
                    fix="give angles shot at the project's frame rate",
                )
            has_picture, has_sound = _streams(file)
            if has_picture:
                pictures.append(place_angle(clip.deepcopy(), angle, where.rate, "Video"))
            if has_sound:
                sounds.append(place_angle(clip, angle, where.rate, "Audio"))
        video = video_track(timeline, self.track)
        refuse_locked(video)
        at = track_length(video, where.rate)
        if pictures:
            video.append(group_stack(self.group, pictures, Cut(self.group, 1), where.rate))
        if sounds:
            sound = audio_track(timeline, self.audio_track)
            refuse_locked(sound)
            cut = Cut(self.group, 1, "sound")
            put_where_empty(sound, group_stack(self.group, sounds, cut, where.rate), at, where)

    def angles(self) -> list[Angle]:
        count = len(self.media)
        if count < 1:
            raise EditError("a multicam clip needs angles", fix="give one or more files")
        for label, values in (
            ("names", self.angle_names),
            ("offsets", self.offsets_s),
            ("drifts", self.drifts_ppm),
        ):
            if values and len(values) != count:
                raise EditError(
                    f"{len(values)} angle {label} for {count} angles",
                    fix="give one per angle, in order",
                )
        return [
            Angle(
                number,
                self.angle_names[number - 1] if self.angle_names else Path(media).stem,
                media,
                self.offsets_s[number - 1] if self.offsets_s else 0.0,
                self.drifts_ppm[number - 1] if self.drifts_ppm else 0.0,
            )
            for number, media in enumerate(self.media, start=1)
        ]


def _streams(path: Path) -> tuple[bool, bool]:
    from postprod.media.probe import probe

    info = probe(path, count_packets=False)
    return info.video is not None, info.audio is not None


def _roles(side: str) -> tuple[str, ...]:
    if side not in SIDES:
        raise EditError(f"unknown side {side!r}", fix=f"use one of {', '.join(SIDES)}")
    return ("picture", "sound") if side == "both" else (side,)


def _cuts_at(
    timeline: otio.schema.Timeline, where: Where, group: str, at: int, side: str
) -> list[CutAt]:
    """The cuts under record frame ``at`` (of ``group``, or of the one group there) for the
    side(s) asked: refused when there is none, or two groups there and no name."""
    roles = _roles(side)
    found = []
    for track in timeline.tracks:
        slot = _slot_under(track, at, where)
        cut = cut_of(slot.item) if slot is not None else None
        if slot is None or cut is None or cut.role not in roles:
            continue
        if not group or cut.group == group:
            found.append(CutAt(track, slot.index, slot.start, slot.length, cut))
    names = sorted({item.cut.group for item in found})
    if len(names) > 1:
        raise EditError(
            f"several multicam clips at {where.tc(at)}",
            fix=f"name one with --name: {', '.join(names)}",
        )
    if not found:
        name = the_group(timeline, where.rate, group)  # refuses an unknown group
        raise EditError(
            f"multicam clip {name} has no {' or '.join(roles)} at {where.tc(at)}",
            where=name,
            fix="choose a time inside the multicam clip",
        )
    return found


def _slot_under(track: otio.core.Composable, at: int, where: Where) -> Slot | None:
    if not isinstance(track, otio.schema.Track):
        return None
    return next((slot for slot in slots(track, where.rate) if slot.start <= at < slot.end), None)


def _choose(item: CutAt, angle: int, side: str, *, stack: otio.schema.Stack | None = None) -> None:
    target = stack if stack is not None else item.stack
    numbers = {found.number: found for found, _ in angles_of(target)}
    if angle not in numbers:
        what = "picture" if item.cut.role == "picture" else "sound"
        raise EditError(
            f"angle {angle} of {item.cut.group} has no {what}",
            where=item.cut.group,
            fix=f"choose one of {', '.join(map(str, sorted(numbers)))}"
            + ("" if side != "both" else ", or cut one side (--video-only, --audio-only)"),
        )
    set_cut(target, replace(item.cut, angle=angle))


def _own_sound_cuts(timeline: otio.schema.Timeline, where: Where, group: str) -> None:
    """A cut of the sound alone gives the group's sound cuts of its own: a sound that
    followed the picture now plays each sound cut's angle (audio mode ``cuts``)."""
    for item in group_cuts(timeline, where.rate, group):
        if item.cut.role == "sound" and item.cut.audio_mode == "follow":
            set_cut(item.stack, replace(item.cut, audio_mode="cuts"))


@dataclass(frozen=True, slots=True)
class CutMulticam(Operation):
    """Make ``angle`` active from record frame ``at`` (until the group's next cut): its
    picture and sound, or only one (``side``: both, picture, sound)."""

    name: ClassVar[str] = "cut-multicam"
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    angle: int = param(minimum=1, help="The angle, counted from 1.")
    group: str = ""
    side: str = "both"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        found = _cuts_at(timeline, where, self.group, self.at, self.side)
        for item in found:
            refuse_locked(item.track)
            index = cut_at(item.track, self.at, where)
            cut = CutAt(item.track, index, self.at, 0, item.cut)
            _choose(cut, self.angle, self.side)
        if self.side == "sound":
            _own_sound_cuts(timeline, where, found[0].cut.group)


@dataclass(frozen=True, slots=True)
class CutMulticamMany(Operation):
    """Many cuts at once (what auto-switching makes): each ``(at, angle)`` makes the angle
    active from record frame ``at`` until the next; one pass over the track, however many."""

    name: ClassVar[str] = "cut-multicam-many"
    cuts: tuple[tuple[int, int], ...]
    group: str = ""
    side: str = "picture"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if not self.cuts:
            raise EditError("no cuts to make", fix="give (frame, angle) pairs")
        ordered = sorted(dict(self.cuts).items())
        name = the_group(timeline, where.rate, self.group)
        roles = _roles(self.side)
        touched = 0
        for track in timeline.tracks:
            if not isinstance(track, otio.schema.Track):
                continue
            children = _split_all(track, where, name, roles, ordered)
            if children is None:
                continue
            refuse_locked(track)
            touched += 1
            track[:] = []
            track.extend(children)
        if not touched:
            raise EditError(f"multicam clip {name} has no {' or '.join(roles)}", where=name)
        if self.side == "sound":
            _own_sound_cuts(timeline, where, name)


def _split_all(
    track: otio.schema.Track,
    where: Where,
    group: str,
    roles: tuple[str, ...],
    cuts: list[tuple[int, int]],
) -> list[otio.core.Composable] | None:
    """The track's children with the group's cuts split at every frame of ``cuts`` and each
    piece showing the angle cut to at its start (None: the track has none of the group)."""
    found = {slot.index: slot for slot in slots(track, where.rate)}
    frames = [frame for frame, _ in cuts]
    out: list[otio.core.Composable] = []
    any_cut = False
    for index, child in enumerate(track):
        slot = found.get(index)
        cut = cut_of(child) if slot is not None else None
        if slot is None or cut is None or cut.group != group or cut.role not in roles:
            out.append(child.deepcopy())
            continue
        any_cut = True
        first = source_in(child, where.rate)
        low = bisect.bisect_left(frames, slot.start)
        high = bisect.bisect_left(frames, slot.end)
        points = [slot.start] + [f for f in frames[low:high] if f > slot.start] + [slot.end]
        angle = cut.angle
        for begin, end in itertools.pairwise(points):
            at = bisect.bisect_right(frames, begin) - 1
            if at >= 0 and cuts[at][0] >= slot.start:
                angle = cuts[at][1]
            piece = child.deepcopy()
            piece.source_range = time_range(first + begin - slot.start, end - begin, where.rate)
            if begin > slot.start:
                piece.markers[:] = []
            _choose(CutAt(track, 0, begin, end - begin, cut), angle, "both", stack=piece)
            out.append(piece)
    return out if any_cut else None


@dataclass(frozen=True, slots=True)
class SwitchMulticam(Operation):
    """Change the angle of the cut under record frame ``at``, without a new cut."""

    name: ClassVar[str] = "switch-multicam"
    at: int = param(minimum=0, unit="frames", help="Frames from the programme's start.")
    angle: int = param(minimum=1, help="The angle, counted from 1.")
    group: str = ""
    side: str = "both"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        found = _cuts_at(timeline, where, self.group, self.at, self.side)
        for item in found:
            refuse_locked(item.track)
            _choose(item, self.angle, self.side)
        if self.side == "sound":
            _own_sound_cuts(timeline, where, found[0].cut.group)


@dataclass(frozen=True, slots=True)
class SetMulticamAudio(Operation):
    """How a group's sound plays: ``follow`` the picture (the angle on screen), its own
    ``cuts`` (each sound cut's angle), one ``fixed`` angle, or a ``mix`` of ``angles``."""

    name: ClassVar[str] = "set-multicam-audio"
    mode: str
    angles: tuple[int, ...] = ()
    group: str = ""

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.mode not in AUDIO_MODES:
            raise EditError(
                f"unknown audio mode {self.mode!r}", fix=f"use one of {', '.join(AUDIO_MODES)}"
            )
        if self.mode in ("fixed", "mix") and not self.angles:
            raise EditError(f"audio mode {self.mode} needs angles", fix="give --angles 1,2")
        name = the_group(timeline, where.rate, self.group)
        for item in group_cuts(timeline, where.rate, name):
            if item.cut.role != "sound":
                continue
            numbers = {angle.number for angle, _ in angles_of(item.stack)}
            missing = sorted(set(self.angles) - numbers)
            if missing:
                raise EditError(
                    f"angle {missing[0]} of {name} has no sound",
                    where=name,
                    fix=f"choose among {', '.join(map(str, sorted(numbers)))}",
                )
            refuse_locked(item.track)
            set_cut(item.stack, replace(item.cut, audio_mode=self.mode, mix=self.angles))


@dataclass(frozen=True, slots=True)
class RenameAngle(Operation):
    """Rename an angle of a group, in every cut."""

    name: ClassVar[str] = "rename-angle"
    angle: int = param(minimum=1, help="The angle, counted from 1.")
    new_name: str = ""
    group: str = ""

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if not self.new_name.strip():
            raise EditError("an angle needs a name", fix="give a name")
        name = the_group(timeline, where.rate, self.group)
        renamed = [
            rename_angle(item.stack, self.angle, self.new_name)
            for item in group_cuts(timeline, where.rate, name)
        ]
        if not any(renamed):
            raise EditError(f"{name} has no angle {self.angle}", where=name, fix="count from 1")


@dataclass(frozen=True, slots=True)
class FlattenMulticam(Operation):
    """Turn a group's cuts (every group's, by default) into the plain clips they play."""

    name: ClassVar[str] = "flatten-multicam"
    group: str = ""

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        name = the_group(timeline, where.rate, self.group) if self.group else ""
        if not group_names(timeline, where.rate):
            raise EditError("the project has no multicam clip", fix="nothing to flatten")
        flatten(timeline, name)


MULTICAM_OPERATIONS: tuple[type[Operation], ...] = (
    CreateMulticam,
    CutMulticam,
    CutMulticamMany,
    SwitchMulticam,
    SetMulticamAudio,
    RenameAngle,
    FlattenMulticam,
)

__all__ = [
    "MULTICAM_OPERATIONS",
    "SIDES",
    "CreateMulticam",
    "CutMulticam",
    "CutMulticamMany",
    "FlattenMulticam",
    "RenameAngle",
    "SetMulticamAudio",
    "SwitchMulticam",
]
