"""Edit operations, their refusals, the undo journal, and the rendered result of an edit."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postprod import operations as ops
from postprod.cli import main
from postprod.demo.production import SOURCES, DemoSettings, write_source
from postprod.errors import EditError
from postprod.project import load_project, save_project
from postprod.render.project import render_project
from postprod.timeline.build import clip_from_media, timeline_of
from postprod.timeline.metadata import WipeState, wipe_of
from postprod.timeline.model import media_clip, to_frames
from postprod.timeline.slots import handles, slots
from postprod.timeline.validate import check_timeline
from postprod.video.patterns import read_barcode

RATE = Fraction(25)
SMALL = DemoSettings(width=320, height=180, source_frames=60)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two barcode camera files of 60 frames starting at 01:00:00:00."""
    folder = tmp_path_factory.mktemp("edit-media")
    return (
        write_source(folder / "A.mp4", SOURCES[0], SMALL),
        write_source(folder / "B.mp4", SOURCES[1], SMALL),
    )


def _layout(timeline: otio.schema.Timeline, track: str = "V1") -> list[tuple[str, int, int, int]]:
    """(name, record start, length, source frame from the media's first) per item."""
    found = []
    for slot in slots(timeline.tracks[[t.name for t in timeline.tracks].index(track)], RATE):
        if slot.is_gap:
            found.append(("gap", slot.start, slot.length, 0))
            continue
        first = to_frames(slot.item.media_reference.available_range.start_time, RATE, where="")
        used = to_frames(slot.item.source_range.start_time, RATE, where="")
        found.append((slot.item.name, slot.start, slot.length, used - first))
    return found


def _two_clips(media: tuple[Path, Path]) -> otio.schema.Timeline:
    """A 10..30 then B 10..30 on V1, starting at 01:00:00:00."""
    a, b = media
    clips = [
        clip_from_media(a, source_start=10, duration=20),
        clip_from_media(b, source_start=10, duration=20),
    ]
    return timeline_of(clips, name="edit", start_frame=90000)


# -- each operation ---------------------------------------------------------


def test_split_cuts_one_clip_into_two_that_play_on(media: tuple[Path, Path]) -> None:
    result = ops.apply_operations(_two_clips(media), ops.Split("V1", 5))
    assert _layout(result) == [("A", 0, 5, 10), ("A", 5, 15, 15), ("B", 20, 20, 10)]


def test_insert_ripples_and_overwrite_does_not(media: tuple[Path, Path]) -> None:
    a, b = media
    inserted = ops.apply_operations(_two_clips(media), ops.Insert("V1", 5, str(b), 40, 4))
    assert _layout(inserted) == [
        ("A", 0, 5, 10),
        ("B", 5, 4, 40),
        ("A", 9, 15, 15),
        ("B", 24, 20, 10),
    ]
    over = ops.apply_operations(_two_clips(media), ops.Overwrite("V1", 18, str(a), 0, 4))
    assert _layout(over) == [("A", 0, 18, 10), ("A", 18, 4, 0), ("B", 22, 18, 12)]


def test_append_replace_lift_extract(media: tuple[Path, Path]) -> None:
    a = media[0]
    timeline = ops.apply_operations(_two_clips(media), ops.Append("V1", str(a), 0, 6))
    assert _layout(timeline)[-1] == ("A", 40, 6, 0)
    replaced = ops.apply_operations(timeline, ops.Replace("V1", 25, str(a), 30))
    assert _layout(replaced)[1] == ("A", 20, 20, 30)
    lifted = ops.apply_operations(timeline, ops.Lift("V1", 25))
    assert _layout(lifted) == [("A", 0, 20, 10), ("gap", 20, 20, 0), ("A", 40, 6, 0)]
    extracted = ops.apply_operations(timeline, ops.Extract("V1", 25))
    assert _layout(extracted) == [("A", 0, 20, 10), ("A", 20, 6, 0)]


def test_trims_roll_slip_slide(media: tuple[Path, Path]) -> None:
    timeline = _two_clips(media)
    assert _layout(ops.apply_operations(timeline, ops.Trim("V1", 3, "in", 4))) == [
        ("A", 0, 16, 14),
        ("B", 16, 20, 10),
    ]
    assert _layout(ops.apply_operations(timeline, ops.Trim("V1", 3, "out", -5))) == [
        ("A", 0, 15, 10),
        ("B", 15, 20, 10),
    ]
    assert _layout(ops.apply_operations(timeline, ops.Roll("V1", 20, 3))) == [
        ("A", 0, 23, 10),
        ("B", 23, 17, 13),
    ]
    assert _layout(ops.apply_operations(timeline, ops.Slip("V1", 30, -7))) == [
        ("A", 0, 20, 10),
        ("B", 20, 20, 3),
    ]
    three = ops.apply_operations(timeline, ops.Split("V1", 10))
    assert _layout(ops.apply_operations(three, ops.Slide("V1", 12, 2))) == [
        ("A", 0, 12, 10),
        ("A", 12, 10, 20),
        ("B", 22, 18, 12),
    ]


def test_move_and_set_range_and_close_gaps(media: tuple[Path, Path]) -> None:
    timeline = _two_clips(media)
    moved = ops.apply_operations(timeline, ops.Move("V1", 25, 50))
    assert _layout(moved) == [("A", 0, 20, 10), ("gap", 20, 30, 0), ("B", 50, 20, 10)]
    assert _layout(ops.apply_operations(moved, ops.CloseGaps())) == [
        ("A", 0, 20, 10),
        ("B", 20, 20, 10),
    ]
    ranged = ops.apply_operations(timeline, ops.SetRange("V1", 0, 2, 8))
    assert _layout(ranged) == [("A", 0, 6, 2), ("B", 6, 20, 10)]


def test_sync_lock_ripples_every_track(media: tuple[Path, Path]) -> None:
    timeline = _two_clips(media)
    sound = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    sound.append(media_clip(media[0], name="S", rate=RATE, available_frames=60, duration=40))
    timeline.tracks.append(sound)
    result = ops.apply_operations(timeline, ops.Extract("V1", 25, sync=True))
    assert _layout(result, "A1") == [("S", 0, 20, 0)]
    inserted = ops.apply_operations(timeline, ops.Insert("V1", 5, str(media[1]), 0, 3, sync=True))
    assert _layout(inserted, "A1") == [("S", 0, 5, 0), ("gap", 5, 3, 0), ("S", 8, 35, 5)]


def test_transitions_need_handles_and_can_be_removed(media: tuple[Path, Path]) -> None:
    timeline = _two_clips(media)
    dissolved = ops.apply_operations(timeline, ops.AddTransition("V1", 20, 10))
    transition = dissolved.tracks[0][1]
    assert isinstance(transition, otio.schema.Transition)
    assert (transition.in_offset.value, transition.out_offset.value) == (5, 5)
    assert _layout(ops.apply_operations(dissolved, ops.RemoveTransition("V1", 20))) == _layout(
        timeline
    )
    # A starts at its source frame 10: a 30-frame transition needs 15 frames before B's in.
    with pytest.raises(EditError, match="needs 15 frames of B before its in point"):
        ops.apply_operations(timeline, ops.AddTransition("V1", 20, 30))
    with pytest.raises(EditError, match="no cut at 01:00:00:12"):
        ops.apply_operations(timeline, ops.AddTransition("V1", 12, 4))
    with pytest.raises(EditError, match="inside a transition"):
        ops.apply_operations(dissolved, ops.Split("V1", 17))
    wiped = ops.apply_operations(timeline, ops.AddTransition("V1", 20, 6, wipe="clock"))
    assert wiped.tracks[0][1].metadata["postprod"]["wipe"]["pattern"] == "clock"


def test_markers_with_colour_and_note(media: tuple[Path, Path]) -> None:
    timeline = ops.apply_operations(
        _two_clips(media), ops.AddMarker(12, "door slam", "BLUE", "Foley: heavy oak door")
    )
    (marker,) = timeline.tracks.markers
    assert (marker.name, marker.color, marker.comment) == (
        "door slam",
        "BLUE",
        "Foley: heavy oak door",
    )
    assert to_frames(marker.marked_range.start_time, RATE, where="") == 12
    assert not ops.apply_operations(timeline, ops.RemoveMarker("door slam")).tracks.markers
    with pytest.raises(EditError, match="no marker"):
        ops.apply_operations(timeline, ops.RemoveMarker("door slam", at=3))
    with pytest.raises(EditError, match="unknown marker colour"):
        ops.apply_operations(timeline, ops.AddMarker(1, "x", "TARTAN"))


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (ops.Trim("V1", 3, "in", 25), "cannot lose 25"),
        (ops.Slip("V1", 3, -11), "plays outside its media"),
        (ops.Slip("V1", 3, 31), "plays outside its media"),
        (ops.Roll("V1", 20, 35), "cannot lose 35"),
        (ops.Split("V1", 20), "already a cut"),
        (ops.Lift("V1", 99), "has nothing at 01:00:03:24"),
        (ops.Slide("V1", 3, 2), "no neighbour"),
        (ops.Lift("V7", 3), "no track 'V7'"),
    ],
)
def test_refusals_name_the_place_and_leave_the_timeline_alone(
    media: tuple[Path, Path], operation: ops.Operation, message: str
) -> None:
    timeline = _two_clips(media)
    before = otio.adapters.write_to_string(timeline, "otio_json")
    with pytest.raises(EditError, match=message):
        ops.apply_operations(timeline, operation)
    assert otio.adapters.write_to_string(timeline, "otio_json") == before


def test_operations_round_trip_through_their_journal_form() -> None:
    for operation in (
        ops.Trim("V1", 3, "out", -2, sync=True),
        ops.ExtractRange(5, 9, ("V1", "A1")),
        ops.AddMarker(4, "x", "GREEN", "note", 2),
    ):
        data = json.loads(json.dumps(operation.to_dict()))
        assert ops.operation_from_dict(data) == operation
    with pytest.raises(EditError, match="unknown operation"):
        ops.operation_from_dict({"op": "explode"})


#: The verbs operation names start with; a noun alone ("picture", "title") names what
#: its command sets or adds, as the edit commands do.
VERBS = (
    *("add", "remove", "set", "move", "rename", "lock", "clear", "route", "close", "extract"),
    *("jump", "split", "trim", "roll", "slip", "slide", "append", "insert", "overwrite"),
    *("replace", "lift", "link", "unlink", "speed", "freeze", "reverse", "picture", "title"),
    "arm",
    *("create", "cut", "switch", "flatten"),  # multicam
    *("mark", "conform", "lay", "retime"),  # cutting rhythm
)


def _subclasses(kind: type[ops.Operation]) -> list[type[ops.Operation]]:
    """Every operation class a module defines (not the class ``slots=True`` replaced)."""
    found = []
    for sub in kind.__subclasses__():
        if getattr(sys.modules[sub.__module__], sub.__qualname__, None) is sub:
            found.append(sub)
        found += _subclasses(sub)
    return found


def test_operation_names_are_verb_first_unique_and_registered() -> None:
    shape = re.compile(rf"^({'|'.join(VERBS)})(-[a-z0-9]+)*$")
    kinds = {kind for kind in _subclasses(ops.Operation) if "name" in vars(kind)}
    names = sorted(kind.name for kind in kinds)
    assert len(set(names)) == len(names), names
    assert [name for name in names if not shape.match(name)] == []
    assert {ops.OPERATIONS[name] for name in names} == kinds == set(ops.OPERATIONS.values())


# -- properties -------------------------------------------------------------


def _synthetic(lengths: list[int]) -> otio.schema.Timeline:
    """Clips of 100-frame media (no files needed), each used from its frame 20."""
    track = otio.schema.Track(name="V1")
    for index, length in enumerate(lengths):
        track.append(
            media_clip(
                f"m{index}.mov",
                name=f"c{index}",
                rate=RATE,
                available_frames=100,
                source_start=20,
                duration=length,
            )
        )
    timeline = otio.schema.Timeline(name="p")
    timeline.tracks.append(track)
    return timeline


_frames = st.integers(0, 150)
_delta = st.integers(-30, 30)
_operation = st.one_of(
    st.builds(ops.Split, st.just("V1"), _frames),
    st.builds(ops.Lift, st.just("V1"), _frames),
    st.builds(ops.Extract, st.just("V1"), _frames),
    st.builds(ops.Trim, st.just("V1"), _frames, st.sampled_from(["in", "out"]), _delta),
    st.builds(ops.Roll, st.just("V1"), _frames, _delta),
    st.builds(ops.Slip, st.just("V1"), _frames, _delta),
    st.builds(ops.Slide, st.just("V1"), _frames, _delta),
    st.builds(ops.Move, st.just("V1"), _frames, _frames),
    st.builds(ops.AddTransition, st.just("V1"), _frames, st.integers(1, 20)),
    st.builds(ops.RemoveTransition, st.just("V1"), _frames),
    st.builds(ops.CloseGaps),
    st.builds(ops.ExtractRange, _frames, _frames),
)


def _invariants(timeline: otio.schema.Timeline) -> None:
    """What must hold after any edit, checked independently of the validator."""
    for track in timeline.tracks:
        frame = 0
        for slot in slots(track, RATE):
            assert slot.length > 0 and slot.start == frame
            frame = slot.end
            before, after = handles(slot.item, RATE)
            assert (before is None or before >= 0) and (after is None or after >= 0)
        for index, child in enumerate(track):
            if isinstance(child, otio.schema.Transition):
                assert 0 < index < len(track) - 1
                assert not isinstance(track[index - 1], otio.schema.Transition)
                assert not isinstance(track[index + 1], otio.schema.Transition)
    check_timeline(timeline)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=5), st.lists(_operation, max_size=12))
def test_any_sequence_of_edits_keeps_the_timeline_valid(
    lengths: list[int], sequence: list[ops.Operation]
) -> None:
    timeline = _synthetic(lengths)
    for operation in sequence:
        before = otio.adapters.write_to_string(timeline, "otio_json")
        try:
            timeline = ops.apply_operations(timeline, operation)
        except EditError:
            assert otio.adapters.write_to_string(timeline, "otio_json") == before
        _invariants(timeline)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=4), st.lists(_operation, max_size=6))
def test_undo_restores_every_state_exactly_and_redo_replays(
    tmp_path: Path, lengths: list[int], sequence: list[ops.Operation]
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example
    project = folder / "p.otio"
    save_project(_synthetic(lengths), project)
    history = ops.Project(project)
    states = [project.read_bytes()]
    for operation in sequence:
        try:
            history.apply(operation)
        except EditError:
            continue
        states.append(project.read_bytes())
    for state in reversed(states[:-1]):
        history.undo()
        assert project.read_bytes() == state
    with pytest.raises(EditError, match="nothing to undo"):
        history.undo()
    for state in states[1:]:
        history.redo()
        assert project.read_bytes() == state


def test_a_project_changed_outside_the_journal_is_kept_as_a_state(
    tmp_path: Path, media: tuple[Path, Path]
) -> None:
    project = tmp_path / "p.otio"
    save_project(_two_clips(media), project)
    history = ops.Project(project)
    history.apply(ops.Split("V1", 5))
    edited = project.read_bytes()
    timeline = load_project(project)
    timeline.name = "renamed by hand"
    save_project(timeline, project)  # e.g. a crash after the save, or another tool
    by_hand = project.read_bytes()
    history.apply(ops.Split("V1", 10))
    history.undo()
    assert project.read_bytes() == by_hand
    history.undo()
    assert project.read_bytes() == edited
    assert [event.event for event in history.events()] == [
        "edit",
        "outside",
        "edit",
        "undo",
        "undo",
    ]


# -- the rendered result and the command line -------------------------------


def _decode_barcodes(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        return [read_barcode(f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def test_an_edited_project_renders_the_frames_the_edit_says(
    tmp_path: Path, media: tuple[Path, Path]
) -> None:
    project = tmp_path / "p.otio"
    save_project(_two_clips(media), project)
    cli = [str(project)]
    assert main(["edit", *cli, "split", "--track", "V1", "--at", "01:00:00:08"]) == 0
    assert main(["edit", *cli, "slip", "-t", "V1", "--at", "9", "--by", "+20"]) == 0
    assert main(["edit", *cli, "extract", "-t", "V1", "--at", "30"]) == 0
    out = render_project(project, tmp_path / "out.mp4")
    # A 10..17, then A slipped by 20 (38..49); B was extracted.
    assert out.frames == 20
    assert _decode_barcodes(out.path) == [*range(10, 18), *range(38, 50)]


def test_edit_command_line_undo_redo_and_errors(
    tmp_path: Path, media: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.otio"
    save_project(_two_clips(media), project)
    original = project.read_bytes()
    base = ["edit", str(project)]
    assert (
        main(
            [
                *base,
                "insert",
                "-t",
                "V1",
                "--at",
                "01:00:00:05",
                "-m",
                str(media[1]),
                "--in",
                "01:00:01:00",
                "--duration",
                "6",
            ]
        )
        == 0
    )
    assert _layout(load_project(project))[1] == ("B", 5, 6, 25)
    assert main([*base, "add-marker", "--at", "3", "--name", "hit", "--note", "slam"]) == 0
    assert main([*base, "markers"]) == 0
    assert "slam" in capsys.readouterr().out
    assert main(["inspect", str(project), "--json"]) == 0
    (marker,) = json.loads(capsys.readouterr().out)["markers"]
    assert marker == {
        "frame": 3,
        "timecode": "01:00:00:03",
        "name": "hit",
        "colour": "RED",
        "note": "slam",
    }
    assert main([*base, "undo"]) == 0 and main([*base, "undo"]) == 0
    assert project.read_bytes() == original
    assert main([*base, "redo"]) == 0
    assert _layout(load_project(project))[1] == ("B", 5, 6, 25)
    assert main([*base, "redo"]) == 0
    assert [m.name for m in load_project(project).tracks.markers] == ["hit"]
    capsys.readouterr()
    for bad in (
        ["split", "-t", "V1", "--at", "01:00:00:11"],  # already a cut
        ["trim", "-t", "V1", "--at", "2", "--edge", "middle", "--by", "1"],
        ["slip", "-t", "V1", "--at", "2", "--by", "1:2"],
        ["redo"],
    ):
        assert main([*base, *bad]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:") and "\n" not in err and "Traceback" not in err
    assert main(["edit", str(tmp_path / "missing.otio"), "undo"]) == 2


def test_transitions_sit_centred_at_the_start_or_at_the_end_of_a_cut(
    media: tuple[Path, Path],
) -> None:
    timeline = _two_clips(media)

    def offsets(edited: otio.schema.Timeline) -> list[tuple[int, int]]:
        return [
            (int(t.in_offset.value), int(t.out_offset.value))
            for t in edited.tracks[0]
            if isinstance(t, otio.schema.Transition)
        ]

    assert offsets(ops.apply_operations(timeline, ops.AddTransition("V1", 20, 8))) == [(4, 4)]
    start = ops.AddTransition("V1", 20, 8, align="start")
    assert offsets(ops.apply_operations(timeline, start)) == [(0, 8)]
    end = ops.AddTransition("V1", 20, 8, align="end")
    assert offsets(ops.apply_operations(timeline, end)) == [(8, 0)]
    wipe = ops.AddTransition("V1", 20, 8, "clock", softness=0.1, border_px=3)
    wiped = ops.apply_operations(timeline, wipe).tracks[0]
    (edited,) = [t for t in wiped if isinstance(t, otio.schema.Transition)]
    assert wipe_of(edited) == WipeState("clock", 0.1, 3, (0, 0, 0))
    with pytest.raises(EditError, match="alignment"):
        ops.apply_operations(timeline, ops.AddTransition("V1", 20, 8, align="middle"))


def test_a_transition_at_the_end_of_a_track_fades_out_to_black(media: tuple[Path, Path]) -> None:
    faded = ops.apply_operations(_two_clips(media), ops.AddTransition("V1", 40, 10, align="end"))
    assert _layout(faded)[-1] == ("gap", 40, 1, 0)  # one frame of black to fade into
    (fade,) = [t for t in faded.tracks[0] if isinstance(t, otio.schema.Transition)]
    assert (fade.in_offset.value, fade.out_offset.value) == (10, 0)
