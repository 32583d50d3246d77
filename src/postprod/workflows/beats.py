"""Beats of a music file, and beats as record frames for cutting to them.

:func:`analyse_file` decodes the file in 10 s blocks (mono, 8 kHz, through
``postprod.media``) into the streamed onset envelope, then runs the tracker
(``postprod.audio.rhythm``); memory holds one block and the 50 frames/s
envelope, so an hour of music is fine.

Seconds become record frames by one of two rules, named where they are used:
``nearest`` (the frame whose start is nearest the beat: conform-to-beats,
markers) and ``before`` (the frame at or just before the beat, so the cut is
never late: montage cuts). A beat time is ``offset + t`` where ``offset`` is
where the music file's first sample plays on the programme.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import opentimelineio as otio

from postprod.audio.rhythm.analysis import Rhythm, analyse
from postprod.audio.rhythm.onsets import SAMPLE_RATE, OnsetStream
from postprod.errors import AudioError, EditError
from postprod.media.audio import iter_audio_blocks
from postprod.operations.rhythm import BAR_LABEL, BEAT_LABEL
from postprod.operations.trackwork import media_first
from postprod.timeline.model import to_frames
from postprod.timeline.slots import Where, slots

Unit = Literal["beat", "bar", "downbeat"]
UNITS: tuple[str, ...] = ("beat", "bar", "downbeat")
SNAP_S = 0.07


def parse_bpm_range(text: str | None) -> tuple[float, float] | None:
    """``"80-160"`` as ``(80.0, 160.0)``; None stays None."""
    if text is None:
        return None
    low, sep, high = text.partition("-")
    try:
        pair = (float(low), float(high)) if sep else None
    except ValueError:
        pair = None
    if pair is None or not 20 <= pair[0] < pair[1] <= 400 or pair[1] < 1.5 * pair[0]:
        raise AudioError(
            f"tempo range {text!r}",
            fix="give LO-HI in BPM, from 20 to 400, HI at least 1.5 x LO (e.g. 80-160)",
        )
    return pair


def analyse_file(
    path: str | os.PathLike[str],
    *,
    bpm_range: tuple[float, float] | None = None,
    metre: int | None = None,
) -> Rhythm:
    """Beats, bars, metre and tempo map of a sound or video file's first sound stream."""
    stream = OnsetStream()
    for block in iter_audio_blocks(
        path, block_samples=SAMPLE_RATE * 10, sample_rate=SAMPLE_RATE, channels=1
    ):
        stream.feed(block)
    envelope = stream.finish()
    if envelope.seconds < 2:
        raise AudioError(
            f"{Path(path).name} has {envelope.seconds:.1f} s of sound",
            where=str(path),
            fix="give at least a few seconds of music",
        )
    return analyse(envelope, bpm_range=bpm_range, metre=metre)


def chosen(rhythm: Rhythm, every: int = 1, unit: str = "beat") -> list[float]:
    """Every ``every``-th beat, or bar start (``bar`` and ``downbeat`` are the same)."""
    if unit not in UNITS:
        raise EditError(f"unit {unit!r}", fix=f"use one of {', '.join(UNITS)}")
    if every < 1:
        raise EditError(f"--every {every}", fix="give 1 or more")
    times = rhythm.beats_s if unit == "beat" else rhythm.downbeats_s
    return list(times[::every])


def to_record_frames(
    times_s: list[float] | tuple[float, ...],
    rate: Fraction,
    *,
    offset: int = 0,
    rule: Literal["nearest", "before"] = "nearest",
) -> tuple[int, ...]:
    """Seconds on the music's clock as record frames (``offset`` frames where it starts)."""
    frames = []
    for t in times_s:
        exact = Fraction(t).limit_denominator(10**7) * rate
        whole = math.floor(exact + Fraction(1, 2)) if rule == "nearest" else math.floor(exact)
        frames.append(offset + whole)
    return tuple(sorted(set(frames)))


def snapped(
    times_s: list[float], onsets_s: tuple[float, ...], window_s: float = SNAP_S
) -> list[float]:
    """Each time moved to the strongest-nearest onset within ``window_s`` (if any)."""
    import numpy as np

    if not onsets_s:
        return list(times_s)
    onsets = np.asarray(onsets_s)
    out = []
    for t in times_s:
        k = int(np.argmin(np.abs(onsets - t)))
        out.append(float(onsets[k]) if abs(onsets[k] - t) <= window_s else t)
    return out


def by_energy(rhythm: Rhythm, times_s: list[float], every: int) -> list[float]:
    """Fewer cuts where the music is quiet: after a cut at energy ``e`` (0-1, the onset
    strength around it over the piece's range) the next is ``every`` units on when
    ``e`` >= 2/3, twice that when >= 1/3, four times that below."""
    import numpy as np

    if not times_s or not rhythm.energy:
        return list(times_s)
    beats = np.asarray(rhythm.beats_s)
    energy = np.asarray(rhythm.energy)
    out = []
    k = 0
    while k < len(times_s):
        out.append(times_s[k])
        e = float(energy[int(np.argmin(np.abs(beats - times_s[k])))])
        k += 1 if e >= 2 / 3 else 2 if e >= 1 / 3 else 4
    del every  # the times are already every N units; the factor multiplies that
    return out


def music_offset(
    timeline: otio.schema.Timeline, media: str | os.PathLike[str], where: Where
) -> int:
    """Where the file's first frame plays on the programme (its first clip on any track,
    less its source in); 0 when the file is not on the timeline."""
    name = Path(media).name
    for track in timeline.tracks:
        for slot in slots(track, where.rate):
            ref = getattr(slot.item, "media_reference", None)
            url = getattr(ref, "target_url", "") or ""
            if not slot.is_gap and Path(url).name == name:
                first = to_frames(slot.item.source_range.start_time, where.rate, where=name)
                return slot.start - (first - media_first(slot.item, where))
    return 0


@dataclass(frozen=True, slots=True)
class MarkedBeats:
    """Beat and bar markers read back from a project (record frames)."""

    beats: tuple[int, ...]
    downbeats: tuple[int, ...]


def marked_beats(timeline: otio.schema.Timeline, where: Where) -> MarkedBeats:
    """The ``beat`` and ``bar`` markers on the programme and on its tracks."""
    beats: set[int] = set()
    bars: set[int] = set()
    holders = [timeline.tracks, *timeline.tracks]
    for holder in holders:
        for marker in holder.markers:
            if marker.name not in (BEAT_LABEL, BAR_LABEL):
                continue
            frame = to_frames(marker.marked_range.start_time, where.rate, where=marker.name)
            beats.add(frame)
            if marker.name == BAR_LABEL:
                bars.add(frame)
    return MarkedBeats(tuple(sorted(beats)), tuple(sorted(bars)))
