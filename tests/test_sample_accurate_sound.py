"""Sound between frames (as AAF, FCPXML and sound editors' EDLs place it) mixes on its sample;
picture stays on frames. Through an AAF export and import too."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import opentimelineio as otio

from media_factory import write_wav
from postprod.interchange import export_timeline, import_timeline
from postprod.media import read_audio
from postprod.project import save_project
from postprod.render.mixdown import mix_project

RATE = 48000
AT = 1_234_567  # samples: 25.7201... s, not a whole frame at 25 fps
IMPULSE = 1_001  # samples into the file (also not a whole frame)
SOURCE_IN = 3_333  # samples: the clip starts this far into its file


def _timeline(folder: Path) -> otio.schema.Timeline:
    sound = np.zeros((1, RATE), np.float32)
    sound[0, IMPULSE + SOURCE_IN] = 0.5
    write_wav(folder / "hit.wav", sound, codec="pcm_f32le")
    timeline = otio.schema.Timeline("sample accurate")
    timeline.metadata["postprod"] = {"version": 1, "project": {"sample_rate_hz": RATE}}
    picture = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    picture.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(660, 25))
        )
    )
    track = otio.schema.Track("FX", kind=otio.schema.TrackKind.Audio)
    track.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(AT, RATE))
        )
    )
    track.append(
        otio.schema.Clip(
            "hit",
            media_reference=otio.schema.ExternalReference(
                "hit.wav",
                available_range=otio.opentime.TimeRange(
                    duration=otio.opentime.RationalTime(RATE, RATE)
                ),
            ),
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(SOURCE_IN, RATE),
                otio.opentime.RationalTime(RATE // 2, RATE),
            ),
        )
    )
    timeline.tracks.extend([picture, track])
    return timeline


def _impulse_at(mix_path: Path) -> int:
    mix, _ = read_audio(mix_path)
    return int(np.argmax(np.abs(mix[0])))


def test_a_sound_clip_lands_on_its_sample_in_the_mix(tmp_path: Path) -> None:
    project = save_project(_timeline(tmp_path), tmp_path / "p.otio")
    result = mix_project(project, tmp_path / "mix.wav")
    assert _impulse_at(result.mix) == AT + IMPULSE


def test_and_after_an_aaf_round_trip(tmp_path: Path) -> None:
    aaf = export_timeline(_timeline(tmp_path), tmp_path / "cut.aaf", media_folder=tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        back = import_timeline(aaf)
    (clip,) = back.audio_tracks()[0].find_clips()
    record = clip.transformed_time_range(clip.trimmed_range(), back.audio_tracks()[0])
    assert record.start_time.rescaled_to(RATE).value == AT
    assert clip.source_range.start_time.rescaled_to(RATE).value == SOURCE_IN
    back.metadata["postprod"] = {"version": 1, "project": {"sample_rate_hz": RATE}}
    project = save_project(back, tmp_path / "back.otio")
    assert _impulse_at(mix_project(project, tmp_path / "back.wav").mix) == AT + IMPULSE


def test_picture_edits_carry_sound_between_frames(tmp_path: Path) -> None:
    from postprod import operations as ops
    from postprod.project import load_project

    project = save_project(_timeline(tmp_path), tmp_path / "p.otio")
    timeline = ops.apply_operations(load_project(project), ops.RenameTrack("V1", "Picture"))
    (clip,) = timeline.audio_tracks()[0].find_clips()
    record = clip.transformed_time_range(clip.trimmed_range(), timeline.audio_tracks()[0])
    assert record.start_time.rescaled_to(RATE).value == AT  # kept to the sample
    assert [t.name for t in timeline.tracks] == ["Picture", "FX"]
