"""Relink on real files: moved, renamed, same-named takes told apart by timecode, reels, misses."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
import pytest

from media_factory import write_video
from postprod.cli import main
from postprod.errors import EditError
from postprod.operations import SetMedia, apply_operations, operation_from_dict
from postprod.project import History, load_project, relink, save_project
from postprod.project.relink import build_index, url_path
from test_spot import assert_one_undoable_step

RATE = 25.0


def _clip(name: str, url: str, start: int, duration: int, **metadata: object) -> otio.schema.Clip:
    return otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(target_url=url),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, RATE), otio.opentime.RationalTime(duration, RATE)
        ),
        metadata=dict(metadata),
    )


def _timeline(*clips: otio.schema.Clip) -> otio.schema.Timeline:
    timeline = otio.schema.Timeline("relink")
    track = otio.schema.Track("V1")
    track.extend(clips)
    timeline.tracks.append(track)
    return timeline


@pytest.fixture(scope="module")
def rushes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two days of rushes: the same file name twice, with different start timecodes."""
    root = tmp_path_factory.mktemp("rushes")
    for day, timecode in (("day1", "01:00:00:00"), ("day2", "02:00:00:00")):
        (root / day).mkdir()
        write_video(root / day / "A001.mov", frames=25, audio=False, start_timecode=timecode)
    write_video(root / "day1" / "B007_renamed_reel.mov", frames=50, audio=False)
    (root / "day1" / "notes.txt").write_text("not media")
    (root / ".cache").mkdir()
    write_video(root / ".cache" / "A001.mov", frames=5, audio=False)  # hidden: never a candidate
    return root


def test_index_walks_once_and_skips_hidden_and_non_media(rushes: Path) -> None:
    index = build_index([rushes])
    assert sorted(p.parent.name for p in index["a001.mov"]) == ["day1", "day2"]
    assert "notes.txt" not in index and "stem:notes" not in index
    assert len(index["stem:a001"]) == 2


def test_same_name_is_told_apart_by_start_timecode(rushes: Path) -> None:
    # 02:00:00:10 for 10 frames lies only in day2's A001 (starting 02:00:00:00, 1 s long)
    clip = _clip("shot 1", "/gone/A001.mov", start=2 * 3600 * 25 + 10, duration=10)
    report = relink(_timeline(clip), [rushes])
    assert [r.matched_by for r in report.relinked] == ["name + timecode"]
    assert clip.media_reference.target_url == str((rushes / "day2" / "A001.mov").resolve())


def test_a_range_no_candidate_holds_stays_missing(rushes: Path) -> None:
    clip = _clip("shot 2", "/gone/A001.mov", start=3 * 3600 * 25, duration=10)
    report = relink(_timeline(clip), [rushes])
    assert not report.relinked
    assert report.missing[0].clip == "shot 2" and "0 of 2" in report.missing[0].reason
    assert clip.media_reference.target_url == "/gone/A001.mov"  # untouched


def test_windows_url_and_reel_and_missing(rushes: Path, tmp_path: Path) -> None:
    by_url = _clip("a", "file:///C%3A/Avid%20MediaFiles/day1/A001.mov", 25 * 3600, 5)
    by_reel = _clip(
        "b", "file:///D%3A/media/unknown.mxf", 0, 25, cmx_3600={"reel": "B007_renamed_reel"}
    )
    lost = _clip("c", "file:///D%3A/media/never_shot.mov", 0, 25)
    present = tmp_path / "here.mov"
    write_video(present, frames=3, audio=False)
    kept = _clip("d", present.name, 0, 3)
    report = relink(_timeline(by_url, by_reel, lost, kept), [rushes], project_folder=tmp_path)
    assert {r.clip: r.matched_by for r in report.relinked} == {"a": "name + timecode", "b": "reel"}
    assert [m.clip for m in report.missing] == ["c"]
    assert kept.media_reference.target_url == "here.mov"  # present media is left alone
    assert url_path("file:///C%3A/A%20B/x.mov").name == "x.mov"


def test_a_reel_file_too_short_for_the_clip_is_refused(rushes: Path) -> None:
    clip = _clip("long", "/gone/x.mxf", 0, 200, cmx_3600={"reel": "B007_renamed_reel"})
    report = relink(_timeline(clip), [rushes])
    assert not report.relinked and report.missing[0].clip == "long"


def test_cli_relinks_in_place_or_to_another_file(
    rushes: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.otio"
    save_project(_timeline(_clip("s", "/gone/A001.mov", 3600 * 25, 10)), project)
    out = tmp_path / "relinked.otio"
    assert main(["relink", str(project), "--search", str(rushes), "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["relinked"][0]["path"].endswith("day1/A001.mov") and report["missing"] == []
    assert load_project(project).find_clips()[0].media_reference.target_url == "/gone/A001.mov"
    assert History(out).folder.is_dir() and History(out).events() == []  # its journal starts there
    before = project.read_bytes()
    assert main(["relink", str(project), "--search", str(rushes)]) == 0
    assert "1 relinked, 0 still missing" in capsys.readouterr().out
    assert (
        load_project(project).find_clips()[0].media_reference.target_url.endswith("day1/A001.mov")
    )
    assert_one_undoable_step(project, before, 0, "relinked 1 clips", capsys)
    (event,) = History(project).events()[:1]
    assert event.operation is not None and event.operation["op"] == "set-media"
    assert event.operation["changes"][0][:3] == ["V1", 0, "/gone/A001.mov"]
    assert main(["relink", str(project), "--search", str(tmp_path / "nowhere")]) == 2
    capsys.readouterr()
    relinked = out.read_bytes()
    assert main(["relink", str(project), "--search", str(rushes), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "already exists" in err and out.read_bytes() == relinked


def test_set_media_relinks_the_clip_named_by_track_frame_and_url(tmp_path: Path) -> None:
    timeline = _timeline(_clip("a", "/x/a.mov", 0, 10), _clip("b", "/x/a.mov", 0, 5))
    changes = (("V1", 10, "/x/a.mov", "/y/b.mov"), ("V1", 0, "/x/a.mov", "/y/a.mov"))
    changed = apply_operations(timeline, SetMedia(changes))
    assert operation_from_dict(json.loads(json.dumps(SetMedia(changes).to_dict()))) == SetMedia(
        changes
    )
    urls = [clip.media_reference.target_url for clip in changed.find_clips()]
    assert urls == ["/y/a.mov", "/y/b.mov"]
    assert timeline.find_clips()[0].media_reference.target_url == "/x/a.mov"  # a copy changed
    with pytest.raises(EditError, match=r"no clip of /x/a\.mov starts at 00:00:00:05"):
        apply_operations(timeline, SetMedia((("V1", 5, "/x/a.mov", "/y/a.mov"),)))
    with pytest.raises(EditError, match=r"no clip of /z\.mov"):
        apply_operations(timeline, SetMedia((("V1", 0, "/z.mov", "/y/a.mov"),)))
