"""The editor's operations on a timeline, as small typed objects.

Each operation is a frozen dataclass of plain values (track names, record
frames counted from the programme's first frame, media paths), so it can be
written to the undo journal and replayed. :func:`apply_edit` runs one on a
copy of the timeline, checks the result (``postprod.timeline.validate``) and
returns the copy: an operation that would break the timeline is refused with
an error naming the clip and timecode, and the original is left untouched.

Ripple operations (insert, extract, ripple trim, close gaps) move what comes
later on the track they edit; ``sync=True`` applies the same change of time
to every other track too, so sound stays with picture (an editor's sync lock).
Source frames are counted from the media's first frame (0-based).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar, Literal

import opentimelineio as otio

from postprod.errors import EditError
from postprod.timeline.build import clip_of_file, title_clip
from postprod.timeline.metadata import (
    PICTURE_LAYOUTS,
    TRANSITION_PATTERNS,
    PictureState,
    WipeState,
    parse_colour,
    set_picture_state,
    set_wipe,
)
from postprod.timeline.model import (
    exact_rate,
    playback_ratio,
    rational_time,
    time_range,
    to_frames,
)
from postprod.timeline.placement import video_track
from postprod.timeline.slots import (
    Slot,
    Where,
    clip_at,
    cut_at,
    find_track,
    gap,
    handles,
    set_source,
    slot_at,
    slots,
    source_in,
    track_length,
)
from postprod.timeline.validate import check_timeline


class Operation:
    """An edit: ``run`` changes the timeline in place (on the copy apply_edit made)."""

    name: ClassVar[str]

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The operation as JSON-ready data (its name under ``"op"``)."""
        return {"op": self.name, **asdict(self)}  # type: ignore[call-overload]

    def describe(self) -> str:
        """One line for the journal, the log and the terminal."""
        values = ", ".join(
            f"{key}={value!r}" if isinstance(value, str) and "\n" in value else f"{key}={value}"
            for key, value in asdict(self).items()  # type: ignore[call-overload]
        )
        return f"{self.name} {values}"


def apply_edit(
    timeline: otio.schema.Timeline, operation: Operation, *, folder: Path | None = None
) -> otio.schema.Timeline:
    """``timeline`` changed by ``operation``, checked; the original is not touched.

    ``folder`` is the project's: media paths in operations are relative to it.
    """
    result = timeline.deepcopy()
    where = Where.of(result, folder)
    operation.run(result, where)
    for track in result.tracks:
        _tidy_gaps(track, where)
    check_timeline(result)
    return result


def operation_from_dict(data: dict[str, Any]) -> Operation:
    """An operation from :meth:`Operation.to_dict` data (the journal's lines)."""
    values = dict(data)
    name = values.pop("op", None)
    kind = OPERATIONS.get(str(name))
    if kind is None:
        raise EditError(
            f"unknown edit operation {name!r}",
            fix=f"use one of: {', '.join(sorted(OPERATIONS))}",
        )
    known = {field.name for field in fields(kind)}  # type: ignore[arg-type]
    arguments = {
        key: _tuples(value) if isinstance(value, list) else value
        for key, value in values.items()
        if key in known
    }
    make: Callable[..., Operation] = kind
    try:
        return make(**arguments)
    except TypeError as error:
        raise EditError(f"edit {name} is missing a value ({error})") from None


# -- placing media ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Append(Operation):
    """Put media at the end of a track."""

    name: ClassVar[str] = "append"
    track: str
    media: str
    source_in: int = 0
    duration: int | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        track.append(_media(self.media, self.source_in, self.duration, where))


@dataclass(frozen=True, slots=True)
class Insert(Operation):
    """Put media at a frame, pushing everything after it later (ripple)."""

    name: ClassVar[str] = "insert"
    track: str
    at: int
    media: str
    source_in: int = 0
    duration: int | None = None
    sync: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        clip = _media(self.media, self.source_in, self.duration, where)
        track = find_track(timeline, self.track)
        track.insert(cut_at(track, self.at, where), clip)
        if self.sync:
            length = to_frames(clip.duration(), where.rate, where=clip.name)
            for other in _other_tracks(timeline, track, self.at, where):
                other.insert(cut_at(other, self.at, where), gap(length, where.rate))


@dataclass(frozen=True, slots=True)
class Overwrite(Operation):
    """Put media at a frame over whatever is there; nothing moves."""

    name: ClassVar[str] = "overwrite"
    track: str
    at: int
    media: str
    source_in: int = 0
    duration: int | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        clip = _media(self.media, self.source_in, self.duration, where)
        length = to_frames(clip.duration(), where.rate, where=clip.name)
        track = find_track(timeline, self.track)
        index = _clear(track, self.at, self.at + length, where)
        track.insert(index, clip)


@dataclass(frozen=True, slots=True)
class Replace(Operation):
    """Put other media in the place of the clip under a frame, for the same length."""

    name: ClassVar[str] = "replace"
    track: str
    at: int
    media: str
    source_in: int = 0

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        clip = _media(self.media, self.source_in, slot.length, where)
        clip.markers.extend(marker.deepcopy() for marker in slot.item.markers)
        track[slot.index] = clip


# -- taking away ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lift(Operation):
    """Take the clip under a frame away, leaving a gap (nothing moves)."""

    name: ClassVar[str] = "lift"
    track: str
    at: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = _detach(track, self.at, where)
        track[slot.index] = gap(slot.length, where.rate)


@dataclass(frozen=True, slots=True)
class Extract(Operation):
    """Take the clip under a frame away and close the hole (ripple delete)."""

    name: ClassVar[str] = "extract"
    track: str
    at: int
    sync: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = _detach(track, self.at, where)
        del track[slot.index]
        if self.sync:
            for other in _other_tracks(timeline, track, slot.start, where):
                _remove_range(other, slot.start, slot.end, where)


@dataclass(frozen=True, slots=True)
class ExtractRange(Operation):
    """Take record frames ``start`` .. ``end`` out of tracks and close up (ripple)."""

    name: ClassVar[str] = "extract-range"
    start: int
    end: int
    tracks: tuple[str, ...] = ()  # none: every track

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.end <= self.start:
            raise EditError(
                f"range {where.tc(self.start)}-{where.tc(self.end)} is empty",
                fix="give OUT after IN",
            )
        chosen = [find_track(timeline, name) for name in self.tracks] or list(timeline.tracks)
        for track in chosen:
            _remove_range(track, self.start, self.end, where)


@dataclass(frozen=True, slots=True)
class JumpCut(Operation):
    """Take several stretches of record frames out of every track at once (jump cuts)."""

    name: ClassVar[str] = "jump-cut"
    ranges: tuple[tuple[int, int], ...]

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        for start, end in sorted(self.ranges, reverse=True):
            ExtractRange(start, end).run(timeline, where)

    def describe(self) -> str:
        removed = sum(end - start for start, end in self.ranges)
        return f"{self.name}: {len(self.ranges)} cuts, {removed} frames taken out"


@dataclass(frozen=True, slots=True)
class Split(Operation):
    """Cut the clip under a frame in two (the razor)."""

    name: ClassVar[str] = "split"
    track: str
    at: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        if slot.start == self.at:
            raise EditError(
                f"{where.tc(self.at)} is already a cut on track {self.track}",
                where=slot.item.name,
                fix="split at a frame inside the clip",
            )
        cut_at(track, self.at, where)


# -- trimming ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trim(Operation):
    """Move a clip's in or out point by ``by`` frames; what follows moves with it (ripple).

    ``by`` > 0 moves the point later: a later in point shortens the clip, a
    later out point lengthens it.
    """

    name: ClassVar[str] = "trim"
    track: str
    at: int
    edge: Literal["in", "out"]
    by: int
    sync: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.edge not in ("in", "out"):
            raise EditError(f"trim edge {self.edge!r}", fix="trim the in or the out edge")
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        first = source_in(slot.item, where.rate)
        if self.edge == "in":
            _refuse_shorter(slot, self.by, where)
            set_source(slot.item, first + self.by, slot.length - self.by, where.rate)
            change, at = -self.by, slot.start
        else:
            _refuse_shorter(slot, -self.by, where)
            set_source(slot.item, first, slot.length + self.by, where.rate)
            change, at = self.by, slot.end + min(self.by, 0)
        if self.sync and change:
            for other in _other_tracks(timeline, track, at, where):
                if change > 0:
                    other.insert(cut_at(other, at, where), gap(change, where.rate))
                else:
                    _remove_range(other, at, at - change, where)


@dataclass(frozen=True, slots=True)
class Roll(Operation):
    """Move the cut at frame ``at`` by ``by`` frames: one side gets longer, the other shorter."""

    name: ClassVar[str] = "roll"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        _move_boundary(*_cut_between(track, self.at, where), self.by, where)


@dataclass(frozen=True, slots=True)
class Slip(Operation):
    """Show other frames of the media in the same place: the source range moves by ``by``."""

    name: ClassVar[str] = "slip"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(find_track(timeline, self.track), self.at, where)
        first = source_in(slot.item, where.rate)
        set_source(slot.item, first + self.by, slot.length, where.rate)


@dataclass(frozen=True, slots=True)
class Slide(Operation):
    """Move a clip along the track by ``by`` frames; its neighbours give and take the time."""

    name: ClassVar[str] = "slide"
    track: str
    at: int
    by: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        found = slots(track, where.rate)
        position = found.index(slot)
        if position == 0 or position == len(found) - 1:
            raise EditError(
                f"{slot.item.name} at {where.tc(slot.start)} has no neighbour on one side",
                where=slot.item.name,
                fix="slide a clip that has items before and after it, or use move",
            )
        _move_boundary(found[position - 1], found[position + 1], self.by, where)


@dataclass(frozen=True, slots=True)
class Move(Operation):
    """Take the clip under ``at`` away (leaving a gap) and put it at ``to`` over what is there."""

    name: ClassVar[str] = "move"
    track: str
    at: int
    to: int
    to_track: str | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        slot = _detach(track, self.at, where)
        clip = slot.item.deepcopy()
        track[slot.index] = gap(slot.length, where.rate)
        target = find_track(timeline, self.to_track or self.track)
        index = _clear(target, self.to, self.to + slot.length, where)
        target.insert(index, clip)


@dataclass(frozen=True, slots=True)
class SetRange(Operation):
    """Give the clip under ``at`` new in and out points (source frames, out exclusive); ripple."""

    name: ClassVar[str] = "set-range"
    track: str
    at: int
    source_in: int
    source_out: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(find_track(timeline, self.track), self.at, where)
        if self.source_out <= self.source_in:
            raise EditError(
                f"out point {self.source_out} is not after in point {self.source_in}",
                where=slot.item.name,
                fix="give OUT after IN",
            )
        first = _media_first(slot.item, where)
        set_source(slot.item, first + self.source_in, self.source_out - self.source_in, where.rate)


# -- transitions and markers ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddTransition(Operation):
    """A dissolve (or a wipe, push, slide or dip) of ``frames`` centred on the cut at ``at``."""

    name: ClassVar[str] = "add-transition"
    track: str
    at: int
    frames: int
    wipe: str | None = None  # a pattern of TRANSITION_PATTERNS; None: a dissolve
    colour: str = "black"  # a dip's colour: a name or #RRGGBB

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.frames <= 0:
            raise EditError(f"a transition of {self.frames} frames", fix="give it frames")
        if self.wipe is not None and self.wipe not in TRANSITION_PATTERNS:
            raise EditError(
                f"unknown transition {self.wipe!r}",
                where=self.track,
                fix=f"use one of {', '.join(TRANSITION_PATTERNS)}",
            )
        colour = parse_colour(self.colour, where=self.track)
        track = find_track(timeline, self.track)
        _, incoming = _cut_between(track, self.at, where)
        if isinstance(track[incoming.index - 1], otio.schema.Transition):
            raise EditError(
                f"the cut at {where.tc(self.at)} on {self.track} already has a transition",
                where=self.track,
                fix="remove it first",
            )
        before = self.frames // 2
        transition = otio.schema.Transition(
            name=self.wipe or "dissolve",
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=rational_time(before, where.rate),
            out_offset=rational_time(self.frames - before, where.rate),
        )
        if self.wipe:
            set_wipe(transition, WipeState(pattern=self.wipe, colour=colour))
        track.insert(incoming.index, transition)


@dataclass(frozen=True, slots=True)
class RemoveTransition(Operation):
    """Take away the transition on the cut at ``at`` (it becomes a plain cut)."""

    name: ClassVar[str] = "remove-transition"
    track: str
    at: int

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = find_track(timeline, self.track)
        _, incoming = _cut_between(track, self.at, where)
        if not isinstance(track[incoming.index - 1], otio.schema.Transition):
            raise EditError(
                f"the cut at {where.tc(self.at)} on {self.track} has no transition",
                where=self.track,
                fix="postprod inspect lists the transitions",
            )
        del track[incoming.index - 1]


@dataclass(frozen=True, slots=True)
class SetPicture(Operation):
    """Place the picture of the clip under ``at``: a ready layout (split screen halves, quad
    quarters, a corner picture-in-picture), with any of crop, scale, position and opacity
    set over it (``values``: (name, value) pairs of :class:`PictureState`: numbers, and the
    ``fit`` of a picture of another shape)."""

    name: ClassVar[str] = "picture"
    track: str
    at: int
    layout: str = "full"
    values: tuple[tuple[str, float | str], ...] = ()

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        slot = clip_at(find_track(timeline, self.track), self.at, where)
        base = PICTURE_LAYOUTS.get(self.layout)
        if base is None:
            raise EditError(
                f"unknown layout {self.layout!r}", fix=f"use one of {', '.join(PICTURE_LAYOUTS)}"
            )
        known = set(PictureState.__dataclass_fields__)
        unknown = [key for key, _ in self.values if key not in known]
        if unknown:
            raise EditError(f"unknown picture setting {unknown[0]!r}", fix=f"use {sorted(known)}")
        if not isinstance(slot.item, otio.schema.Clip):
            raise EditError("only a clip has a picture to place", where=self.track)
        state = PictureState.from_dict({**base.to_dict(), **dict(self.values)}, slot.item.name)
        set_picture_state(slot.item, state)


@dataclass(frozen=True, slots=True)
class AddTitle(Operation):
    """A title of ``frames`` at ``at`` over whatever the track has there (the track is made
    if the timeline has none): a full-frame card, or keyed over the picture below (a lower
    third, or centred) when it sits on a track above it. ``\\n`` separates lines."""

    name: ClassVar[str] = "title"
    track: str
    at: int
    frames: int
    text: str
    style: str = "card"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        clip = title_clip(self.text, self.frames, where.rate, style=self.style)
        track = video_track(timeline, self.track)
        index = _clear(track, self.at, self.at + self.frames, where)
        track.insert(index, clip)


@dataclass(frozen=True, slots=True)
class AddMarker(Operation):
    """A marker on the programme at ``at``: a name, a colour and a note (a spotting note)."""

    name: ClassVar[str] = "add-marker"
    at: int
    label: str
    colour: str = "RED"
    note: str = ""
    duration: int = 0

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        colour = self.colour.upper()
        if not hasattr(otio.schema.MarkerColor, colour):
            names = [c for c in dir(otio.schema.MarkerColor) if c.isupper()]
            raise EditError(f"unknown marker colour {self.colour!r}", fix=f"use {names}")
        marker = otio.schema.Marker(
            name=self.label,
            marked_range=time_range(self.at, self.duration, where.rate),
            color=getattr(otio.schema.MarkerColor, colour),
            comment=self.note,
        )
        timeline.tracks.markers.append(marker)


@dataclass(frozen=True, slots=True)
class RemoveMarker(Operation):
    """Take away the programme's markers called ``label`` (or, with ``at``, only the one there)."""

    name: ClassVar[str] = "remove-marker"
    label: str
    at: int | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        ours = list(timeline.tracks.markers)
        keep = [
            marker
            for marker in ours
            if marker.name != self.label
            or (
                self.at is not None
                and to_frames(marker.marked_range.start_time, where.rate, where=marker.name)
                != self.at
            )
        ]
        if len(keep) == len(ours):
            raise EditError(
                f"no marker {self.label!r}"
                + (f" at {where.tc(self.at)}" if self.at is not None else ""),
                fix="postprod edit PROJECT markers lists them",
            )
        timeline.tracks.markers[:] = keep


@dataclass(frozen=True, slots=True)
class CloseGaps(Operation):
    """Take the gaps out of tracks so the clips play one after another (compress time).

    A gap next to a transition is a fade to or from black and stays.
    """

    name: ClassVar[str] = "close-gaps"
    tracks: tuple[str, ...] = ()  # none: every track

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        chosen = [find_track(timeline, name) for name in self.tracks] or list(timeline.tracks)
        for track in chosen:
            for slot in reversed(slots(track, where.rate)):
                if slot.is_gap and not _touches_transition(track, slot.index):
                    del track[slot.index]


OPERATIONS: dict[str, type[Operation]] = {
    kind.name: kind
    for kind in (
        Append,
        Insert,
        Overwrite,
        Replace,
        Lift,
        Extract,
        ExtractRange,
        JumpCut,
        Split,
        Trim,
        Roll,
        Slip,
        Slide,
        Move,
        SetRange,
        AddTransition,
        RemoveTransition,
        SetPicture,
        AddTitle,
        AddMarker,
        RemoveMarker,
        CloseGaps,
    )
}


# -- helpers ----------------------------------------------------------------


def _tuples(value: list[Any]) -> tuple[Any, ...]:
    """JSON lists back to the tuples the operations hold (nested too)."""
    return tuple(_tuples(item) if isinstance(item, list) else item for item in value)


def _media(path: str, first: int, duration: int | None, where: Where) -> otio.schema.Clip:
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


def _media_first(item: otio.core.Item, where: Where) -> int:
    """The first frame of an item's media, in its source frames."""
    available = getattr(item.media_reference, "available_range", None)
    if available is None:
        return 0
    return to_frames(available.start_time, where.rate, where=item.name)


def _other_tracks(
    timeline: otio.schema.Timeline, track: otio.schema.Track, at: int, where: Where
) -> list[otio.schema.Track]:
    """The tracks that move with ``track`` (sync lock), those that reach past ``at``."""
    return [
        other
        for other in timeline.tracks
        if other is not track and track_length(other, where.rate) > at
    ]


def _clear(track: otio.schema.Track, start: int, end: int, where: Where) -> int:
    """Empty record frames ``start`` .. ``end`` of a track; returns the child index there.

    Transitions over those frames, or on the cuts at either end, go with them.
    """
    _drop_transitions_over(track, start, end, where)
    first = cut_at(track, start, where)
    if end < track_length(track, where.rate):
        cut_at(track, end, where)
    for slot in reversed(slots(track, where.rate)):
        if start <= slot.start and slot.end <= end:
            del track[slot.index]
            first = slot.index
    return first


def _remove_range(track: otio.schema.Track, start: int, end: int, where: Where) -> None:
    """Take record frames ``start`` .. ``end`` out of a track and close up."""
    length = track_length(track, where.rate)
    if start >= length:
        return
    _clear(track, start, min(end, length), where)


def _drop_transitions_around(track: otio.schema.Track, index: int) -> None:
    """Take away the transitions either side of the item at ``index``."""
    if index + 1 < len(track) and isinstance(track[index + 1], otio.schema.Transition):
        del track[index + 1]
    if index > 0 and isinstance(track[index - 1], otio.schema.Transition):
        del track[index - 1]


def _drop_transitions_over(track: otio.schema.Track, start: int, end: int, where: Where) -> None:
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


def _tidy_gaps(track: otio.schema.Track, where: Where) -> None:
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
    if trailing and not _touches_transition(track, last):
        del track[last]


def _touches_transition(track: otio.schema.Track, index: int) -> bool:
    return any(
        0 <= i < len(track) and isinstance(track[i], otio.schema.Transition)
        for i in (index - 1, index + 1)
    )


def _cut_between(track: otio.schema.Track, at: int, where: Where) -> tuple[Slot, Slot]:
    """The items either side of the cut at record frame ``at``."""
    found = slots(track, where.rate)
    for left, right in itertools.pairwise(found):
        if right.start == at:
            return left, right
    near = slot_at(track, at, where) if at < track_length(track, where.rate) else None
    hint = f"the nearest cut is at {where.tc(near.start)}" if near else "choose a cut"
    raise EditError(f"no cut at {where.tc(at)} on track {track.name}", where=track.name, fix=hint)


def _refuse_shorter(slot: Slot, by: int, where: Where) -> None:
    """Refuse to take ``by`` frames from an item that does not have them."""
    if by >= slot.length:
        name = slot.item.name or "gap"
        raise EditError(
            f"{name} at {where.tc(slot.start)} is {slot.length} frames; it cannot lose {by}",
            where=name,
            fix=f"move it by less than {slot.length} frames",
        )


def _detach(track: otio.schema.Track, at: int, where: Where) -> Slot:
    """The clip under ``at``, with the transitions either side of it taken away."""
    slot = clip_at(track, at, where)
    _drop_transitions_around(track, slot.index)
    return clip_at(track, at, where)


def _move_boundary(left: Slot, right: Slot, by: int, where: Where) -> None:
    """Move the edit point between two neighbours by ``by``: one longer, the other shorter."""
    _refuse_shorter(left, -by, where)
    _refuse_shorter(right, by, where)
    _resize(left.item, 0, by, where)
    _resize(right.item, by, -by, where)


def _resize(item: otio.core.Item, move_in: int, grow_out: int, where: Where) -> None:
    """Move an item's in point by ``move_in`` frames and change its length by ``grow_out``."""
    first = 0 if isinstance(item, otio.schema.Gap) else source_in(item, where.rate) + move_in
    length = to_frames(item.duration(), where.rate, where=item.name)
    set_source(item, first, length + grow_out, where.rate)


__all__ = [
    "OPERATIONS",
    "Operation",
    "apply_edit",
    "handles",
    "operation_from_dict",
]
