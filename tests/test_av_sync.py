"""A/V sync: a one-frame white flash and a 1 kHz beep on the same source frame land together."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.planner.plan import OutputFormat, plan
from postprod.render import render
from postprod.timeline.model import media_clip, rational_time

RATE = 48000


@pytest.mark.parametrize("fps", [Fraction(25), Fraction(30000, 1001), Fraction(24000, 1001)])
def test_flash_and_beep_land_on_the_same_frame(tmp_path: Path, fps: Fraction) -> None:
    flash_frame, frames = 20, 50
    with MediaWriter(
        tmp_path / "sync.mp4", video=VideoSpec(320, 180, fps), audio=AudioSpec(RATE, 2)
    ) as writer:
        for index in range(frames):
            writer.write_video(np.full((180, 320, 3), 255 if index == flash_frame else 0, np.uint8))
        samples = round(frames / fps * RATE)
        sound = np.zeros((2, samples), np.float32)
        beep_at = round(flash_frame / fps * RATE)
        t = np.arange(round(0.04 * RATE)) / RATE
        sound[:, beep_at : beep_at + t.size] = 0.5 * np.sin(2 * np.pi * 1000 * t)
        writer.write_audio(sound)
    timeline = otio.schema.Timeline("sync")
    track = otio.schema.Track("V1")
    track.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(rational_time(0, fps), rational_time(10, fps))
        )
    )
    track.append(
        media_clip(
            Path("sync.mp4"),
            name="sync",
            rate=fps,
            available_frames=frames,
            source_start=5,
            duration=40,
        )
    )
    timeline.tracks.append(track)
    out = render(
        plan(timeline, OutputFormat(320, 180, fps), project_folder=tmp_path), tmp_path / "out.mp4"
    ).path
    with av.open(str(out)) as container:
        brightness = [f.to_ndarray(format="gray").mean() for f in container.decode(video=0)]
    with av.open(str(out)) as container:
        audio = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)[0]
    expected_frame = 10 + (flash_frame - 5)
    assert int(np.argmax(brightness)) == expected_frame
    assert brightness[expected_frame] > 200 and brightness[expected_frame - 1] < 30
    onset = int(np.flatnonzero(np.abs(audio) > 0.1)[0])
    assert abs(onset - expected_frame / fps * RATE) <= 1024, (
        onset - expected_frame / fps * RATE
    )  # one AAC block
