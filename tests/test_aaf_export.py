"""AAF export written with pyaaf2, read back by pyaaf2 and by the OTIO AAF reader.

The demo project (picture dissolves, a wipe, picture-in-picture, a title, stereo and mono
sound, clip gain, a marker) used to fail in the OTIO AAF writer; a plain cut too.
"""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction
from pathlib import Path

import aaf2
import opentimelineio as otio
import pytest

from postprod.cli import main
from postprod.demo.production import run_demo
from postprod.interchange import export_timeline, import_timeline
from postprod.project import load_project
from postprod.timeline.metadata import set_clip_state
from test_render import SMALL

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "conformance"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("aaf") / "demo", settings=SMALL).project


def _seconds(time: otio.opentime.RationalTime) -> Fraction:
    return Fraction(time.value).limit_denominator(10**9) / Fraction(time.rate).limit_denominator(
        10**6
    )


def _clips(track: otio.schema.Track) -> list[tuple[str, Fraction, Fraction, Fraction]]:
    """Each clip of a track: name, record position, source start, duration (exact seconds)."""
    out = []
    for clip in track.find_clips():
        if isinstance(clip.media_reference, otio.schema.GeneratorReference):
            continue
        record = clip.transformed_time_range(clip.trimmed_range(), track)
        out.append(
            (
                clip.name,
                _seconds(record.start_time),
                _seconds(clip.source_range.start_time),
                _seconds(clip.source_range.duration),
            )
        )
    return out


def _transitions(track: otio.schema.Track) -> list[tuple[Fraction, Fraction]]:
    return [
        (_seconds(t.in_offset), _seconds(t.out_offset))
        for t in track
        if isinstance(t, otio.schema.Transition)
    ]


def test_the_demo_exports_and_reads_back_equal(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.aaf"
    assert main(["export", str(project), "-o", str(out)]) == 0
    original = load_project(project)
    with contextlib.redirect_stdout(io.StringIO()):
        bare = otio.adapters.read_from_file(str(out), adapter_name="AAF")
    back = import_timeline(out)
    assert back.global_start_time == original.global_start_time
    by_name = {track.name: track for track in back.tracks}
    # the bare reader leaves the marker on an empty timecode track; postprod moves it
    assert len(bare.tracks) == len(back.tracks) + 1
    for track in original.tracks:
        again = by_name[track.name]
        assert again.kind == track.kind
        assert _clips(again) == _clips(track), track.name
        assert _transitions(again) == _transitions(track), track.name
        assert again.duration() == track.duration()
    # a stereo track is two mono slots (Pro Tools' and Media Composer's convention)
    assert _clips(by_name["music 2"]) == _clips(by_name["music"])
    assert [(m.name, m.marked_range, m.color) for m in back.tracks.markers] == [
        (m.name, m.marked_range, m.color) for m in original.tracks.markers
    ]


def _chain(mob: aaf2.mobs.Mob, kind: str) -> tuple[str, ...]:
    """The classes along a clip's reference chain of one kind: MasterMob -> SourceMob(...)."""
    out = []
    while mob is not None:
        label = type(mob).__name__
        if isinstance(mob, aaf2.mobs.SourceMob):
            label += f"({type(mob.descriptor).__name__})"
        out.append(label)
        slot = next(
            (
                s
                for s in mob.slots
                if isinstance(s.segment, aaf2.components.SourceClip)
                and s.segment.mob is not None
                and str(s.segment.media_kind) == kind
            ),
            None,
        )
        mob = slot.segment.mob if slot is not None else None
    return tuple(out)


def _chains(path: Path) -> set[tuple[str, ...]]:
    with aaf2.open(str(path)) as aaf:
        return {
            _chain(mob, kind)
            for mob in aaf.content.mastermobs()
            for kind in ("Picture", "Sound")
            if len(_chain(mob, kind)) > 1
        }


def test_the_structure_is_media_composers(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.aaf"
    export_timeline(load_project(project), out, media_folder=project.parent)
    # Media Composer's own: sound (MC_Fades) and picture (the OTIO adapter's Avid sample)
    theirs = _chains(CORPUS / "aaf" / "LibAAF__MC_Fades.aaf") | _chains(
        CORPUS / "aaf" / "otio-aaf-adapter__simple.aaf"
    )
    ours = _chains(out)
    with aaf2.open(str(out)) as aaf:
        (composition,) = aaf.content.compositionmobs()
        kinds = [str(s.segment.media_kind) for s in composition.slots]
        rates = {str(s.segment.media_kind): s.edit_rate for s in composition.slots}
        timecode = [s for s in composition.slots if str(s.segment.media_kind) == "Timecode"]
        import_mobs = [
            m
            for m in aaf.content.sourcemobs()
            if isinstance(m.descriptor, aaf2.essence.ImportDescriptor)
        ]
        starts = {
            s.segment.start
            for m in import_mobs
            for s in m.slots
            if isinstance(s.segment, aaf2.components.Timecode)
        }
        locators = [
            loc["URLString"].value
            for m in aaf.content.sourcemobs()
            for loc in m.descriptor["Locator"]
        ]
    assert len(ours) == 2 and ours <= theirs  # master -> file (CDCI/PCM) -> import (timecode)
    assert kinds.count("Picture") == 2 and kinds.count("Sound") == 8  # stereo tracks: 2 slots
    assert rates["Picture"] == 25 and rates["Sound"] == 48000  # sound is sample accurate
    assert timecode[0].segment.start == 90000 and timecode[0]["PhysicalTrackNumber"].value == 1
    assert 90000 in starts  # the camera files start at 01:00:00:00
    assert all(url.startswith("file:///") for url in locators)


def _sound_timeline(tmp_path: Path) -> otio.schema.Timeline:
    """One mono sound clip at 1 234 567 samples, 3 s long, 2.5 s into its file, -6 dB, faded."""
    rate = 48000
    timeline = otio.schema.Timeline("sound")
    timeline.metadata["postprod"] = {"version": 1, "project": {"sample_rate_hz": rate}}
    picture = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    picture.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(50, 25))
        )
    )
    timeline.tracks.append(picture)
    track = otio.schema.Track("FX", kind=otio.schema.TrackKind.Audio)
    track.metadata["postprod"] = {"version": 1, "track": {"layout": "mono", "locked": False}}
    track.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(1234567, rate))
        )
    )
    clip = otio.schema.Clip(
        "bang",
        media_reference=otio.schema.ExternalReference(
            str(tmp_path / "bang.wav"),
            available_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(10, 1)),
        ),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(120000, rate), otio.opentime.RationalTime(3 * rate, rate)
        ),
    )
    clip.metadata["postprod"] = {"version": 1}
    track.append(clip)
    track.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(rate, rate))
        )
    )
    from postprod.timeline.metadata import ClipState

    set_clip_state(clip, ClipState(gain_db=-6.0, fade_in_s=0.5, fade_out_s=0.25))
    timeline.tracks.append(track)
    return timeline


def test_sound_lands_on_its_sample_with_gain_and_fades(tmp_path: Path) -> None:
    out = tmp_path / "sound.aaf"
    export_timeline(_sound_timeline(tmp_path), out)
    with aaf2.open(str(out)) as aaf:
        (composition,) = aaf.content.compositionmobs()
        (slot,) = [s for s in composition.slots if str(s.segment.media_kind) == "Sound"]
        parts = list(slot.segment.components)
    assert slot.edit_rate == 48000
    assert [type(p).__name__ for p in parts] == [
        "Filler",
        "Transition",
        "OperationGroup",
        "Transition",
        "Filler",
    ]
    filler, fade_in, gain, fade_out, tail = parts
    # fades against filler: the filler holds the overlap (Media Composer's fades)
    assert fade_in.length == 24000 and fade_in["CutPoint"].value == 0
    assert fade_out.length == 12000 and fade_out["CutPoint"].value == 12000
    assert filler.length == 1234567 + 24000  # the fade's overlap is the filler's
    assert gain.operation.name == "Audio Gain"
    (amplitude,) = gain.parameters
    assert abs(float(amplitude.value) - 10 ** (-6 / 20)) < 1e-6
    (inner,) = gain.segments
    assert inner.start == 120000 and inner.length == 3 * 48000
    assert tail.length == 48000 + 12000
    with contextlib.redirect_stdout(io.StringIO()):
        bare = otio.adapters.read_from_file(str(out), adapter_name="AAF")
    (clip,) = [c for c in bare.find_clips() if c.name == "bang"]
    record = clip.transformed_time_range(clip.trimmed_range(), bare.audio_tracks()[0])
    assert record.start_time.rescaled_to(48000).value == 1234567


def test_a_plain_cut_exports(tmp_path: Path, project: Path) -> None:
    timeline = load_project(project)
    for track in list(timeline.tracks)[1:]:
        timeline.tracks.remove(track)
    track = timeline.tracks[0]
    for item in [i for i in track if not isinstance(i, otio.schema.Clip)]:
        track.remove(item)
    out = tmp_path / "cut.aaf"
    export_timeline(timeline, out, media_folder=project.parent)
    back = import_timeline(out)
    assert [c.name for c in back.find_clips()] == [c.name for c in timeline.find_clips()]


@pytest.mark.skipif(not (CORPUS / "aaf").is_dir(), reason="no corpus")
def test_resolve_markers_without_described_slots_import() -> None:
    timeline = import_timeline(CORPUS / "aaf" / "LibAAF__DR_Markers.aaf")
    assert [m.marked_range.start_time.value for m in timeline.tracks.markers] == [1440, 2160]
    assert [m.marked_range.duration.value for m in timeline.tracks.markers] == [1, 10]
