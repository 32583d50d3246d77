"""A timeline described: every item with its source and record timecodes, as plain data.

Used by ``postprod inspect`` for its table, its JSON and its picture.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import opentimelineio as otio

from postprod.timecode import FrameRate, frames_to_label
from postprod.timeline.metadata import clip_gain_db, wipe_of
from postprod.timeline.model import markers, timeline_rate, to_frames


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        return frames_to_label(start + frame, counting) if counting.is_smpte else str(frame)

    items: list[ItemInfo] = []
    tracks = []
    for number, track in enumerate(timeline.tracks):
        name = track.name or f"{track.kind[0]}{number + 1}"
        tracks.append((name, str(track.kind)))
        for index, child in enumerate(track):
            if isinstance(child, otio.schema.Transition):
                cut = (
                    to_frames(track.range_of_child_at_index(index + 1).start_time, rate, where=name)
                    if index + 1 < len(track)
                    else 0
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
            if isinstance(child, otio.schema.Clip):
                source = child.trimmed_range()
                s_in = to_frames(source.start_time, rate, where=child.name)
                s_out = s_in + to_frames(source.duration, rate, where=child.name)
                reference = child.media_reference
                url = getattr(reference, "target_url", "") or ""
                effects = ", ".join(type(e).__name__ for e in child.effects)
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
    )


def _source_tc(frame: int, rate: FrameRate) -> str:
    return frames_to_label(frame, rate) if rate.is_smpte and frame >= 0 else str(frame)
