"""Multicam clips: several angles of one scene in sync, and which angle is on at each cut.

OpenTimelineIO has no multicam schema (its issue #427), so a group is stored in plain
OTIO that any tool reads. Each cut of the group is one OTIO ``Stack`` on the track (the
picture's on V1, the sound's on an audio track): its children are one track per angle
(a gap up to where the angle starts rolling, then the angle's clip, placed to the frame,
its sub-frame offset as the clip's slip and its clock drift as a ``LinearTimeWarp``, as
``sync`` places recordings), and its ``source_range`` is the part of the group the cut
shows. Every cut holds the whole group, so a cut can be moved, switched or split alone.

What OTIO cannot say sits in ``metadata["postprod"]["multicam"]`` (versioned): on a cut,
the group's name, the active angle and the role (``picture`` or ``sound``; the sound's
audio mode: ``follow`` the picture (the angle on screen), ``cuts`` of its own, one
``fixed`` angle, or a ``mix`` of angles); on an
angle's track, its number (from 1, in the order the angles were given), name, media,
sync offset and drift. :func:`flatten_track` turns cuts into the plain clips they play
(the render plan, EDL and FCP XML see those), each starting at the exact source position
the angle reaches there: the whole source frame, the rest as the clip's slip.

Version history of the ``multicam`` section: 1 (the first).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.errors import EditError, ProjectError
from postprod.timeline.metadata import ClipState, clip_state, set_clip_state
from postprod.timeline.model import media_path, time_range, timeline_rate, to_frames
from postprod.timeline.slots import gap, slots, source_in
from postprod.timeline.warps import set_time_scalar

MULTICAM_VERSION = 1
KEY = "postprod"
SECTION = "multicam"
#: How the group's sound plays: the angle on screen (following the picture's cuts), the
#: angle each sound cut names (cuts of its own), one angle, or a mix of angles.
AUDIO_MODES = ("follow", "cuts", "fixed", "mix")
ROLES = ("picture", "sound")


@dataclass(frozen=True, slots=True)
class Angle:
    """One angle of a group: a camera or a recorder, and where it sits on the group's clock."""

    number: int  # from 1, in the order the angles were given
    name: str
    media: str  # as the project stores it (relative to the project's folder)
    offset_s: float  # where the angle's first frame (sample) is, on the group's clock
    drift_ppm: float = 0.0  # a second of the angle lasts (1 + drift_ppm / 1e6) group seconds

    @property
    def speed(self) -> float:
        """The angle's seconds played per group second (drift resolved, as ``sync``)."""
        return 1.0 / (1.0 + self.drift_ppm * 1e-6)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "media": self.media,
            "offset_s": self.offset_s,
            "drift_ppm": self.drift_ppm,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Angle:
        return Angle(
            int(data["number"]),
            str(data["name"]),
            str(data["media"]),
            float(data["offset_s"]),
            float(data.get("drift_ppm", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Cut:
    """What one cut of a group shows: the active angle; for sound, the audio mode."""

    group: str
    angle: int
    role: str = "picture"  # or "sound"
    audio_mode: str = "follow"
    mix: tuple[int, ...] = ()  # the angles a "mix" plays (a "fixed" one: its angle)

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "angle": self.angle,
            "role": self.role,
            "audio_mode": self.audio_mode,
            "mix": list(self.mix),
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Cut:
        role = str(data.get("role", "picture"))
        mode = str(data.get("audio_mode", "follow"))
        if role not in ROLES or mode not in AUDIO_MODES:
            raise ProjectError(
                f"a multicam cut with role {role!r} and audio mode {mode!r}",
                where=str(data.get("group", "?")),
                fix=f"roles: {', '.join(ROLES)}; audio modes: {', '.join(AUDIO_MODES)}",
            )
        return Cut(
            str(data["group"]),
            int(data["angle"]),
            role,
            mode,
            tuple(int(a) for a in data.get("mix", ())),
        )

    def angles_heard(self) -> tuple[int, ...]:
        """The angles whose sound this cut plays (a picture cut: its angle)."""
        if self.role == "sound" and self.audio_mode in ("fixed", "mix") and self.mix:
            return self.mix if self.audio_mode == "mix" else self.mix[:1]
        return (self.angle,)


def _section(item: otio.core.SerializableObject) -> dict[str, Any] | None:
    raw = item.metadata.get(KEY)
    if raw is None or SECTION not in raw:
        return None
    data = dict(raw[SECTION])
    version = int(data.get("version", MULTICAM_VERSION))
    if version > MULTICAM_VERSION:
        raise ProjectError(
            f"a multicam of version {version} is newer than this postprod understands",
            where=item.name or "multicam",
            fix="update postprod",
        )
    return data


def _store(item: otio.core.SerializableObject, value: dict[str, Any]) -> None:
    data = dict(item.metadata.get(KEY, {}))
    data.setdefault("version", 1)
    data[SECTION] = {"version": MULTICAM_VERSION, **value}
    item.metadata[KEY] = data


def cut_of(item: otio.core.Composable) -> Cut | None:
    """The multicam cut an item is (None: it is not one)."""
    if not isinstance(item, otio.schema.Stack):
        return None
    data = _section(item)
    return None if data is None or "group" not in data else Cut.from_dict(data)


def set_cut(stack: otio.schema.Stack, cut: Cut) -> None:
    _store(stack, cut.to_dict())


def angle_of(track: otio.core.Composable) -> Angle | None:
    """The angle an angle track of a cut holds."""
    data = _section(track) if isinstance(track, otio.schema.Track) else None
    return None if data is None or "number" not in data else Angle.from_dict(data)


def angles_of(stack: otio.schema.Stack) -> list[tuple[Angle, otio.schema.Track]]:
    """A cut's angles with their tracks, by number."""
    found = [(angle_of(track), track) for track in stack]
    return sorted(
        ((angle, track) for angle, track in found if angle is not None),
        key=lambda pair: pair[0].number,
    )


def angle_track(stack: otio.schema.Stack, number: int) -> otio.schema.Track | None:
    return next((track for angle, track in angles_of(stack) if angle.number == number), None)


def rename_angle(stack: otio.schema.Stack, number: int, name: str) -> bool:
    """Rename angle ``number`` in a cut (its track and its record); False if it has none."""
    track = angle_track(stack, number)
    angle = angle_of(track) if track is not None else None
    if track is None or angle is None:
        return False
    track.name = name
    for clip in track.find_clips():
        clip.name = name
    _store(track, {**angle.to_dict(), "name": name})
    return True


@dataclass(frozen=True, slots=True)
class Placement:
    """An angle on the group's timeline at ``rate``: where it starts (``at_frame``), its
    first source frame there (from the file's first), the sub-frame rest (``slip_s``, on
    the angle's clock), its speed and its length in group frames."""

    at_frame: int
    source_frame: int
    slip_s: float
    speed: float
    frames: int

    @staticmethod
    def of(angle: Angle, available_frames: int, rate: Fraction) -> Placement:
        fps = float(rate)
        speed = angle.speed
        at_frame = max(0, math.ceil(angle.offset_s * fps - 1e-9))
        skip_s = (at_frame / fps - angle.offset_s) * speed
        source_frame = math.floor(skip_s * fps + 1e-9)
        slip_s = max(0.0, skip_s - source_frame / fps)
        left = available_frames - source_frame
        frames = math.floor(left / speed)
        # every cut's piece must stay inside the media: from its exact position (slip
        # included) to the end of what it plays
        while frames > 0 and math.ceil(slip_s * fps + frames * speed - 1e-9) > left:
            frames -= 1
        return Placement(at_frame, source_frame, slip_s, speed, frames)


def place_angle(
    clip: otio.schema.Clip, angle: Angle, rate: Fraction, kind: str
) -> otio.schema.Track:
    """The angle's track in a group: ``clip`` (the whole file, as ``build.clip_of_file``
    makes it) placed on the group's clock."""
    reference = clip.media_reference
    available = reference.available_range
    first = to_frames(available.start_time, rate, where=clip.name)
    total = to_frames(available.duration, rate, where=clip.name)
    place = Placement.of(angle, total, rate)
    if place.frames <= 0:
        raise EditError(
            f"angle {angle.number} ({angle.name}) has no frame on the group's clock",
            where=angle.name,
            fix="check its sync offset",
        )
    clip.name = angle.name
    clip.source_range = time_range(first + place.source_frame, place.frames, rate)
    set_clip_state(clip, ClipState(slip_s=place.slip_s))
    if abs(place.speed - 1.0) > 1e-9:
        set_time_scalar(clip, Fraction(place.speed))
    track = otio.schema.Track(angle.name, kind=kind)
    if place.at_frame:
        track.append(gap(place.at_frame, rate))
    track.append(clip)
    _store(track, angle.to_dict())
    return track


def group_stack(
    name: str, tracks: list[otio.schema.Track], cut: Cut, rate: Fraction
) -> otio.schema.Stack:
    """One cut showing the whole group: its angle tracks padded to the longest."""
    length = max(sum(_frames(item, rate) for item in track) for track in tracks)
    stack = otio.schema.Stack(name=name, source_range=time_range(0, length, rate))
    for track in tracks:
        own = sum(_frames(item, rate) for item in track)
        if own < length:
            track.append(gap(length - own, rate))
        stack.append(track)
    set_cut(stack, cut)
    return stack


def _frames(item: otio.core.Composable, rate: Fraction) -> int:
    if isinstance(item, otio.schema.Transition):
        return 0
    return to_frames(item.duration(), rate, where=item.name or "item")


def source_position(track: otio.schema.Track, group_frame: int, rate: Fraction) -> Fraction | None:
    """The exact source frame (counted from the file's first frame, fractional) that an
    angle's track reaches at ``group_frame``; None where the angle is not rolling."""
    for slot in slots(track, rate):
        if not slot.start <= group_frame < slot.end or not isinstance(slot.item, otio.schema.Clip):
            continue
        return _position(slot.item, group_frame - slot.start, rate)
    return None


def _position(clip: otio.schema.Clip, offset: int, rate: Fraction) -> Fraction:
    available = clip.media_reference.available_range
    first = source_in(clip, rate) - to_frames(available.start_time, rate, where=clip.name)
    speed = Fraction(_speed(clip))
    return first + Fraction(clip_state(clip).slip_s) * rate + offset * speed


def _speed(clip: otio.schema.Clip) -> float:
    speed = 1.0
    for effect in clip.effects:
        if isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= float(effect.time_scalar)
    return speed


def angle_items(stack: otio.schema.Stack, number: int, rate: Fraction) -> list[otio.core.Item]:
    """The plain clips and gaps angle ``number`` plays over the cut's range: each clip from
    the exact source position there (whole frame + slip), with the angle's speed."""
    start = source_in(stack, rate)
    length = to_frames(stack.duration(), rate, where=stack.name)
    track = angle_track(stack, number)
    out: list[otio.core.Item] = []
    done = start
    for slot in slots(track, rate) if track is not None else []:
        low, high = max(start, slot.start), min(start + length, slot.end)
        if high <= low:
            continue
        if low > done:
            out.append(gap(low - done, rate))
        if isinstance(slot.item, otio.schema.Clip):
            out.append(_piece(slot.item, low - slot.start, high - low, rate))
        else:
            out.append(gap(high - low, rate))
        done = high
    if done < start + length:
        out.append(gap(start + length - done, rate))
    return out


def _piece(clip: otio.schema.Clip, offset: int, frames: int, rate: Fraction) -> otio.schema.Clip:
    position = _position(clip, offset, rate)
    whole = math.floor(position)
    available = clip.media_reference.available_range
    first = to_frames(available.start_time, rate, where=clip.name)
    piece = clip.deepcopy()
    piece.source_range = time_range(first + whole, frames, rate)
    state = clip_state(clip)
    set_clip_state(piece, _with_slip(state, float((position - whole) / rate)))
    return piece


def _with_slip(state: ClipState, slip_s: float) -> ClipState:
    return replace(state, slip_s=slip_s)


#: Each group's picture cuts in record frames: (start, end, angle), in order.
Shots = dict[str, list[tuple[int, int, int]]]


def picture_shots(timeline: otio.schema.Timeline, rate: Fraction) -> Shots:
    """Which angle is on screen where, for every group (what ``follow`` sound follows)."""
    shots: Shots = {}
    for found in group_cuts(timeline, rate, ""):
        if found.cut.role == "picture":
            shot = (found.start, found.start + found.length, found.cut.angle)
            shots.setdefault(found.cut.group, []).append(shot)
    return shots


def _following(
    stack: otio.schema.Stack,
    start: int,
    own: int,
    shots: list[tuple[int, int, int]],
    rate: Fraction,
) -> list[otio.core.Item]:
    """A ``follow`` sound cut at record frame ``start`` as plain items: the sound of the
    angle on screen at each frame (its own angle where the picture shows none with sound)."""
    length = _frames(stack, rate)
    numbers = {angle.number for angle, _ in angles_of(stack)}
    pieces: list[tuple[int, int, int]] = []
    at, end = start, start + length
    for low, high, angle in shots:
        low, high = max(low, start), min(high, end)
        if high <= low:
            continue
        if low > at:
            pieces.append((at, low, own))
        pieces.append((low, high, angle if angle in numbers else own))
        at = high
    if at < end:
        pieces.append((at, end, own))
    merged: list[tuple[int, int, int]] = []
    for low, high, angle in pieces:  # no cut where the angle does not change
        if merged and merged[-1][2] == angle and merged[-1][1] == low:
            merged[-1] = (merged[-1][0], high, angle)
        else:
            merged.append((low, high, angle))
    first = source_in(stack, rate)
    whole = stack.source_range
    out: list[otio.core.Item] = []
    try:
        for low, high, angle in merged:
            stack.source_range = time_range(first + low - start, high - low, rate)
            out.extend(angle_items(stack, angle, rate))
    finally:
        stack.source_range = whole
    return out


def flatten_track(
    track: otio.schema.Track, rate: Fraction, group: str = "", shots: Shots | None = None
) -> list[list[otio.core.Item]]:
    """The track's items with each multicam cut (of ``group``, or of any group) turned into
    the plain items it plays (``follow`` sound following ``shots``, the picture's cuts); a
    sound mix of n angles gives n lanes (the first is the track's own, the others go on
    tracks of their own)."""
    lanes: list[list[otio.core.Item]] = [[]]
    frame = 0
    for child in track:
        cut = cut_of(child)
        if isinstance(child, otio.schema.Transition):
            lanes[0].append(child.deepcopy())
            continue
        length = _frames(child, rate)
        if cut is None or (group and cut.group != group):
            lanes[0].append(child.deepcopy())
            for lane in lanes[1:]:
                lane.append(gap(length, rate))
        elif cut.role == "sound" and cut.audio_mode == "follow" and (shots or {}).get(cut.group):
            assert isinstance(child, otio.schema.Stack) and shots is not None
            lanes[0].extend(_following(child, frame, cut.angle, shots[cut.group], rate))
            for lane in lanes[1:]:
                lane.append(gap(length, rate))
        else:
            heard = cut.angles_heard() if cut.role == "sound" else (cut.angle,)
            while len(lanes) < len(heard):
                lanes.append([gap(frame, rate)] if frame else [])
            for index, lane in enumerate(lanes):
                if index < len(heard):
                    lane.extend(angle_items(child, heard[index], rate))
                else:
                    lane.append(gap(length, rate))
        frame += length
    return lanes


def shown_clip(item: otio.core.Composable, rate: Fraction) -> otio.schema.Clip | None:
    """What a multicam cut shows, as one clip for views (``inspect``, the console): the
    active angle's first clip in the cut, named ``group: angle``; None for anything else
    or a cut whose angle is not rolling."""
    cut = cut_of(item)
    if cut is None:
        return None
    assert isinstance(item, otio.schema.Stack)
    number = cut.angles_heard()[0]
    clip = next(
        (piece for piece in angle_items(item, number, rate) if isinstance(piece, otio.schema.Clip)),
        None,
    )
    if clip is not None:
        clip.name = f"{cut.group}: {clip.name}"
    return clip


def has_multicam(timeline: otio.schema.Timeline) -> bool:
    return any(cut_of(child) is not None for track in timeline.tracks for child in track)


def flatten(timeline: otio.schema.Timeline, group: str = "") -> None:
    """Turn the multicam cuts (of ``group``, or all) into plain clips, in place."""
    rate = _rate(timeline)
    shots = picture_shots(timeline, rate)  # before the picture is flattened
    for track in list(timeline.tracks):
        if not any(cut_of(child) is not None for child in track):
            continue
        lanes = flatten_track(track, rate, group, shots)
        track[:] = []
        track.extend(lanes[0])
        position = list(timeline.tracks).index(track)
        for number, lane in enumerate(lanes[1:], start=2):
            extra = otio.schema.Track(f"{track.name} mix {number}", kind=track.kind)
            for key in track.metadata:  # the track's strip and layout go with its sound
                extra.metadata[key] = track.metadata[key]
            extra.extend(lane)
            timeline.tracks.insert(position + number - 1, extra)


def _rate(timeline: otio.schema.Timeline) -> Fraction:
    return timeline_rate(timeline)


def with_angle_tracks(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy of ``timeline`` with, above its video tracks, one track per picture angle of
    each group holding all of that angle over the group's span (what a multiview shows);
    the groups' cuts stay as they are."""
    rate = _rate(timeline)
    copy = timeline.deepcopy()
    firsts: dict[str, CutAt] = {}
    for found in group_cuts(copy, rate, ""):
        if found.cut.role == "picture":
            firsts.setdefault(found.cut.group, found)
    position = max(
        (index + 1 for index, track in enumerate(copy.tracks) if track.kind == "Video"),
        default=0,
    )
    for name, found in firsts.items():
        whole = found.stack.deepcopy()
        length = max(sum(_frames(item, rate) for item in track) for track in whole)
        origin = found.start - source_in(found.stack, rate)
        skipped = max(0, -origin)  # the group's head before the programme's first frame
        whole.source_range = time_range(skipped, length - skipped, rate)
        for angle, _ in angles_of(whole):
            track = otio.schema.Track(f"{name}: {angle.name}", kind="Video")
            if origin > 0:
                track.append(gap(origin, rate))
            track.extend(angle_items(whole, angle.number, rate))
            copy.tracks.insert(position, track)
            position += 1
    return copy


def angle_media_names(timeline: otio.schema.Timeline, folder: Path | None) -> dict[str, str]:
    """Each multicam angle's media file (resolved against ``folder``) and its angle's name."""
    rate = _rate(timeline)
    names: dict[str, str] = {}
    for found in group_cuts(timeline, rate, ""):
        for angle, track in angles_of(found.stack):
            for clip in track.find_clips():
                path = media_path(clip, folder)
                if path is not None:
                    names.setdefault(str(path), angle.name)
    return names


@dataclass(frozen=True, slots=True)
class CutAt:
    """A group's cut on a track: the track, the child's index, its record frames, its cut."""

    track: otio.schema.Track
    index: int
    start: int
    length: int
    cut: Cut

    @property
    def stack(self) -> otio.schema.Stack:
        item = self.track[self.index]
        assert isinstance(item, otio.schema.Stack)
        return item


def group_cuts(timeline: otio.schema.Timeline, rate: Fraction, group: str) -> Iterator[CutAt]:
    """Every cut of ``group`` (every group's, for ""), track by track, in order."""
    for track in timeline.tracks:
        if not isinstance(track, otio.schema.Track):
            continue
        for slot in slots(track, rate):
            cut = cut_of(slot.item)
            if cut is not None and (not group or cut.group == group):
                yield CutAt(track, slot.index, slot.start, slot.length, cut)


def group_names(timeline: otio.schema.Timeline, rate: Fraction) -> list[str]:
    return sorted({found.cut.group for found in group_cuts(timeline, rate, "")})


def the_group(timeline: otio.schema.Timeline, rate: Fraction, name: str) -> str:
    """``name``, or the project's only group when ``name`` is empty; refused when unknown."""
    names = group_names(timeline, rate)
    if name and name in names:
        return name
    if not name and len(names) == 1:
        return names[0]
    if not names:
        raise EditError(
            "the project has no multicam clip",
            where=timeline.name,
            fix="make one with postprod multicam create",
        )
    raise EditError(
        f"no multicam clip {name!r}" if name else "the project has several multicam clips",
        where=timeline.name,
        fix=f"name one with --name: {', '.join(names)}",
    )


__all__ = [
    "AUDIO_MODES",
    "Angle",
    "Cut",
    "CutAt",
    "Placement",
    "angle_items",
    "angle_media_names",
    "angle_of",
    "angles_of",
    "cut_of",
    "flatten",
    "flatten_track",
    "group_cuts",
    "group_stack",
    "has_multicam",
    "picture_shots",
    "place_angle",
    "rename_angle",
    "set_cut",
    "shown_clip",
    "source_position",
    "the_group",
    "with_angle_tracks",
]
