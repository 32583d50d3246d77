#!/usr/bin/env python3
"""V1 with postprod: the edit of ../shared/bench/peers/edl.py as an OpenTimelineIO timeline,
rendered by postprod's renderer (1280x720/25, H.264 crf 23 veryfast, AAC 192k; sound
follows picture, the music stem at -6 dB underneath).

``--cuts-only`` is V1c: the same eleven segments joined by hard cuts (1550 frames, no fades),
encoded with the sources' settings (crf 20 veryfast, 2 s GOPs); ``--smart`` renders with
smart render (whole GOPs of the sources copied)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.planner.plan import OutputFormat, plan
from postprod.render import render
from postprod.timeline.metadata import StripState, set_strip
from postprod.timeline.model import media_clip, rational_time

PEERS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "peers"
sys.path.insert(0, str(PEERS))
import edl as E  # noqa: E402

FPS = Fraction(E.FPS)
SOURCE_FRAMES = 750  # 30 s cameras


def _gap(frames: int) -> otio.schema.Gap:
    return otio.schema.Gap(
        source_range=otio.opentime.TimeRange(rational_time(0, FPS), rational_time(frames, FPS))
    )


def _dissolve(in_frames: int, out_frames: int) -> otio.schema.Transition:
    return otio.schema.Transition(
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=rational_time(in_frames, FPS),
        out_offset=rational_time(out_frames, FPS),
    )


def _segment(k: int, src: str, start: int, length: int) -> otio.schema.Clip:
    return media_clip(
        Path(E.source_path(src)),
        name=f"{src}{k}",
        rate=FPS,
        available_frames=SOURCE_FRAMES,
        source_start=start,
        duration=length,
    )


def cuts_only() -> otio.schema.Timeline:
    """V1c: the segments end to end, hard cuts only, with their sound."""
    picture = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    for k, (src, in_f, len_f) in enumerate(E.SEGMENTS):
        picture.append(_segment(k, src, in_f, len_f))
    result = otio.schema.Timeline("V1c")
    result.tracks.append(picture)
    return result


def timeline() -> otio.schema.Timeline:
    x = E.XFADE_FRAMES
    picture = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    picture.append(_gap(x))
    picture.append(_dissolve(x, 0))  # fade from black over the first segment's first 25 frames
    last = len(E.SEGMENTS) - 1
    for k, (src, in_f, len_f) in enumerate(E.SEGMENTS):
        start, length = in_f, len_f
        if k == 0:
            start, length = in_f + x, len_f - x  # its first 25 frames are the fade's
        if (k < last and E.TRANSITIONS[k] == "dissolve") or k == last:
            length -= x  # its last 25 frames play under the dissolve (or the fade to black)
        picture.append(_segment(k, src, start, length))
        if k < last and E.TRANSITIONS[k] == "dissolve":
            picture.append(_dissolve(0, x))
    picture.append(_dissolve(0, x))  # fade to black over the last 25 frames
    picture.append(_gap(x))
    sound = picture.deepcopy()
    sound.name, sound.kind = "camera sound", otio.schema.TrackKind.Audio
    music = otio.schema.Track("music", kind=otio.schema.TrackKind.Audio)
    music.append(
        media_clip(
            Path(E.music_path()),
            name="music_1",
            rate=FPS,
            available_frames=300 * E.FPS,
            duration=E.OUT_FRAMES,
        )
    )
    set_strip(music, StripState(gain_db=E.MUSIC_GAIN_DB))
    result = otio.schema.Timeline("V1")
    result.tracks.extend([picture, sound, music])
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--out", default=os.path.join(tempfile.gettempdir(), "bench-out", "v1_postprod.mp4")
    )
    parser.add_argument("--cuts-only", action="store_true", help="V1c: hard cuts only")
    parser.add_argument("--smart", action="store_true", help="smart render")
    args = parser.parse_args()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    if args.cuts_only:
        programme = plan(cuts_only(), OutputFormat(1280, 720, FPS))
        options = {"crf": "20", "preset": "veryfast", "g": "50"}  # the sources' settings
    else:
        programme = plan(timeline(), OutputFormat(1280, 720, FPS))
        assert programme.frames == E.OUT_FRAMES, programme.frames
        options = {"crf": "23", "preset": "veryfast"}
    result = render(programme, args.out, options=options, smart=args.smart)
    print(f"frames {result.frames} copied {result.frames_copied}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
