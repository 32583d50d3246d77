"""Multicam: find the angles' sync, and switch angles by who is speaking.

:func:`sync_angles` finds where each angle sits on the group's clock with ``sync``'s own
methods (:func:`postprod.workflows.sync.sync_files`: the sound, the start timecodes, LTC)
or at a point of each file (its first frame, its last, or a marker given in its seconds),
and shifts them so the earliest starts at 0; :func:`create_operation` turns that into the
:class:`~postprod.operations.multicam.CreateMulticam` that appends the group.

Auto-switching (:func:`choose_angles`) reads one level per 20 ms hop of each microphone,
decoded block by block (memory does not grow with the take's length), and works on those
arrays as a whole:

1. a microphone is speaking where its level is ``threshold_db`` over its noise floor and
   within ``margin_db`` of the loudest microphone (another talker's crosstalk is quieter
   on this one), each level raised by its angle's bias first; pauses shorter than
   ``gap_s`` inside a turn are bridged, and runs shorter than ``backchannel_s`` (a "mm",
   a "yes") dropped;
2. one speaker wants their angle; speech together for longer than ``overlap_wide_s``
   wants the wide angle; silence and short overlaps keep what was on;
3. a change must last ``hold_s`` (hysteresis) and comes no sooner than ``min_shot_s``
   after the last cut; each cut's confidence is the share of its shot in which the
   speaking agrees with the angle chosen.

The result is ordinary multicam cuts (picture only, the sound stays as set), which the
editor can move or switch.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from postprod.errors import AudioError, EditError
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.probe import probe
from postprod.operations.multicam import CreateMulticam, CutMulticamMany
from postprod.timeline.multicam import Angle, angles_of, group_cuts, the_group
from postprod.timeline.slots import source_in
from postprod.workflows.sync import sync_files
from postprod.workflows.sync_methods import METHODS, POINT_METHODS

#: Every way ``multicam create --sync`` lines angles up.
SYNC_METHODS = (*METHODS, *POINT_METHODS)


@dataclass(frozen=True, slots=True)
class AngleSync:
    """An angle file and where it sits on the group's clock (the earliest angle at 0)."""

    path: Path
    name: str
    offset_s: float
    drift_ppm: float
    confidence: float


def angle_names(files: list[Path]) -> list[str]:
    """Each file's angle name: the camera's name its metadata gives, else its reel, else
    the file's name; numbered when two angles would share one."""
    from postprod.media.tags import angle_name_of, media_tags

    stems = [angle_name_of(media_tags(file)) or file.stem for file in files]
    return [
        stem if stems.count(stem) == 1 else f"{stem} {stems[: index + 1].count(stem)}"
        for index, stem in enumerate(stems)
    ]


def sync_angles(
    files: Sequence[str | os.PathLike[str]],
    *,
    method: str = "timecode",
    reference: str | os.PathLike[str] | None = None,
    points_s: dict[Path, float] | None = None,
    ltc_channel: int = -1,
    names: list[str] | None = None,
) -> list[AngleSync]:
    """Where each file sits on the group's clock, by ``method``; the reference (default:
    the first file) keeps its clock, and the earliest angle starts the group."""
    paths = [Path(file) for file in files]
    if method not in SYNC_METHODS:
        raise AudioError(
            f"unknown sync method {method!r}", fix=f"use one of {', '.join(SYNC_METHODS)}"
        )
    ref = Path(reference) if reference is not None else paths[0]
    if method in METHODS:
        others = [path for path in paths if path != ref]
        found = dict(sync_files(ref, list(others), method=method, ltc_channel=ltc_channel))
        results = [
            (0.0, 0.0, 1.0)
            if path == ref
            else (found[path].offset_s, found[path].drift_ppm, found[path].confidence)
            for path in paths
        ]
    else:
        points = {path: _point(path, method, points_s or {}) for path in {*paths, ref}}
        results = [(points[ref] - points[path], 0.0, 1.0) for path in paths]
    earliest = min(offset for offset, _, _ in results)
    labels = names or angle_names(paths)
    if len(labels) != len(paths):
        raise EditError(f"{len(labels)} names for {len(paths)} angles", fix="one per angle")
    return [
        AngleSync(path, label, offset - earliest, drift, confidence)
        for path, label, (offset, drift, confidence) in zip(paths, labels, results, strict=True)
    ]


def _point(path: Path, method: str, points_s: dict[Path, float]) -> float:
    """The file's sync point in its own seconds: its start, its end, or the marker given."""
    if path in points_s:
        return points_s[path]
    if method == "in":
        return 0.0
    if method == "out":
        return probe(path, count_packets=False).duration_s
    raise AudioError(
        f"no marker given for {path.name}",
        where=str(path),
        fix="give each file's sync point: --point FILE=SECONDS",
    )


def create_operation(
    group: str, angles: list[AngleSync], project_folder: Path, *, audio_track: str = "A1"
) -> CreateMulticam:
    """The operation that appends the group (media paths relative to the project)."""
    return CreateMulticam(
        group,
        tuple(os.path.relpath(angle.path.resolve(), project_folder.resolve()) for angle in angles),
        tuple(angle.name for angle in angles),
        tuple(round(angle.offset_s, 9) for angle in angles),
        tuple(round(angle.drift_ppm, 4) for angle in angles),
        audio_track=audio_track,
    )


@dataclass(frozen=True, slots=True)
class AutoSettings:
    """How auto-switching reads the microphones and paces the cuts."""

    min_shot_s: float = 2.0
    hold_s: float = 0.4  # a change must last this long (hysteresis)
    backchannel_s: float = 0.7  # speech runs shorter than this are not turns
    overlap_wide_s: float = 2.0  # speech together longer than this goes to the wide angle
    gap_s: float = 0.4  # pauses inside a turn shorter than this are bridged
    threshold_db: float = 15.0  # over the microphone's noise floor
    margin_db: float = 6.0  # within this of the loudest microphone
    hop_s: float = 0.02
    bias_db: dict[int, float] = field(default_factory=dict)  # by angle number


@dataclass(frozen=True, slots=True)
class AutoCut:
    """A cut auto-switching chose: seconds on the group's clock, the angle, its confidence."""

    at_s: float
    angle: int
    confidence: float


def mic_levels(path: str | os.PathLike[str], hop_s: float = 0.02) -> NDArray[np.float32]:
    """The file's level (dB, mono) in each hop of ``hop_s``, decoded block by block."""
    rate = audio_info(path).sample_rate
    hop = max(1, round(hop_s * rate))
    out: list[NDArray[np.float32]] = []
    rest = np.zeros(0, np.float32)
    for block in iter_audio_blocks(path, block_samples=hop * 4096, channels=1):
        samples = np.concatenate([rest, block[0]]) if rest.size else block[0]
        whole = samples.size // hop * hop
        frames = samples[:whole].reshape(-1, hop)
        power = np.einsum("ij,ij->i", frames, frames) / hop
        out.append((10.0 * np.log10(power + 1e-12)).astype(np.float32))
        rest = samples[whole:]
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def on_group_clock(
    levels: NDArray[np.float32], angle: Angle, hops: int, hop_s: float
) -> NDArray[np.float32]:
    """A microphone's hop levels (on its angle's clock) at the group's hops: its sync
    offset and drift applied; -120 dB where it was not recording."""
    at_s = np.arange(hops) * hop_s
    index = np.floor((at_s - angle.offset_s) * angle.speed / hop_s + 1e-9).astype(np.int64)
    inside = (index >= 0) & (index < levels.size)
    out = np.full(hops, -120.0, np.float32)
    out[inside] = levels[index[inside]]
    return out


def speaking(levels_db: NDArray[np.float32], settings: AutoSettings) -> NDArray[np.bool_]:
    """Who is speaking in each hop: (microphones, hops) of bool (step 1 of the module)."""
    from scipy import ndimage

    floor = np.percentile(levels_db, 10, axis=1, keepdims=True)
    loudest = levels_db.max(axis=0, keepdims=True)
    raw = (levels_db > floor + settings.threshold_db) & (levels_db >= loudest - settings.margin_db)
    bridge = max(1, round(settings.gap_s / settings.hop_s))
    shortest = max(1, round(settings.backchannel_s / settings.hop_s))
    out: NDArray[np.bool_] = np.zeros(raw.shape, bool)
    for row in range(raw.shape[0]):  # a handful of microphones: whole arrays each
        padded = np.pad(raw[row], bridge)
        closed = ndimage.binary_closing(padded, np.ones(bridge, bool))[bridge:-bridge]
        out[row] = _runs_at_least(closed, shortest)
    return out


def _runs_at_least(mask: NDArray[np.bool_], length: int) -> NDArray[np.bool_]:
    """``mask`` without its runs of True shorter than ``length`` hops."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = np.zeros(mask.size + 1, np.int32)
    long = (ends - starts) >= length
    np.add.at(keep, starts[long], 1)
    np.add.at(keep, ends[long], -1)
    return np.cumsum(keep[:-1]) > 0


def wanted_angles(
    active: NDArray[np.bool_], mic_angles: list[int], wide: int, settings: AutoSettings
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(the angle each hop wants, with holds filled; the evidence: the angle its speech
    points to, -1 in silence and short overlaps)."""
    from scipy import ndimage

    count = active.sum(axis=0)
    angles = np.asarray(mic_angles, np.int64)
    evidence = np.full(active.shape[1], -1, np.int64)
    single = count == 1
    evidence[single] = angles[np.argmax(active[:, single], axis=0)]
    labels, _ = ndimage.label(count >= 2)
    lengths = np.bincount(labels.ravel()) * settings.hop_s
    long = (labels > 0) & (lengths[labels] > settings.overlap_wide_s)
    evidence[long] = wide
    index = np.where(evidence >= 0, np.arange(evidence.size), 0)
    np.maximum.accumulate(index, out=index)
    wanted = evidence[index]
    wanted[wanted < 0] = wide  # silence before anyone speaks: the wide angle
    return wanted, evidence


def choose_angles(
    levels_db: NDArray[np.float32], mic_angles: list[int], wide: int, settings: AutoSettings
) -> list[AutoCut]:
    """The cuts for microphones' hop levels (one row per microphone, on the group's clock)."""
    biased = levels_db + np.array(
        [[settings.bias_db.get(angle, 0.0)] for angle in mic_angles], np.float32
    )
    active = speaking(biased, settings)
    wanted, evidence = wanted_angles(active, mic_angles, wide, settings)
    hops = wanted.size
    if hops == 0:
        return []
    change = np.flatnonzero(np.diff(wanted)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [hops]])
    hold = round(settings.hold_s / settings.hop_s)
    min_shot = round(settings.min_shot_s / settings.hop_s)
    shots: list[tuple[int, int]] = [(0, int(wanted[0]))]
    for start, end in zip(starts[1:].tolist(), ends[1:].tolist(), strict=True):
        angle = int(wanted[start])
        if angle == shots[-1][1] or end - start < hold:
            continue  # the same angle, or a change too short to follow (hysteresis)
        at = max(start, shots[-1][0] + min_shot)
        if at < end:
            shots.append((at, angle))
    if len(shots) > 1 and hops - shots[-1][0] < min_shot:
        shots.pop()  # the last shot would be too short: hold the one before
    bounds = [at for at, _ in shots] + [hops]
    cuts = []
    for (at, angle), end in zip(shots, bounds[1:], strict=True):
        said = evidence[at:end]
        said = said[said >= 0]
        confidence = float(np.mean(said == angle)) if said.size else 0.5
        cuts.append(AutoCut(at * settings.hop_s, angle, round(confidence, 3)))
    return cuts


@dataclass(frozen=True, slots=True)
class AutoResult:
    """The cuts chosen and the operations that make them."""

    cuts: list[AutoCut]
    operations: list[CutMulticamMany]
    first_frame: int  # the group's first record frame


def auto_switch(
    timeline: object,
    project_folder: Path,
    mics: dict[int, Path],
    wide: int,
    *,
    group: str = "",
    settings: AutoSettings | None = None,
) -> AutoResult:
    """Choose the group's picture angle by who is speaking (its sound's, for a group of
    sound only: a talk recorded on microphones); ``mics`` maps an angle number to its
    microphone's file (its own media, or a file recorded with it, starting with it)."""
    import opentimelineio as otio

    from postprod.timeline.model import timeline_rate

    assert isinstance(timeline, otio.schema.Timeline)
    rate = timeline_rate(timeline)
    name = the_group(timeline, rate, group)
    cuts_of = list(group_cuts(timeline, rate, name))
    side = "picture" if any(found.cut.role == "picture" for found in cuts_of) else "sound"
    pictures = [found for found in cuts_of if found.cut.role == side]  # no picture: cut sound
    first = pictures[0]
    origin = first.start - source_in(first.stack, rate)
    end = pictures[-1].start + pictures[-1].length
    angles = {angle.number: angle for angle, _ in angles_of(first.stack)}
    sound = next((f for f in group_cuts(timeline, rate, name) if f.cut.role == "sound"), None)
    if sound is not None:
        angles |= {angle.number: angle for angle, _ in angles_of(sound.stack)}
    for number in [*mics, wide]:
        if number not in angles:
            raise EditError(
                f"{name} has no angle {number}",
                where=name,
                fix=f"angles: {', '.join(map(str, sorted(angles)))}",
            )
    chosen = settings or AutoSettings()
    hops = math.ceil(Fraction(end - origin) / rate / Fraction(chosen.hop_s))
    rows = [
        on_group_clock(mic_levels(path, chosen.hop_s), angles[number], hops, chosen.hop_s)
        for number, path in mics.items()
    ]
    cuts = choose_angles(np.stack(rows), list(mics), wide, chosen)
    frames = []
    for cut in cuts:
        frame = origin + round(Fraction(cut.at_s).limit_denominator(10**6) * rate)
        if frame < end:
            frames.append((max(frame, first.start), cut.angle))
    operations = [CutMulticamMany(tuple(frames), name, side)] if frames else []
    return AutoResult(cuts, operations, origin)


__all__ = [
    "SYNC_METHODS",
    "AngleSync",
    "AutoCut",
    "AutoResult",
    "AutoSettings",
    "angle_names",
    "auto_switch",
    "choose_angles",
    "create_operation",
    "mic_levels",
    "on_group_clock",
    "speaking",
    "sync_angles",
    "wanted_angles",
]
