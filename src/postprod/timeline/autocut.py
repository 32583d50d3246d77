"""Cutting a timeline by what is in its media: pauses out (jump cuts), shots apart.

Pauses come in as sample runs (``postprod.qc.silence``); what is taken out
is each pause less a margin either side, so a word's attack and its tail
stay, rounded inwards to whole frames, and only where at least
``min_cut_frames`` remain. Shots come in as the frame indexes where each new
shot starts (``postprod.video.shots``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

import opentimelineio as otio

from postprod.timeline.slots import Where, cut_at, slots

if TYPE_CHECKING:
    from postprod.qc.runs import Run  # NumPy's, needed only for the annotation


def pause_cuts(
    pauses: list[Run],
    sample_rate: int,
    rate: Fraction,
    *,
    margin_s: float = 0.1,
    min_cut_frames: int = 1,
) -> tuple[tuple[int, int], ...]:
    """The record frame ranges to take out for ``pauses`` (frame 0 = the media's first sample)."""
    margin = math.ceil(margin_s * sample_rate - 1e-9)  # never less than asked
    cuts = []
    for pause in pauses:
        first_sample, last_sample = pause.start + margin, pause.end - margin
        start = math.ceil(Fraction(first_sample) * rate / sample_rate)
        end = math.floor(Fraction(last_sample) * rate / sample_rate)
        if end - start >= min_cut_frames:
            cuts.append((start, end))
    return tuple(cuts)


def split_at_shots(timeline: otio.schema.Timeline, cuts: list[int]) -> otio.schema.Timeline:
    """A copy of ``timeline`` with every track cut at each shot change (frames from its start)."""
    result = timeline.deepcopy()
    where = Where.of(result)
    for track in result.tracks:
        length = slots(track, where.rate)[-1].end if len(track) else 0
        for frame in cuts:
            if 0 < frame < length:
                cut_at(track, frame, where)
    return result
