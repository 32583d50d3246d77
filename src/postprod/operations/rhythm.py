"""Cutting to music: beat markers, cuts moved onto beats, a montage laid on beats, a clip
retimed so an action lands on a beat.

The beats are plain record frames here (the CLI and ``workflows.beats`` find them in
the music and turn seconds into frames by a stated rule); these operations do no
analysis, so they journal, replay and undo like any other edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import ClassVar, Literal

import opentimelineio as otio

from postprod.errors import EditError
from postprod.operations.base import Operation, param
from postprod.operations.markers import AddMarker
from postprod.operations.placing import Overwrite
from postprod.operations.timing import _retime_linked
from postprod.operations.trackwork import media_first
from postprod.operations.trimming import Roll, Trim
from postprod.timeline.model import time_range
from postprod.timeline.slots import Where, clip_at, slots, source_in, unlocked_track
from postprod.timeline.warps import time_scalar

#: What the beat markers are called (``inspect --rhythm`` and ``conform-to-beats`` read them).
BEAT_LABEL = "beat"
BAR_LABEL = "bar"


@dataclass(frozen=True, slots=True)
class MarkBeats(Operation):
    """Markers at the music's beats (``beat``) and bar starts (``bar``), on ``track``
    (empty: on the programme), in one colour."""

    name: ClassVar[str] = "mark-beats"
    beats: tuple[int, ...]
    downbeats: tuple[int, ...] = ()
    track: str = ""
    colour: str = "CYAN"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        colour = self.colour.upper()
        if not hasattr(otio.schema.MarkerColor, colour):
            AddMarker(0, BEAT_LABEL, colour).run(timeline, where)  # its refusal names them
        target = unlocked_track(timeline, self.track) if self.track else timeline.tracks
        bars = set(self.downbeats)
        for frame in sorted(set(self.beats) | bars):
            target.markers.append(
                otio.schema.Marker(
                    name=BAR_LABEL if frame in bars else BEAT_LABEL,
                    marked_range=time_range(frame, 0, where.rate),
                    color=getattr(otio.schema.MarkerColor, colour),
                )
            )


@dataclass(frozen=True, slots=True)
class ConformToBeats(Operation):
    """Move each cut on ``track`` within ``tolerance_frames`` of a beat onto the beat
    nearest it (``beats`` are record frames), left to right.

    ``roll`` moves only the cut (the clips either side trade frames, nothing else
    moves; it needs handles); ``ripple`` lengthens or shortens the clip before it
    and everything later moves with it, so the next cut is judged where it now is.
    Linked sound goes with its picture.
    """

    name: ClassVar[str] = "conform-to-beats"
    track: str
    beats: tuple[int, ...]
    tolerance_frames: int = param(3, unit="frames", minimum=0, help="how far a cut may move")
    mode: Literal["ripple", "roll"] = "ripple"
    linked: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.mode not in ("ripple", "roll"):
            raise EditError(f"conform mode {self.mode!r}", fix="use ripple or roll")
        if not self.beats:
            raise EditError("no beats to conform to", fix="analyse the music first")
        beats = sorted(self.beats)
        track = unlocked_track(timeline, self.track)
        index = 0
        while True:
            cuts = cuts_of(track, where)
            if index >= len(cuts):
                return
            cut = cuts[index]
            index += 1
            target = min(beats, key=lambda beat: (abs(beat - cut), beat))
            by = target - cut
            if by == 0 or abs(by) > self.tolerance_frames:
                continue
            if self.mode == "roll":
                Roll(self.track, cut, by, linked=self.linked).run(timeline, where)
            else:
                Trim(self.track, cut - 1, "out", by, linked=self.linked).run(timeline, where)


def cuts_of(track: otio.schema.Track, where: Where) -> list[int]:
    """The record frames where one clip ends and the next begins (a cut between clips)."""
    items = slots(track, where.rate)
    return [
        right.start
        for left, right in pairwise(items)
        if not left.is_gap and not right.is_gap and left.end == right.start
    ]


@dataclass(frozen=True, slots=True)
class LayMontage(Operation):
    """Lay ``clips`` one after another on ``track`` between the record frames ``cuts``
    (clip k from ``cuts[k]`` to ``cuts[k + 1]``, the clips taken in turn, each from its
    in point), and the ``music`` on ``music_track`` from record frame ``music_at`` (its
    first frame there, so its beats are where the cuts were reckoned) to the last cut.

    What is on the tracks there is overwritten; nothing else moves.
    """

    name: ClassVar[str] = "lay-montage"
    track: str
    clips: tuple[str, ...]
    cuts: tuple[int, ...]
    ins: tuple[int, ...] = ()
    music: str = ""
    music_track: str = ""
    music_at: int = 0

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if not self.clips:
            raise EditError("a montage needs clips", fix="name one or more picture files")
        if len(self.cuts) < 2 or any(b <= a for a, b in pairwise(self.cuts)):
            raise EditError(
                "a montage needs two or more cut frames, each after the last",
                fix="use more of the music, or cut on every beat",
            )
        if self.ins and len(self.ins) != len(self.clips):
            raise EditError(
                f"{len(self.ins)} in points for {len(self.clips)} clips",
                fix="give one in point per clip, or none",
            )
        for k, (start, end) in enumerate(pairwise(self.cuts)):
            clip = k % len(self.clips)
            first = self.ins[clip] if self.ins else 0
            Overwrite(self.track, start, self.clips[clip], first, end - start).run(timeline, where)
        if self.music:
            if not 0 <= self.music_at < self.cuts[-1]:
                raise EditError(
                    f"the music starts at frame {self.music_at}, after the last cut",
                    fix="start the music before the cuts",
                )
            length = self.cuts[-1] - self.music_at
            Overwrite(self.music_track, self.music_at, self.music, 0, length).run(timeline, where)


@dataclass(frozen=True, slots=True)
class RetimeToBeat(Operation):
    """Change the speed of the clip under ``at`` so its source frame ``frame`` (the
    media's frame, counted from its first) plays at record frame ``beat``.

    The clip's first frame stays where it is and its speed becomes
    ``(frame - in) / (beat - start)``; its linked sound changes with it and later clips
    move (ripple).
    """

    name: ClassVar[str] = "retime-to-beat"
    track: str
    at: int
    frame: int
    beat: int
    mode: Literal["varispeed", "stretch"] = "varispeed"
    linked: bool = True

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = unlocked_track(timeline, self.track)
        slot = clip_at(track, self.at, where)
        first = source_in(slot.item, where.rate) - media_first(slot.item, where)
        if self.beat <= slot.start or self.frame <= first:
            raise EditError(
                f"source frame {self.frame} cannot land on {where.tc(self.beat)}: the clip "
                f"starts at {where.tc(slot.start)} with source frame {first}",
                where=slot.item.name,
                fix="choose a beat after the clip's start and a frame after its in point",
            )
        now = time_scalar(slot.item)
        if now <= 0:
            raise EditError(
                f"{slot.item.name} plays backwards or frozen",
                where=slot.item.name,
                fix="retime a clip that plays forwards",
            )
        speed = Fraction(self.frame - first, self.beat - slot.start)
        if not Fraction(1, 100) <= speed <= 100:
            raise EditError(
                f"that needs a speed of {float(speed) * 100:.0f} %",
                where=slot.item.name,
                fix="choose a beat nearer the action",
            )
        _retime_linked(timeline, track, slot, speed / now, True, self.linked, where, self.mode)


RHYTHM_OPERATIONS: tuple[type[Operation], ...] = (
    MarkBeats,
    ConformToBeats,
    LayMontage,
    RetimeToBeat,
)
