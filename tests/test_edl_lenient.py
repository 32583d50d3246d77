"""Forgiving EDLs: record times govern where durations differ; sound events written; more
tracks than CMX 3600 holds as one EDL per track; M2 source outs; --strict on losses."""

from __future__ import annotations

import warnings
from pathlib import Path

import opentimelineio as otio
import pytest

from postprod.cli import main
from postprod.errors import InterchangeError
from postprod.interchange import export_timeline, import_timeline
from postprod.interchange.losses import InterchangeWarning

MISMATCHED = """TITLE: SOUND
FCM: NON-DROP FRAME

001  TAPE1    A     C        01:00:00:00 01:00:02:00 00:00:00:00 00:00:01:00
002  TAPE1    V     C        01:00:10:00 01:00:11:00 00:00:01:00 00:00:02:00
003  A_VERY_LONG_FILE32_REEL_NAME_01 V     C        02:00:00:00 02:00:01:00 00:00:02:00 00:00:03:00
004  TAPE2    V     C        01:00:20:00 01:00:20:00 00:00:03:00 00:00:04:00
005  TAPE2    V     C        03:00:00:00 03:00:00:12 00:00:04:00 00:00:05:00
M2   TAPE2       050.0                03:00:00:00
"""


def test_record_times_govern_with_one_warning(tmp_path: Path) -> None:
    source = tmp_path / "sound.edl"
    source.write_text(MISMATCHED)
    with pytest.warns(InterchangeWarning, match=r"2 events.*record times govern.*001, 004"):
        timeline = import_timeline(source, rate=25)
    video = timeline.video_tracks()[0]
    clips = list(video.find_clips())
    assert [c.duration().value for c in clips] == [25, 25, 25, 25]
    assert clips[2].source_range.start_time.value == 90500  # 01:00:20:00 at 25 fps
    assert clips[2].source_range.duration.value == 25  # was 0 frames of source: the record wins
    assert isinstance(clips[3].effects[0], otio.schema.LinearTimeWarp)  # M2 is left as it is
    assert clips[3].effects[0].time_scalar == 2.0
    (sound,) = [c for t in timeline.audio_tracks() for c in t.find_clips()]
    assert sound.duration().value == 25 and sound.source_range.start_time.value == 90000
    assert clips[1].metadata["cmx_3600"]["reel"] == "A_VERY_LONG_FILE32_REEL_NAME_01"


def _clip(name: str, start: int, frames: int, rate: float = 25) -> otio.schema.Clip:
    return otio.schema.Clip(
        name,
        media_reference=otio.schema.ExternalReference(
            f"/media/{name}.mov",
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(90000, rate), otio.opentime.RationalTime(5000, rate)
            ),
        ),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(frames, rate)
        ),
    )


def _timeline(video: int, audio: int) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline("cut")
    timeline.global_start_time = otio.opentime.RationalTime(90000, 25)
    for index in range(video):
        track = otio.schema.Track(f"V{index + 1}")
        track.append(_clip(f"pic{index}", 90000 + 10 * index, 50))
        track.append(_clip(f"pac{index}", 90100, 25))
        timeline.tracks.append(track)
    for index in range(audio):
        track = otio.schema.Track(f"A{index + 1}", kind=otio.schema.TrackKind.Audio)
        track.append(
            otio.schema.Gap(
                source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(5, 25))
            )
        )
        track.append(_clip(f"snd{index}", 90000 + index, 40))
        timeline.tracks.append(track)
    return timeline


def test_sound_events_are_written_and_read_back(tmp_path: Path) -> None:
    out = tmp_path / "cut.edl"
    export_timeline(_timeline(1, 2), out)
    text = out.read_text()
    assert " A     C " in text and " A2    C " in text
    back = import_timeline(out, rate=25)
    sound = [(c.name, c.source_range.start_time.value, c.range_in_parent().start_time.value)
             for t in back.audio_tracks() for c in t.find_clips()]  # fmt: skip
    assert sound == [("snd0", 90000, 5), ("snd1", 90001, 5)]
    assert [c.name for c in back.video_tracks()[0].find_clips()] == ["pic0", "pac0"]


def test_more_tracks_than_cmx_holds_is_one_edl_per_track(tmp_path: Path) -> None:
    out = tmp_path / "cut.edl"
    with pytest.warns(InterchangeWarning, match="one EDL per track"):
        export_timeline(_timeline(2, 3), out)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cut.edl", "cut_A1.edl", "cut_A2.edl", "cut_A3.edl", "cut_V2.edl"]
    v2 = import_timeline(tmp_path / "cut_V2.edl", rate=25)
    assert [c.source_range.start_time.value for c in v2.find_clips()] == [90010, 90100]
    a3 = import_timeline(tmp_path / "cut_A3.edl", rate=25)
    (clip,) = a3.audio_tracks()[0].find_clips()
    assert clip.source_range.start_time.value == 90002
    # its own list starts at its first event: 01:00:00:05, five frames after the cut's start
    assert (a3.global_start_time + clip.range_in_parent().start_time).value == 90005


def test_an_m2_event_has_the_source_out_its_speed_needs(tmp_path: Path) -> None:
    timeline = _timeline(1, 0)
    fast = timeline.video_tracks()[0][1]
    fast.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    out = export_timeline(timeline, tmp_path / "speed.edl")
    (event,) = [line for line in out.read_text().splitlines() if line.startswith("002")]
    # 25 record frames at double speed: 50 source frames, 01:00:04:00 to 01:00:06:00
    assert "01:00:04:00 01:00:06:00 01:00:02:00 01:00:03:00" in " ".join(event.split())
    back = import_timeline(out, rate=25)
    again = list(back.find_clips())[1]
    assert again.effects[0].time_scalar == 2.0 and again.duration().value == 25


def test_strict_refuses_what_the_format_cannot_carry(tmp_path: Path) -> None:
    timeline = _timeline(1, 0)
    timeline.video_tracks()[0][0].effects.append(otio.schema.FreezeFrame())
    timeline.tracks.markers.append(
        otio.schema.Marker(
            "look", otio.opentime.TimeRange(otio.opentime.RationalTime(3, 25)), color="GREEN"
        )
    )
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        export_timeline(timeline, tmp_path / "cut.fcpxml")
    messages = [str(w.message) for w in said if issubclass(w.category, InterchangeWarning)]
    assert len(messages) == 3  # one per kind: freeze frames, marker colours, track names
    assert any("1 freeze frames (V1 pic0 at 0.00 s)" in m for m in messages)
    with pytest.raises(InterchangeError, match="freeze frames"):
        export_timeline(timeline, tmp_path / "strict.fcpxml", strict=True)
    assert not (tmp_path / "strict.fcpxml").exists()
    project = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(project))
    assert main(["export", str(project), "-o", str(tmp_path / "cli.fcpxml"), "--strict"]) == 2
    assert main(["export", str(project), "-o", str(tmp_path / "cli.fcpxml")]) == 0


def test_fcp7_xml_carries_track_names_and_speed(tmp_path: Path) -> None:
    timeline = _timeline(2, 1)
    timeline.video_tracks()[0][1].effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    out = tmp_path / "cut.xml"
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        export_timeline(timeline, out)
    assert not [w for w in said if "speed" in str(w.message) or "track names" in str(w.message)]
    text = out.read_text()
    assert 'MZ.TrackName="V2"' in text and "<effectid>timeremap</effectid>" in text
    back = import_timeline(out)
    assert [t.name for t in back.tracks] == ["V1", "V2", "A1"]
    fast = list(back.video_tracks()[0].find_clips())[1]
    (warp,) = fast.effects
    assert isinstance(warp, otio.schema.LinearTimeWarp) and warp.time_scalar == 2.0
    assert fast.duration().value == 25 and fast.range_in_parent().start_time.value == 50
