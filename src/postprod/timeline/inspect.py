"""A timeline described: every item with its source and record timecodes, as plain data.

Used by ``postprod inspect`` for its table, its JSON and its picture. Besides the
timecodes, a clip says its link group (``link``: the clips that move together,
``postprod.operations.linking``) and its speed (``speed_percent``: 100 as
recorded, 0 a freeze frame, negative backwards; ``speed_mode``; its source out
is where the source frames it shows at that speed end), and the
timeline says which tracks are locked (``locked_tracks``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from postprod.timecode import FrameRate, frames_to_label
from postprod.timeline.metadata import (
    clip_gain_db,
    clip_state,
    link_of,
    track_settings_of,
    wipe_of,
)
from postprod.timeline.model import markers, nearest_frame, timeline_rate
from postprod.timeline.multicam import shown_clip
from postprod.timeline.otio_access import items_of
from postprod.timeline.warps import consumed, time_scalar


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """One clip, gap or transition of a track."""

    track: str
    kind: str  # "clip" | "gap" | "transition"
    name: str
    record_in: int
    record_out: int
    record_in_tc: str
    record_out_tc: str
    source_in_tc: str = ""
    source_out_tc: str = ""
    source: str = ""
    effects: str = ""
    link: str | None = None  # a clip's link group (its linked picture or sound share it)
    speed_percent: float | None = None  # a clip's: 100 as recorded, 0 frozen, < 0 reversed
    speed_mode: str = ""  # a clip's: varispeed (pitch follows) or stretch (pitch kept)
    source_in: int | None = None  # a clip's first frame counted from its media's first frame


@dataclass(frozen=True, slots=True)
class MarkerInfo:
    """A marker: where (record frame and timecode), what it says, its colour and note."""

    frame: int
    timecode: str
    name: str
    colour: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class TimelineInfo:
    """The whole timeline."""

    name: str
    rate: str
    start_timecode: str
    duration_frames: int
    tracks: list[tuple[str, str]]  # (name, kind)
    items: list[ItemInfo]
    markers: list[MarkerInfo]
    locked_tracks: list[str]  # the names of the locked tracks (no edit changes them)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def to_frames(time: otio.opentime.RationalTime, rate: Fraction, *, where: str) -> int:
    """A time as the nearest frame at ``rate``: what inspect shows (sound from AAF, FCPXML
    and sound editors' EDLs may sit between frames; an edit keeps it exact)."""
    return nearest_frame(time, rate)


def describe(timeline: otio.schema.Timeline) -> TimelineInfo:
    """Everything a technician checks on an edit, in frames and timecodes."""
    rate = timeline_rate(timeline)
    counting = FrameRate(rate, FrameRate.parse(rate).drop_frame)
    start = (
        to_frames(timeline.global_start_time, rate, where="start")
        if timeline.global_start_time
        else 0
    )

    def tc(frame: int) -> str:
        if not counting.is_smpte or start + frame < 0:  # a transition reaching before the start
            return str(frame)
        return frames_to_label(start + frame, counting)

    items: list[ItemInfo] = []
    tracks = []
    locked = []
    for number, track in enumerate(timeline.tracks):
        name = track.name or f"{track.kind[0]}{number + 1}"
        tracks.append((name, str(track.kind)))
        if track_settings_of(track).locked:
            locked.append(name)
        for index, child in enumerate(track):
            if isinstance(child, otio.schema.Transition):
                cut = (  # a transition at the end of a track cuts at the track's end
                    to_frames(track.range_of_child_at_index(index + 1).start_time, rate, where=name)
                    if index + 1 < len(track)
                    else to_frames(track.duration(), rate, where=name)
                )
                lo = cut - to_frames(child.in_offset, rate, where=name)
                hi = cut + to_frames(child.out_offset, rate, where=name)
                wipe = wipe_of(child)
                label = f"wipe {wipe.pattern}" if wipe else str(child.transition_type)
                items.append(
                    ItemInfo(
                        name,
                        "transition",
                        child.name or label,
                        lo,
                        hi,
                        tc(lo),
                        tc(hi),
                        effects=label,
                    )
                )
                continue
            placed = track.range_of_child_at_index(index)
            lo = to_frames(placed.start_time, rate, where=name)
            hi = lo + to_frames(placed.duration, rate, where=name)
            shown = child if isinstance(child, otio.schema.Clip) else shown_clip(child, rate)
            if shown is not None:  # a clip, or the angle a multicam cut shows
                child = shown
                source = child.trimmed_range()
                s_in = to_frames(source.start_time, rate, where=child.name)
                speed = time_scalar(child)  # the source frames it shows follow its speed
                s_out = s_in + consumed(to_frames(source.duration, rate, where=child.name), speed)
                reference = child.media_reference
                url = getattr(reference, "target_url", "") or ""
                effects = ", ".join(type(e).__name__ for e in items_of(child.effects))
                gain = clip_gain_db(child)
                if gain:
                    effects = ", ".join(x for x in (effects, f"gain {gain:+.1f} dB") if x)
                items.append(
                    ItemInfo(
                        name,
                        "clip",
                        child.name,
                        lo,
                        hi,
                        tc(lo),
                        tc(hi),
                        _source_tc(s_in, counting),
                        _source_tc(s_out, counting),
                        url,
                        effects,
                        link_of(child),
                        float(speed * 100),
                        clip_state(child).speed_mode,
                        _media_frame(child, source.start_time),
                    )
                )
            else:
                items.append(ItemInfo(name, "gap", "", lo, hi, tc(lo), tc(hi)))
    duration = max((i.record_out for i in items), default=0)
    return TimelineInfo(
        timeline.name,
        str(rate) if rate.denominator != 1 else str(rate.numerator),
        tc(0),
        duration,
        tracks,
        items,
        [MarkerInfo(m.frame, tc(m.frame), m.name, m.colour, m.note) for m in markers(timeline)],
        locked,
    )


def _media_frame(clip: otio.schema.Clip, start: otio.opentime.RationalTime) -> int:
    """``start`` as a frame of the clip's media counted from its first frame (in the clip's
    own frames: a file at another rate keeps its own), what a thumbnail or waveform asks for."""
    available = getattr(clip.media_reference, "available_range", None)
    first = available.start_time.rescaled_to(start.rate).value if available is not None else 0.0
    return round(float(start.value) - float(first))


def _source_tc(frame: int, rate: FrameRate) -> str:
    return frames_to_label(frame, rate) if rate.is_smpte and frame >= 0 else str(frame)
