"""Random sequences of project, track, mixer, clip and edit operations, through ``Project``:
the project stays valid and readable by plain OpenTimelineIO after every step, a refused
step leaves the file as it was, and undo walks back to the first file byte for byte."""

from __future__ import annotations

import tempfile
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from media_factory import write_video
from postprod import operations as ops
from postprod.errors import PostprodError
from postprod.operations.project import SetTimeline, new_project
from postprod.project import load_project
from postprod.timeline.metadata import clip_state, console_of, strip_of
from postprod.timeline.validate import check_timeline

TRACKS = ("V1", "V2", "A1", "A2", "FX")
BUSES = ("VERB", "MX")


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One second of picture and sound, used by every example (by absolute path)."""
    return write_video(tmp_path_factory.mktemp("media") / "cam.mp4", frames=25)


_track = st.sampled_from(TRACKS)
_audio = st.sampled_from(TRACKS[2:])
_frame = st.integers(0, 45)
_frames = st.integers(1, 20)
_gain = st.floats(-60, 12, allow_nan=False)


def _operations(media: str) -> st.SearchStrategy[ops.Operation]:
    return st.one_of(
        # project and tracks
        st.builds(SetTimeline, st.sampled_from([None, "renamed"]), st.integers(0, 90_000)),
        st.builds(
            ops.AddTrack,
            st.sampled_from(["audio", "video"]),
            _track,
            st.sampled_from([None, "mono", "stereo"]),
        ),
        st.builds(ops.RenameTrack, _track, _track),
        st.builds(ops.RemoveTrack, _track),
        st.builds(ops.MoveTrack, _track, st.integers(1, 3)),
        st.builds(ops.LockTrack, _track, st.booleans()),
        # the console
        st.builds(ops.SetStrip, _audio, _gain, st.floats(-1, 1), st.booleans()),
        st.builds(ops.AddBus, st.sampled_from(BUSES)),
        st.builds(ops.AddSend, _audio, st.sampled_from(BUSES), _gain),
        st.builds(
            ops.AddInsert, _track, st.just("gain"), st.tuples(st.tuples(st.just("gain_db"), _gain))
        ),
        st.builds(ops.AddAutomation, _audio, st.just("gain_db"), _frame, _gain),
        # clips and edits
        st.builds(ops.Append, _track, st.just(media), st.integers(0, 10), st.integers(1, 15)),
        st.builds(ops.Overwrite, _track, _frame, st.just(media), st.integers(0, 10), _frames),
        st.builds(ops.Split, _track, _frame),
        st.builds(ops.Lift, _track, _frame),
        st.builds(ops.Extract, _track, _frame),
        st.builds(ops.Trim, _track, _frame, st.sampled_from(["in", "out"]), st.integers(-5, 5)),
        st.builds(ops.AddTransition, _track, _frame, st.integers(1, 6)),
        st.builds(ops.AddMarker, _frame, st.just("mark")),
        st.builds(ops.ClipGain, _audio, _frame, _gain),
        st.builds(ops.Speed, _track, _frame, st.sampled_from([50.0, 200.0, -100.0])),
    )


def _check(path: Path) -> None:
    """Valid for postprod and readable by plain OTIO (its own JSON reader, no postprod)."""
    plain = otio.adapters.read_from_file(str(path))
    assert isinstance(plain, otio.schema.Timeline)
    timeline = load_project(path)
    check_timeline(timeline)
    console_of(timeline)
    for track in timeline.tracks:
        strip_of(track)
        for clip in track.find_clips():
            clip_state(clip)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_operations_keep_the_project_valid_and_undo_to_the_first_byte(
    tmp_path: Path, media: Path, data: st.DataObject
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example
    path = folder / "p.otio"
    new_project(path, name="property", rate="25", start="10:00:00:00")
    project = ops.Project(path)
    project.apply(  # V1, V2, A1, A2, FX; two clips on V1 and A1
        ops.AddTrack("video", "V2"),
        ops.AddTrack("audio", "FX", "mono"),
        *(ops.Append(track, str(media), 0, 20) for track in ("V1", "V1", "A1", "A1")),
    )
    states = [path.read_bytes()]
    sequence = data.draw(st.lists(_operations(str(media)), max_size=10))
    for operation in sequence:
        try:
            project.apply(operation)
        except PostprodError:
            assert path.read_bytes() == states[-1]  # refused whole: the file as it was
            continue
        _check(path)
        states.append(path.read_bytes())
    for state in reversed(states[:-1]):
        project.undo()
        assert path.read_bytes() == state
    for state in states[1:]:
        project.redo()
        assert path.read_bytes() == state
