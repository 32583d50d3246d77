"""Sync separately recorded files to a reference (the camera), and build the synced project.

Three ways to find where a recording belongs on the reference's clock:

* ``audio``: cross-correlate its sound with the camera's scratch track
  (:func:`postprod.audio.align.sync_sources`: offset, clock drift, confidence),
  reading each file at a low rate block by block and in short full-rate windows, so
  memory stays flat with the takes' length;
* ``timecode``: the start timecode both files carry (a video's ``tmcd``
  track, a Broadcast Wave's time reference);
* ``ltc``: SMPTE LTC recorded on one of each file's channels (the last by
  default), decoded word by word; a line through the words gives the start
  and the clock drift.

The synced project has the reference on V1 (if it has picture) and A1, and
each recording on its own audio track, placed to the frame with the
remainder as the clip's sub-frame slip, and drift resolved by a speed change
on the clip, so it stays in sync to the sample over a long take.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
from numpy.typing import NDArray

from postprod.audio.align import COARSE_RATE, SyncResult, sync_sources
from postprod.errors import AudioError
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.probe import probe
from postprod.operations.media import save_new_project
from postprod.timecode import FrameRate, label_to_frames, ltc
from postprod.timeline.build import clip_of_file
from postprod.timeline.metadata import ClipState, set_clip_state, set_link
from postprod.timeline.model import rational_time, time_range
from postprod.workflows.sync_methods import METHODS

#: The link id of the synced clips (``operations.linking``).
SYNC_LINK = "link-1"


@dataclass(frozen=True, slots=True)
class FileSource:
    """A recording read for sync in bounded memory: its sound at the coarse rate block by
    block, and short windows at ``sample_rate`` (seeking), never the whole file."""

    path: Path
    sample_rate: int

    @property
    def coarse_rate(self) -> float:
        return float(min(self.sample_rate, COARSE_RATE))

    def coarse_blocks(self) -> Iterator[NDArray[np.floating]]:
        rate = int(self.coarse_rate)
        for block in iter_audio_blocks(
            self.path, block_samples=1 << 16, sample_rate=rate, channels=1
        ):
            yield block[0]

    def coarse_length(self) -> int | None:
        info = audio_info(self.path)
        if info.duration_samples is None:
            return None
        return round(info.duration_samples * self.coarse_rate / info.sample_rate)

    def window(self, start: int, samples: int) -> NDArray[np.float64]:
        if start < 0 or samples <= 0:
            return np.zeros(0)
        blocks = iter_audio_blocks(
            self.path,
            block_samples=samples,
            sample_rate=self.sample_rate,
            channels=1,
            start_sample=start,
        )
        block = next(iter(blocks), None)
        return np.zeros(0) if block is None else block[0].astype(np.float64)


def sync_files(
    reference: str | os.PathLike[str],
    others: list[str | os.PathLike[str]],
    *,
    method: str = "audio",
    ltc_channel: int = -1,
) -> list[tuple[Path, SyncResult]]:
    """Each other file's offset (on the reference's clock), drift and confidence."""
    if method not in METHODS:
        raise AudioError(f"unknown sync method {method!r}", fix=f"use one of {', '.join(METHODS)}")
    if method == "timecode":
        start = start_time_s(Path(reference))
        return [(Path(o), SyncResult(start_time_s(Path(o)) - start, 0.0, 1.0)) for o in others]
    if method == "ltc":
        ref_start, ref_speed = ltc_clock(Path(reference), ltc_channel)
        results = []
        for other in others:
            start, speed = ltc_clock(Path(other), ltc_channel)
            drift_ppm = (speed / ref_speed - 1.0) * 1e6
            results.append(
                (Path(other), SyncResult((start - ref_start) / ref_speed, drift_ppm, 1.0))
            )
        return results
    rate = audio_info(reference).sample_rate
    ref = FileSource(Path(reference), rate)
    return [
        (Path(other), sync_sources(ref, FileSource(Path(other), rate), rate)) for other in others
    ]


def start_time_s(path: Path) -> float:
    """A file's start on the time-of-day clock: its start timecode or BWF time reference."""
    info = probe(path, count_packets=False)
    if info.start_timecode and info.video is not None and info.video.frame_rate:
        rate = FrameRate.parse(Fraction(info.video.frame_rate))
        return float(label_to_frames(info.start_timecode, rate) / rate.fps)
    if info.time_reference_samples is not None and info.audio and info.audio.sample_rate:
        return info.time_reference_samples / info.audio.sample_rate
    raise AudioError(
        f"{path.name} carries no start timecode or time reference",
        where=str(path),
        fix="sync it by its sound (--method audio) or by LTC (--method ltc)",
    )


def ltc_clock(path: Path, channel: int = -1) -> tuple[float, float]:
    """(timecode seconds at the file's first sample, timecode seconds per file second) from LTC."""
    info = audio_info(path)
    index = channel % info.channels if -info.channels <= channel < info.channels else None
    if index is None:
        raise AudioError(
            f"{path.name} has {info.channels} channels, not channel {channel}",
            where=str(path),
            fix="give --ltc-channel within the file's channels",
        )
    blocks = (block[index] for block in iter_audio_blocks(path, block_samples=1 << 20))
    words = ltc.decode_blocks(blocks, info.sample_rate)
    if len(words) < 2:
        raise AudioError(
            f"no LTC found on channel {index + 1} of {path.name}",
            where=str(path),
            fix="give the channel that carries LTC with --ltc-channel",
        )
    at_s = np.array([w.first_sample for w in words], dtype=np.float64) / info.sample_rate
    tc_s = np.array([float(w.frames / w.rate.fps) for w in words])
    speed, start = np.polyfit(at_s, tc_s, 1)
    return float(start), float(speed)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a recording goes on a timeline at ``rate``: frame, source frames skipped, slip, speed."""

    at_frame: int
    source_frame: int
    slip_s: float
    speed: float  # the recording's seconds played per timeline second (drift resolved)
    frames: int

    @staticmethod
    def of(result: SyncResult, duration_s: float, rate: Fraction) -> Placement:
        """Place a recording of ``duration_s`` found at ``result`` on a timeline at ``rate``."""
        speed = 1.0 / (1.0 + result.drift_ppm * 1e-6)
        at_frame = max(0, int(np.ceil(result.offset_s * float(rate) - 1e-9)))
        skip_s = (at_frame / float(rate) - result.offset_s) * speed  # on the recording's clock
        source_frame = int(np.floor(skip_s * float(rate) + 1e-9))
        slip_s = skip_s - source_frame / float(rate)
        frames = int((duration_s - skip_s) / speed * float(rate))
        return Placement(at_frame, source_frame, slip_s, speed, frames)


def synced_project(
    reference: str | os.PathLike[str],
    results: list[tuple[Path, SyncResult]],
    out: str | os.PathLike[str],
    *,
    rate: Fraction | None = None,
) -> Path:
    """Save a new project (never over a file or journal; its journal starts from it) with
    the reference and each recording placed where it belongs.

    The timeline runs at the reference's frame rate (``rate``, default 25, when it has no
    picture) and starts where the earliest file starts: its first timecode is the
    reference's timecode there. Each file with picture goes on a video track of its own
    (the reference on V1) and its sound on an audio track of its own, each clip's source
    range counted in its file's own timecode (as ``build.clip_of_file`` makes it), so the
    project edits like any other.
    """
    project = Path(out)
    folder = project.parent
    ref = Path(reference)
    info = probe(ref, count_packets=False)
    picture_rate = info.video.frame_rate if info.video is not None else None
    fps = Fraction(picture_rate) if picture_rate else (rate or Fraction(25))
    earliest = min([0.0, *(result.offset_s for _, result in results)])
    timeline = otio.schema.Timeline(name=f"{ref.stem} synced")
    pictures: list[otio.schema.Track] = []
    sounds: list[otio.schema.Track] = []
    entries = [(ref, SyncResult(0.0, 0.0, 1.0)), *results]
    for number, (path, result) in enumerate(entries, start=1):
        shifted = SyncResult(result.offset_s - earliest, result.drift_ppm, result.confidence)
        placed = _placed_clip(path, shifted, fps, folder)
        if placed is None:
            continue
        at_frame, clip, has_picture, has_sound = placed
        if number == 1:  # the reference's timecode where the earliest file starts
            start = round(clip.source_range.start_time.value) - at_frame
            timeline.global_start_time = rational_time(max(0, start), fps)
        label = "" if number == 1 else f" {path.stem}"
        if has_picture:
            name = "V1" if number == 1 else f"V{len(pictures) + 1}{label}"
            pictures.append(
                _track_of(name, otio.schema.TrackKind.Video, at_frame, clip.deepcopy(), fps)
            )
        if has_sound or number == 1:
            name = "A1 camera" if number == 1 else f"A{len(sounds) + 1}{label}"
            sounds.append(_track_of(name, otio.schema.TrackKind.Audio, at_frame, clip, fps))
    timeline.tracks.extend([*pictures, *sounds])
    return save_new_project(timeline, project)


def _placed_clip(
    path: Path, result: SyncResult, fps: Fraction, folder: Path
) -> tuple[int, otio.schema.Clip, bool, bool] | None:
    """(record frame, the clip placed there, has picture, has sound) of a file found at
    ``result`` on a timeline at ``fps``; None when none of it falls on the timeline."""
    info = probe(path, count_packets=False)
    place = Placement.of(result, info.duration_s, fps)
    clip = clip_of_file(path, fps, target_url=os.path.relpath(path, folder))
    available = clip.media_reference.available_range
    first = round(available.start_time.value)
    total = round(available.duration.value)
    frames = min(place.frames, int((total - place.source_frame) / place.speed))
    if frames <= 0:
        return None
    clip.source_range = time_range(first + place.source_frame, frames, fps)
    set_clip_state(clip, ClipState(slip_s=place.slip_s))
    # one sync group: the pictures, their sound and each recording move together
    set_link(clip, SYNC_LINK)
    if abs(place.speed - 1.0) > 1e-7:
        clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=place.speed))
    return place.at_frame, clip, info.video is not None, info.audio is not None


def _track_of(
    name: str, kind: str, at_frame: int, clip: otio.schema.Clip, fps: Fraction
) -> otio.schema.Track:
    track = otio.schema.Track(name, kind=kind)
    if at_frame:
        track.append(
            otio.schema.Gap(
                source_range=otio.opentime.TimeRange(
                    rational_time(0, fps), rational_time(at_frame, fps)
                )
            )
        )
    track.append(clip)
    return track
