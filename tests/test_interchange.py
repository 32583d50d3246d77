"""Import and export on the command line, round trips on postprod's own projects, clear errors."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from postprod.cli import main
from postprod.demo.production import run_demo
from postprod.interchange import export_timeline, import_timeline
from postprod.interchange.edl import edl_rate
from postprod.project import History, load_project
from postprod.timeline.metadata import WipeState, set_wipe, wipe_of
from postprod.timeline.model import media_clip, rational_time
from test_render import SMALL

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "conformance"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("ix") / "demo", settings=SMALL).project


@pytest.mark.parametrize("suffix", [".otio", ".otioz", ".xml"])
def test_export_then_import_keeps_the_edit(project: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"demo{suffix}"
    assert main(["export", str(project), "-o", str(out)]) == 0
    back = tmp_path / "back.otio"
    assert main(["import", str(out), "-o", str(back), "--rate", "25"]) == 0
    assert History(back).events() == [] and History(back).folder.is_dir()  # a journal from it
    imported = back.read_bytes()
    assert main(["import", str(out), "-o", str(back), "--rate", "25"]) == 2  # never over it
    assert back.read_bytes() == imported
    original, again = load_project(project), load_project(back)
    names = [c.name for c in original.find_clips()]
    assert [c.name for c in again.find_clips()] == names
    transitions = [t for t in again.video_tracks()[0] if isinstance(t, otio.schema.Transition)]
    assert len(transitions) == 4
    if suffix != ".xml":  # FCP 7 XML has no gap after the last clip: the final black frame goes
        assert again.duration() == original.duration()


def test_edl_round_trip_of_a_cut(project: Path, tmp_path: Path) -> None:
    timeline = load_project(project)
    # a cut of V1 alone: an EDL carries one video track and at most two audio tracks
    for other in [*timeline.audio_tracks(), *timeline.video_tracks()[1:]]:
        timeline.tracks.remove(other)
    track = timeline.video_tracks()[0]
    for item in [i for i in track if not isinstance(i, otio.schema.Clip)]:
        track.remove(item)
    cut = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(cut))
    edl = tmp_path / "cut.edl"
    assert main(["export", str(cut), "-o", str(edl)]) == 0
    text = edl.read_text()
    # source in/out of camera_A, in its own timecode (the camera files start at 01:00:00:00)
    assert text.count(" C ") >= 3 and "01:00:00:10 01:00:01:05" in text
    again = import_timeline(edl, rate=25)
    ranges = [
        (c.source_range.start_time.value, c.source_range.duration.value) for c in again.find_clips()
    ]
    assert ranges == [(90_010, 20), (90_010, 20), (90_010, 20), (90_030, 20)]


def test_edl_rate_comes_from_its_timecodes() -> None:
    assert edl_rate("001  AX V C 01:00:00:00 01:00:01:23 01:00:00:00 01:00:01:23") == 24.0
    assert edl_rate("001  AX V C 01:00:00:00 01:00:01:24 01:00:00:00 01:00:01:24") == 25.0
    assert edl_rate(
        "FCM: DROP FRAME\n001 AX V C 01:00:00;00 01:00:01;29 01:00:00;00 01:00:01;29"
    ) == pytest.approx(29.97, abs=0.01)


def test_bad_files_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "cut.edl"
    garbage.write_text("TITLE: broken\n001  AX V C 01:00:00:00 99:99\n")
    broken_xml = tmp_path / "cut.xml"
    broken_xml.write_text("<xmeml><sequence>")
    for path in (garbage, broken_xml, tmp_path / "missing.aaf", tmp_path / "notes.doc"):
        if path.suffix == ".doc":
            path.write_text("hello")
        assert main(["import", str(path), "-o", str(tmp_path / "p.otio")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and path.name in err[0]
    assert not (tmp_path / "p.otio").exists()


def test_an_edl_holds_one_video_track(project: Path, tmp_path: Path) -> None:
    timeline = load_project(project)
    timeline.tracks.append(otio.schema.Track("V2", kind=otio.schema.TrackKind.Video))
    timeline.tracks[-1].append(otio.schema.Gap(source_range=timeline.tracks[0][0].source_range))
    from postprod.interchange.losses import InterchangeWarning

    with pytest.warns(InterchangeWarning, match="one EDL per track"):  # Avid's convention
        export_timeline(timeline, tmp_path / "two.edl")
    assert (tmp_path / "two.edl").exists() and (tmp_path / "two_V2.edl").exists()
    assert import_timeline(export_timeline(timeline, tmp_path / "two.otio")).tracks[-1].name == "V2"


def test_relink_finds_moved_and_renamed_media(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_render import SMALL

    demo = run_demo(tmp_path / "demo", settings=SMALL)
    moved = tmp_path / "archive" / "day1"
    moved.mkdir(parents=True)
    for camera in ("camera_A.mp4", "camera_B.mp4"):
        (demo.project.parent / camera).rename(moved / camera)  # moved
    (demo.project.parent / "camera_C.mp4").unlink()  # lost
    assert main(["relink", str(demo.project), "--search", str(tmp_path / "archive")]) == 0
    out = capsys.readouterr().out
    assert "still missing" in out and "camera_C" in out
    timeline = load_project(demo.project)
    urls = {c.name: c.media_reference.target_url for c in timeline.video_tracks()[0].find_clips()}
    assert urls["camera_A"] == str((moved / "camera_A.mp4").resolve())
    assert urls["camera_B"] == str((moved / "camera_B.mp4").resolve())
    assert urls["camera_C"] == "camera_C.mp4"


def test_fcpxmld_bundle_and_aaf_export(project: Path, tmp_path: Path) -> None:
    timeline = load_project(project)
    bundle = export_timeline(timeline, tmp_path / "cut.fcpxmld")
    assert (bundle / "Info.fcpxml").is_file()
    export_timeline(timeline, bundle)  # replaced as a whole
    assert [p.name for p in tmp_path.iterdir()] == ["cut.fcpxmld"]
    again = import_timeline(bundle)
    assert [c.name for c in again.video_tracks()[0].find_clips()] == [
        c.name for c in timeline.video_tracks()[0].find_clips()
    ]
    aaf = export_timeline(timeline, tmp_path / "cut.aaf")  # transitions and all (test_aaf_export)
    assert import_timeline(aaf).video_tracks()
    assert aaf.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # a compound file


def test_a_drop_frame_edl_round_trip_via_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from e1_edl import write_edl

    source = write_edl(tmp_path / "df.edl", events=40, rate=30000 / 1001)
    project = tmp_path / "df.otio"
    assert main(["import", str(source), "-o", str(project), "--rate", "29.97", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["clips"] == 40 and summary["transitions"] == 6
    assert summary["start_timecode"] == "01:00:00;00"
    out = tmp_path / "again.edl"
    assert main(["export", str(project), "-o", str(out)]) == 0
    written = out.read_text()
    assert "FCM: DROP FRAME" in written
    events = [line.split()[-4:] for line in written.splitlines() if line[:3].isdigit()]
    originals = [
        line.split()[-4:] for line in source.read_text().splitlines() if line[:3].isdigit()
    ]
    assert events == originals
    assert main(["import", str(source), "-o", str(tmp_path / "p.edl")]) == 2  # a project is .otio


def test_wipes_go_through_an_edl_both_ways(tmp_path: Path) -> None:
    """The demo's clock wipe leaves as a W201 event and comes back as the same wipe."""
    rate = Fraction(25)
    clips = [
        media_clip(
            f"/media/{name}.mov",
            name=name,
            rate=rate,
            available_frames=200,
            source_start=20,
            duration=50,
        )
        for name in "abc"
    ]
    clock = otio.schema.Transition(
        in_offset=rational_time(5, rate), out_offset=rational_time(5, rate)
    )
    set_wipe(clock, WipeState("clock", softness=0.1, border_px=3))
    dissolve = otio.schema.Transition(
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=rational_time(4, rate),
        out_offset=rational_time(4, rate),
    )
    track = otio.schema.Track("V1")
    track.extend([clips[0], clock, clips[1], dissolve, clips[2]])
    timeline = otio.schema.Timeline("wipes", global_start_time=rational_time(90_000, rate))
    timeline.tracks.append(track)
    edl = tmp_path / "wipes.edl"
    export_timeline(timeline, edl)
    text = edl.read_text()
    assert " W201 010 " in text and " D 008 " in text
    back = import_timeline(edl, rate=25)
    found = [c for c in back.video_tracks()[0] if isinstance(c, otio.schema.Transition)]
    assert [wipe_of(t) for t in found] == [WipeState("clock", 0.1, 3), None]
    assert [c.name for c in back.find_clips()] == ["a", "b", "c"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/conformance is not here")
def test_a_smpte_wipe_from_another_tool_is_drawn_as_a_wipe() -> None:
    timeline = import_timeline(CORPUS / "edl" / "otio-cmx3600-adapter__wipe_test.edl")
    (transition,) = [c for c in timeline.tracks[0] if isinstance(c, otio.schema.Transition)]
    assert wipe_of(transition) == WipeState("horizontal")  # W001: a horizontal wipe
