"""FCPXML with exact rational time: NTSC rates read exactly, frameDuration written, the
elements the adapter skipped or crashed on (titles, auditions, multicam, transitions, images)."""

from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from postprod.demo.production import run_demo
from postprod.errors import InterchangeError
from postprod.interchange import export_timeline, import_timeline
from postprod.interchange.losses import InterchangeWarning
from postprod.project import load_project
from postprod.timeline.build import TITLE_KIND
from test_render import SMALL

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "fcpxml"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("fcpx") / "demo", settings=SMALL).project


@needs_corpus
@pytest.mark.parametrize(
    ("name", "rate", "duration"),
    [
        ("DAWFileKit__23.98.fcpxml", Fraction(24000, 1001), "00:03:42:20"),
        ("DAWFileKit__29.97.fcpxml", Fraction(30000, 1001), "00:00:29:17"),
        ("DAWFileKit__59.94.fcpxml", Fraction(60000, 1001), "00:04:23:25"),
    ],
)
def test_ntsc_rates_read_exactly(name: str, rate: Fraction, duration: str) -> None:
    timeline = import_timeline(CORPUS / name)
    hours, minutes, secs, frames = (int(part) for part in duration.split(":"))
    nominal = round(rate)
    expected = Fraction(((hours * 60 + minutes) * 60 + secs) * nominal + frames) / rate
    assert abs(Fraction(timeline.duration().to_seconds()) - expected) < Fraction(1, 10**6)
    rates = {item.duration().rate for item in timeline.find_children()}
    assert any(abs(r - float(rate)) < 1e-9 for r in rates)
    assert int(rate) not in rates  # not truncated to 23, 29, 59


def _cut(rate: Fraction) -> otio.schema.Timeline:
    """Two clips and a title at ``rate``, a centred dissolve, a marker, starting at 01:00:00:00."""
    r = float(rate)
    timeline = otio.schema.Timeline("cut")
    timeline.global_start_time = otio.opentime.RationalTime(round(3600 * rate), r)
    track = otio.schema.Track("V1")
    for name, start, frames in (("a", 100, 48), ("b", 7, 30)):
        track.append(
            otio.schema.Clip(
                name,
                media_reference=otio.schema.ExternalReference(
                    f"/media/{name}.mov",
                    available_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(0, r), otio.opentime.RationalTime(1000, r)
                    ),
                ),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(start, r), otio.opentime.RationalTime(frames, r)
                ),
            )
        )
    track.insert(
        1,
        otio.schema.Transition(
            in_offset=otio.opentime.RationalTime(6, r), out_offset=otio.opentime.RationalTime(6, r)
        ),
    )
    timeline.tracks.append(track)
    timeline.tracks.markers.append(
        otio.schema.Marker(
            "check",
            otio.opentime.TimeRange(
                otio.opentime.RationalTime(10, r), otio.opentime.RationalTime(1, r)
            ),
            color=otio.schema.MarkerColor.GREEN,
        )
    )
    return timeline


@pytest.mark.parametrize("rate", [Fraction(24000, 1001), Fraction(30000, 1001), Fraction(25)])
def test_export_writes_exact_frame_duration_and_reads_back(tmp_path: Path, rate: Fraction) -> None:
    out = tmp_path / "cut.fcpxml"
    export_timeline(_cut(rate), out)
    text = out.read_text()
    assert f'frameDuration="{fcpx(1 / rate)}"' in text
    back = import_timeline(out)
    assert abs(back.global_start_time.rate - float(rate)) < 1e-9
    assert back.global_start_time.value == round(3600 * rate)
    (track,) = back.video_tracks()
    items = [(type(i).__name__, i.name) for i in track if not isinstance(i, otio.schema.Transition)]
    assert items == [("Clip", "a"), ("Clip", "b")]
    a, b = track.find_clips()
    assert (a.source_range.start_time.value, a.source_range.duration.value) == (100, 48)
    assert (b.source_range.start_time.value, b.range_in_parent().start_time.value) == (7, 48)
    (transition,) = [i for i in track if isinstance(i, otio.schema.Transition)]
    assert (transition.in_offset.value, transition.out_offset.value) == (6, 6)
    markers = [m for clip in track.find_clips() for m in clip.markers]
    assert [(m.name, m.color) for m in markers] == [("check", otio.schema.MarkerColor.GREEN)]


def fcpx(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}s" if value.denominator != 1 else f"{value}s"


def test_the_demo_round_trips_with_titles_transitions_and_sound(
    project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "demo.fcpxml"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export_timeline(load_project(project), out, media_folder=project.parent)
    said = [str(w.message) for w in caught if issubclass(w.category, InterchangeWarning)]
    assert any("picture-in-picture" in s for s in said) and any("clip gain" in s for s in said)
    original, back = load_project(project), import_timeline(out)
    assert back.global_start_time == original.global_start_time
    assert len(back.video_tracks()) == 2 and len(back.audio_tracks()) == 5

    def clips(track: otio.schema.Track) -> list[tuple[str, float, float]]:
        return [
            (
                c.name,
                round(c.range_in_parent().start_time.to_seconds(), 6),
                round(c.duration().to_seconds(), 6),
            )
            for c in track.find_clips()
        ]

    for mine, theirs in zip(
        original.video_tracks() + original.audio_tracks(),
        back.video_tracks() + back.audio_tracks(),
        strict=True,
    ):
        assert clips(theirs) == clips(mine)
    v1 = [(t.in_offset.value, t.out_offset.value) for t in original.video_tracks()[0]
          if isinstance(t, otio.schema.Transition)]  # fmt: skip
    again = [(t.in_offset.value, t.out_offset.value) for t in back.video_tracks()[0]
             if isinstance(t, otio.schema.Transition)]  # fmt: skip
    assert again == v1
    (title,) = [c for c in back.video_tracks()[1].find_clips() if c.name == "POSTPROD"]
    assert title.media_reference.generator_kind == TITLE_KIND


def test_an_audio_only_timeline_is_written(tmp_path: Path) -> None:
    timeline = otio.schema.Timeline("radio")
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    track.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(50, 25))
        )
    )
    track.append(
        otio.schema.Clip(
            "voice",
            media_reference=otio.schema.ExternalReference(
                "/media/voice.wav",
                available_range=otio.opentime.TimeRange(
                    duration=otio.opentime.RationalTime(500, 25)
                ),
            ),
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(25, 25), otio.opentime.RationalTime(100, 25)
            ),
        )
    )
    timeline.tracks.append(track)
    out = export_timeline(timeline, tmp_path / "radio.fcpxml")
    back = import_timeline(out)
    (sound,) = back.audio_tracks()
    (clip,) = sound.find_clips()
    assert clip.range_in_parent().start_time.to_seconds() == 2.0
    assert clip.source_range.start_time.to_seconds() == 1.0 and clip.duration().to_seconds() == 4


DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.11">
  <resources>
    <format id="r1" frameDuration="1001/30000s" width="1920" height="1080"/>
    <asset id="r2" name="A" start="0s" duration="100s" hasVideo="1" hasAudio="1" format="r1">
      <media-rep kind="original-media" src="file:///media/A.mov"/>
    </asset>
    <asset id="r3" name="B" start="0s" duration="100s" hasVideo="1" hasAudio="1" format="r1">
      <media-rep kind="original-media" src="file:///media/B.mov"/>
    </asset>
    <asset id="r4" name="still" start="0s" duration="0s" hasVideo="1" format="r1">
      <media-rep kind="original-media" src="file:///media/still.png"/>
    </asset>
    <media id="r5" name="MC">
      <multicam format="r1">
        <mc-angle name="cam1" angleID="a1"><asset-clip ref="r2" offset="0s" start="0s" duration="100s"/></mc-angle>
        <mc-angle name="cam2" angleID="a2"><asset-clip ref="r3" offset="0s" start="10s" duration="90s"/></mc-angle>
      </multicam>
    </media>
  </resources>
  <library><event name="e"><project name="p">
    <sequence format="r1" duration="12012/1000s" tcStart="0s" tcFormat="NDF">
      <spine>
        <audition>
          <asset-clip ref="r2" name="pick" offset="0s" start="1001/1000s" duration="4004/1000s">
            <marker start="2002/1000s" duration="1001/30000s" value="note" completed="0"/>
          </asset-clip>
          <asset-clip ref="r3" name="other" offset="0s" start="0s" duration="4004/1000s"/>
        </audition>
        <mc-clip ref="r5" name="multi" offset="4004/1000s" start="20s" duration="4004/1000s">
          <mc-source angleID="a2" srcEnable="all"/>
        </mc-clip>
        <video ref="r4" name="still" offset="8008/1000s" start="0s" duration="4004/1000s"/>
      </spine>
    </sequence>
  </project></event></library>
</fcpxml>
"""


def test_auditions_multicam_and_stills(tmp_path: Path) -> None:
    source = tmp_path / "mixed.fcpxml"
    source.write_text(DOCUMENT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        timeline = import_timeline(source)
    assert any("multicam clip 'multi' flattened" in str(w.message) for w in caught)
    (track,) = timeline.video_tracks()
    assert [c.name for c in track.find_clips()] == ["pick", "multi", "still"]
    pick, multi, still = track.find_clips()
    assert pick.source_range.start_time.value == 30  # 1.001 s at 29.97: exactly 30 frames
    assert [(m.name, m.color) for m in pick.markers] == [("note", otio.schema.MarkerColor.RED)]
    assert multi.media_reference.target_url == "file:///media/B.mov"  # the active angle, cam2
    assert multi.source_range.start_time.to_seconds() == pytest.approx(30.0, abs=1e-3)
    assert still.range_in_parent().start_time.value == 240


def test_entities_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "bomb.fcpxml"
    source.write_text(
        '<?xml version="1.0"?><!DOCTYPE fcpxml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<fcpxml version='1.8'><resources/></fcpxml>"
    )
    with pytest.raises(InterchangeError, match="entities"):
        import_timeline(source)
