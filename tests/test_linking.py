"""Linked clips: a picture and its sound move, trim, split and delete together, unless unlinked."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from media_factory import tone, write_video, write_wav
from postprod import operations as ops
from postprod.audio.align import SyncResult
from postprod.cli import main
from postprod.errors import EditError
from postprod.planner.plan import OutputFormat, plan
from postprod.project import load_project, save_project
from postprod.timeline.metadata import ClipState, clip_state, link_of, set_clip_state, set_link
from postprod.timeline.model import media_clip
from postprod.timeline.slots import find_track, slots
from postprod.timeline.validate import check_timeline
from postprod.timeline.warps import time_scalar
from postprod.workflows.sync import synced_project

RATE = Fraction(25)
AUDIO = otio.schema.TrackKind.Audio


def _clip(name: str, length: int, first: int = 20) -> otio.schema.Clip:
    """A clip of 100-frame media (no file needed) from source frame ``first``."""
    return media_clip(
        f"{name}.mov", name=name, rate=RATE, available_frames=100, source_start=first,
        duration=length,
    )  # fmt: skip


def _pairs(lengths: list[int]) -> otio.schema.Timeline:
    """Clips on V1 and the same clips on A1, each pair linked (link-1, link-2, ...)."""
    timeline = otio.schema.Timeline("linked")
    picture = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    sound = otio.schema.Track("A1", kind=AUDIO)
    for index, length in enumerate(lengths):
        clip = _clip(f"c{index}", length)
        set_link(clip, f"link-{index + 1}")
        picture.append(clip)
        sound.append(clip.deepcopy())
    timeline.tracks.extend([picture, sound])
    return timeline


def _layout(timeline: otio.schema.Timeline, track: str) -> list[tuple[str, int, int, int]]:
    """(link or "gap", record start, length, source in) per item of a track."""
    found = []
    for slot in slots(find_track(timeline, track), RATE):
        if slot.is_gap:
            found.append(("gap", slot.start, slot.length, 0))
        else:
            first = int(slot.item.source_range.start_time.value)
            found.append((link_of(slot.item) or "-", slot.start, slot.length, first))
    return found


# -- each operation, linked and --unlinked ------------------------------------------


@pytest.mark.parametrize(
    ("operation", "picture"),
    [
        (ops.Move("V1", 0, 40), [("gap", 0, 10, 0), ("link-2", 10, 20, 20), ("gap", 30, 10, 0),
                                 ("link-1", 40, 10, 20)]),
        (ops.Trim("V1", 12, "in", 5), [("link-1", 0, 10, 20), ("link-2", 10, 15, 25)]),
        (ops.Trim("V1", 2, "out", -4), [("link-1", 0, 6, 20), ("link-2", 6, 20, 20)]),
        (ops.Roll("V1", 10, 3), [("link-1", 0, 13, 20), ("link-2", 13, 17, 23)]),
        (ops.Slip("V1", 12, 7), [("link-1", 0, 10, 20), ("link-2", 10, 20, 27)]),
        (ops.Split("V1", 15), [("link-1", 0, 10, 20), ("link-2", 10, 5, 20),
                               ("link-2", 15, 15, 25)]),
        (ops.Lift("V1", 3), [("gap", 0, 10, 0), ("link-2", 10, 20, 20)]),
        (ops.Extract("V1", 3), [("link-2", 0, 20, 20)]),
    ],
    ids=["move", "trim-in", "trim-out", "roll", "slip", "split", "lift", "extract"],
)  # fmt: skip
def test_linked_sound_follows_its_picture_and_stays_when_unlinked(
    operation: ops.Operation, picture: list[tuple[str, int, int, int]]
) -> None:
    timeline = _pairs([10, 20])
    linked = ops.apply_operations(timeline, operation)
    assert _layout(linked, "V1") == picture
    assert _layout(linked, "A1") == picture  # the same change, at the same record frames
    alone = ops.apply_operations(timeline, replace(operation, linked=False))
    assert _layout(alone, "V1") == picture
    assert _layout(alone, "A1") == _layout(timeline, "A1")  # the sound did not move


def test_acting_on_the_sound_moves_the_picture_too() -> None:
    moved = ops.apply_operations(_pairs([10, 20]), ops.Move("A1", 12, 35))
    assert _layout(moved, "V1") == _layout(moved, "A1")
    assert ("link-2", 35, 20, 20) in _layout(moved, "V1")


def test_link_and_unlink_from_the_command_line(tmp_path: Path) -> None:
    timeline = _pairs([10, 20])
    for clip in timeline.find_clips():
        set_link(clip, None)
    project = save_project(timeline, tmp_path / "p.otio")
    original = project.read_bytes()
    base = ["edit", str(project)]
    assert main([*base, "link", "-t", "V1", "-t", "A1", "--at", "12"]) == 0
    assert [link_of(c) for c in load_project(project).find_clips()] == [None, "link-1"] * 2
    assert main([*base, "move", "-t", "V1", "--at", "12", "--to", "40"]) == 0
    assert _layout(load_project(project), "A1")[-1] == ("link-1", 40, 20, 20)
    assert main([*base, "move", "-t", "A1", "--at", "40", "--to", "42", "--unlinked"]) == 0
    after = load_project(project)
    assert _layout(after, "V1")[-1] == ("link-1", 40, 20, 20)
    assert _layout(after, "A1")[-1] == ("link-1", 42, 20, 20)
    assert main([*base, "unlink", "-t", "A1", "--at", "45"]) == 0
    assert [link_of(c) for c in load_project(project).find_clips()] == [None] * 4
    assert main([*base, "link", "-t", "V1", "--at", "0", "-t", "V1", "--at", "45"]) == 2
    assert main([*base, "link", "-t", "V1", "--at", "0", "-t", "A1", "--at", "45"]) == 2
    assert main([*base, "link", "-t", "V1", "-t", "A1", "--at", "0", "--at", "1", "--at", "2"]) == 2
    for _ in range(4):
        assert main([*base, "undo"]) == 0
    assert project.read_bytes() == original
    assert main([*base, "redo"]) == 0
    assert [link_of(c) for c in load_project(project).find_clips()] == [None, "link-1"] * 2


def test_freeze_puts_silence_under_the_frame_in_the_linked_sound() -> None:
    frozen = ops.apply_operations(_pairs([10, 20]), ops.Freeze("V1", 15, 4))
    assert _layout(frozen, "V1") == [
        ("link-1", 0, 10, 20),
        ("link-2", 10, 5, 20),
        ("-", 15, 4, 25),  # the freeze frame: of source frame 25, linked to nothing
        ("link-2", 19, 15, 25),
    ]
    assert _layout(frozen, "A1") == [
        ("link-1", 0, 10, 20),
        ("link-2", 10, 5, 20),
        ("gap", 15, 4, 0),
        ("link-2", 19, 15, 25),
    ]


# -- replace keeps sync -----------------------------------------------------------------


def test_replace_keeps_the_slip_the_drift_correction_and_the_link(tmp_path: Path) -> None:
    for name in ("take1.wav", "take2.wav"):
        write_wav(tmp_path / name, tone(48000 * 4, 48000, 440.0))
    timeline = _pairs([50])
    recorder = otio.schema.Track("A2", kind=AUDIO)
    take = media_clip(Path("take1.wav"), name="take1", rate=RATE, available_frames=100,
                      source_start=3, duration=50)  # fmt: skip
    set_clip_state(take, ClipState(slip_s=0.013, speed_mode="stretch"))
    take.effects.append(otio.schema.LinearTimeWarp(time_scalar=1.0001))
    set_link(take, "link-1")
    recorder.append(take)
    timeline.tracks.append(recorder)
    project = save_project(timeline, tmp_path / "p.otio")
    assert main(["edit", str(project), "replace", "-t", "A2", "--at", "5", "-m",
                 str(tmp_path / "take2.wav"), "--in", "3"]) == 0  # fmt: skip
    (new,) = find_track(load_project(project), "A2").find_clips()
    assert new.name == "take2"
    assert clip_state(new).slip_s == pytest.approx(0.013)
    assert clip_state(new).speed_mode == "stretch"
    assert float(time_scalar(new)) == pytest.approx(1.0001)
    assert link_of(new) == "link-1"
    # the plan reads it as it read the old take: the same sample, at the same speed
    planned = plan(load_project(project), OutputFormat(), project_folder=tmp_path)
    (segment,) = planned.tracks[-1].segments
    assert segment.source_sample == 3 * 1920 + round(0.013 * 48000)
    assert segment.speed == pytest.approx(1.0001)
    assert segment.speed_mode == "stretch"


# -- sync -o links what it places --------------------------------------------------------


def test_a_synced_project_moves_its_recordings_with_the_camera(tmp_path: Path) -> None:
    camera = write_video(tmp_path / "cam.mp4", frames=50)
    recording = write_wav(tmp_path / "rec.wav", tone(48000 * 3, 48000, 440.0))
    result = SyncResult(offset_s=0.13, drift_ppm=20.0, confidence=1.0)
    project = synced_project(camera, [(recording, result)], tmp_path / "synced.otio")
    timeline = load_project(project)
    assert {link_of(clip) for clip in timeline.find_clips()} == {"link-1"}
    recorder = timeline.tracks[2]
    before = [(s.start, s.length) for s in slots(recorder, RATE) if not s.is_gap]
    assert main(["edit", str(project), "move", "-t", "V1", "--at", "0", "--to", "25"]) == 0
    moved = load_project(project)
    assert [(s.start, s.length) for s in slots(moved.tracks[2], RATE) if not s.is_gap] == [
        (start + 25, length) for start, length in before
    ]
    (clip,) = moved.tracks[2].find_clips()
    assert clip_state(clip).slip_s == pytest.approx(clip_state(recorder[1]).slip_s)


# -- the property: linked pairs stay together -------------------------------------------


def _ranges(timeline: otio.schema.Timeline, track: str) -> list[tuple[str, int, int]]:
    return sorted(
        (link_of(s.item) or "-", s.start, s.end)
        for s in slots(find_track(timeline, track), RATE)
        if not s.is_gap
    )


_track = st.sampled_from(["V1", "A1"])
_frames = st.integers(0, 120)
_delta = st.integers(-20, 20)
_linked_operation = st.one_of(
    st.builds(ops.Move, _track, _frames, _frames),
    st.builds(ops.Trim, _track, _frames, st.sampled_from(["in", "out"]), _delta),
    st.builds(ops.Split, _track, _frames),
    st.builds(ops.Lift, _track, _frames),
    st.builds(ops.Extract, _track, _frames),
    st.builds(ops.Roll, _track, _frames, _delta),
    st.builds(ops.Slip, _track, _frames, _delta),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=4), st.lists(_linked_operation,
                                                                       max_size=10))  # fmt: skip
def test_any_edits_of_linked_pairs_keep_them_at_equal_record_ranges(
    lengths: list[int], sequence: list[ops.Operation]
) -> None:
    timeline = _pairs(lengths)
    for operation in sequence:
        before = otio.adapters.write_to_string(timeline, "otio_json")
        try:
            timeline = ops.apply_operations(timeline, operation)
        except EditError:
            assert otio.adapters.write_to_string(timeline, "otio_json") == before
        assert _ranges(timeline, "V1") == _ranges(timeline, "A1")
        check_timeline(timeline)


def test_link_refusals(tmp_path: Path) -> None:
    timeline = _pairs([10, 20])
    with pytest.raises(EditError, match="two clips or more"):
        ops.apply_operations(timeline, ops.Link((("V1", 0),)))
    with pytest.raises(EditError, match="share no record frame"):
        ops.apply_operations(timeline, ops.Link((("V1", 0), ("A1", 15))))
    with pytest.raises(EditError, match="not linked"):
        ops.apply_operations(
            ops.apply_operations(timeline, ops.Unlink("V1", 0)), ops.Unlink("A1", 0)
        )
