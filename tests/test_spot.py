"""Spotting: each sound lands on its track at the exact frame, gain applied; conflicts are reported."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from media_factory import write_wav
from postprod.cli import main
from postprod.demo.production import run_demo
from postprod.errors import EditError
from postprod.media import read_audio
from postprod.operations import AddClip, AddTransition, Project, new_project
from postprod.operations.media import put_where_empty
from postprod.project import History, load_project
from postprod.render.mixdown import mix_project
from postprod.timeline.metadata import clip_state
from postprod.timeline.model import media_clip, to_frames
from postprod.timeline.slots import Where
from test_render import SMALL

RATE = 48000
FPS = Fraction(25)


def test_spotted_sounds_land_on_their_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_demo(tmp_path / "demo", settings=SMALL)
    click = np.zeros((1, RATE), np.float32)
    click[0, 0] = 0.5
    write_wav(demo.project.parent / "click.wav", click, codec="pcm_f32le")
    listing = tmp_path / "spotting.csv"
    listing.write_text(
        "timecode,sound,track,gain_db,note\n"
        "01:00:01:00,click.wav,Foley,-6,door click\n"  # frame 25 of the timeline
        "01:00:01:10,click.wav,Foley,0,too close: overlaps the first\n"
        "01:00:02:00,sfx:impact:3,Hits,0,hit\n"
        "00:59:59:00,click.wav,Foley,0,before the start\n"
    )
    before, events = demo.project.read_bytes(), len(History(demo.project).events())
    assert main(["spot", str(demo.project), str(listing)]) == 0
    out = capsys.readouterr().out
    assert "placed 2 sounds" in out and "overlaps" not in out and out.count("not placed") == 2
    assert "is taken from 01:00:01:10" in out and "(door click)" in out
    assert_one_undoable_step(demo.project, before, events, "spot 2 sounds", capsys)
    timeline = load_project(demo.project)
    foley = next(t for t in timeline.audio_tracks() if t.name == "Foley")
    clip = next(c for c in foley if isinstance(c, otio.schema.Clip))
    assert to_frames(foley.range_of_child(clip).start_time, FPS, where="") == 25
    stems = tmp_path / "stems"
    result = mix_project(demo.project, tmp_path / "mix.wav", stems_dir=stems)
    mix, _ = read_audio(result.mix)
    assert mix.shape[1] == round(89 / FPS * RATE)
    # the click, at -6 dB and centred (-3 dB each side), exactly at frame 25
    expected = 25 * RATE // 25
    jump = np.abs(np.diff(mix[0, expected - 100 : expected + 100]))
    assert int(np.argmax(jump)) + expected - 99 == expected
    assert jump.max() == pytest.approx(0.5 * 10 ** (-6 / 20) * np.sqrt(0.5), rel=0.05)


def test_spotting_from_markers_placed_with_postprod_edit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_demo(tmp_path / "demo", settings=SMALL)
    click = np.zeros((1, RATE // 2), np.float32)
    click[0, 0] = 0.5
    write_wav(demo.project.parent / "knock.wav", click, codec="pcm_f32le")
    edit = ["edit", str(demo.project), "add-marker"]
    assert (
        main(
            [
                *edit,
                "--at",
                "01:00:01:05",
                "--name",
                "knock",
                "--note",
                "knock.wav track=Foley gain_db=-6",
            ]
        )
        == 0
    )
    assert main([*edit, "--at", "40", "--name", "zap", "--note", "sfx:laser:2"]) == 0
    assert main([*edit, "--at", "50", "--name", "director", "--note", "tighten this cut"]) == 0
    assert main([*edit, "--at", "60", "--name", "bad", "--note", "knock.wav gain_db=loud"]) == 0
    capsys.readouterr()
    assert main(["spot", str(demo.project)]) == 2  # the bad gain is named, nothing half-done
    assert "marker 'bad'" in capsys.readouterr().err
    assert main(["edit", str(demo.project), "remove-marker", "--name", "bad"]) == 0
    assert main(["spot", str(demo.project)]) == 0
    assert "placed 2 sounds" in capsys.readouterr().out
    timeline = load_project(demo.project)
    placed = {
        clip.name: (track.name, to_frames(track.range_of_child(clip).start_time, FPS, where=""))
        for track in timeline.audio_tracks()
        for clip in track
        if isinstance(clip, otio.schema.Clip) and clip.name in ("knock", "zap")
    }
    assert placed == {"knock": ("Foley", 30), "zap": ("FX", 40)}


def assert_one_undoable_step(
    project: Path, before: bytes, events: int, what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command just run on ``project`` is one edit in its history (``what`` it did, no
    change made behind the journal); undo gives back ``before`` byte for byte, redo the result."""
    after = project.read_bytes()
    journal = History(project).events()
    assert [event.event for event in journal[events:]] == ["edit"]
    assert what in journal[-1].description
    assert all(event.event != "outside" for event in journal)
    capsys.readouterr()
    assert main(["edit", str(project), "history"]) == 0
    shown = capsys.readouterr().out
    assert what in shown and "outside" not in shown
    assert main(["edit", str(project), "undo"]) == 0
    assert project.read_bytes() == before
    assert main(["edit", str(project), "redo"]) == 0
    assert project.read_bytes() == after


def test_spotting_into_another_file_starts_its_journal_and_never_replaces_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_demo(tmp_path / "demo", settings=SMALL)
    before = demo.project.read_bytes()
    listing = tmp_path / "spotting.csv"
    listing.write_text("timecode,sound,track,gain_db,note\n01:00:00:10,sfx:impact:3,FX,0,hit\n")
    other = demo.project.with_name("spotted.otio")
    assert main(["spot", str(demo.project), str(listing), "-o", str(other)]) == 0
    assert demo.project.read_bytes() == before  # the source project is left as it was
    assert History(other).events() == [] and History(other).folder.is_dir()
    assert main(["edit", str(other), "undo"]) == 2  # nothing to undo: no outside change
    assert "nothing to undo" in capsys.readouterr().err
    spotted = other.read_bytes()
    assert main(["spot", str(demo.project), str(listing), "-o", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "already exists" in err
    assert other.read_bytes() == spotted


def test_add_clip_goes_only_where_the_track_is_empty(tmp_path: Path) -> None:
    write_wav(tmp_path / "s.wav", np.zeros((1, RATE), np.float32), codec="pcm_f32le")  # 25 frames
    project = tmp_path / "p.otio"
    new_project(project, name="p")
    session = Project(project)
    session.apply(AddClip("A1", "s.wav", 10, clip_name="one", gain_db=-3.0))  # 10-34
    with pytest.raises(EditError, match=r"taken from 00:00:00:20 to 00:00:01:20 \(one"):
        session.apply(AddClip("A1", "s.wav", 20))
    session.apply(AddClip("A1", "s.wav", 35, duration=5))  # touching is free: 35-39
    session.apply(AddClip("A1", "s.wav", 60, source_in=5, duration=10, clip_name="late"))
    session.apply(AddTransition("A1", 60, 4, align="end"))  # a fade in over 56-59
    with pytest.raises(EditError, match="a transition at 00:00:02:10"):
        session.apply(AddClip("A1", "s.wav", 52, duration=5))
    session.apply(AddClip("A1", "s.wav", 45, duration=5, clip_name="between"))
    with pytest.raises(EditError, match="no track 'FX'"):
        session.apply(AddClip("FX", "s.wav", 0))
    (track,) = [t for t in session.timeline().audio_tracks() if t.name == "A1"]
    placed = {
        clip.name: to_frames(track.range_of_child(clip).start_time, FPS, where="")
        for clip in track.find_clips()
    }
    assert placed == {"one": 10, "s": 35, "between": 45, "late": 60}
    assert clip_state(track.find_clips()[0]).gain_db == -3.0
    assert len(session.events()) == 5  # one undo step each, the refused ones none


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)), min_size=1, max_size=12))
def test_placement_never_overlaps_and_keeps_every_frame(spots: list[tuple[int, int]]) -> None:
    track = otio.schema.Track("T", kind=otio.schema.TrackKind.Audio)
    placed = []
    for k, (at, length) in enumerate(spots):
        clip = media_clip(Path(f"c{k}.wav"), name=f"c{k}", rate=FPS, available_frames=length)
        try:
            put_where_empty(track, clip, at, Where(FPS, 0))
        except EditError:
            continue  # something is in the way: not placed
        placed.append((at, length, f"c{k}"))
    spans = sorted(placed)
    for (a, la, _), (b, _, _) in itertools.pairwise(spans):
        assert a + la <= b  # no overlaps
    for at, _, name in placed:
        clip = next(c for c in track if isinstance(c, otio.schema.Clip) and c.name == name)
        assert to_frames(track.range_of_child(clip).start_time, FPS, where="") == at
