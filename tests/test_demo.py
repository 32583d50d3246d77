"""`postprod demo`: what it writes, what it says it wrote, and that it writes it the same way twice."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from postprod.audio.adr import features, time_map
from postprod.cli import main
from postprod.demo.production import DemoSettings, run_demo
from postprod.media import read_audio
from postprod.planner.plan import OutputFormat, plan
from postprod.project import History, load_project
from postprod.render.engine import frames_at
from postprod.timeline.metadata import strip_of

SMALL = DemoSettings(
    width=320, height=180, source_frames=60, handle_frames=10, clip_frames=20, transition_frames=8
)


def _sound(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=1)


def _composed(project: Path) -> list[np.ndarray]:
    """Every programme frame as the renderer composes it, before the encoder."""
    timeline = load_project(project)
    planned = plan(timeline, OutputFormat(320, 180, Fraction(25)), project_folder=project.parent)
    return list(frames_at(planned, list(range(planned.frames))))


def test_the_command_lists_every_file_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo-output"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out.replace("\n", "")  # Rich wraps long lines
    written = sorted(p for p in out.iterdir())
    assert {p.name for p in written} >= {
        "camera_A.mp4",
        "camera_B.mp4",
        "camera_C.mp4",
        "dialogue.wav",
        "music.wav",
        "demo.otio",
        "demo.mp4",
        "demo_master.wav",
    }
    assert not [p for p in written if p.name.startswith(".")]  # no temporary left behind
    for path in written:
        assert f"{path}  (" in printed, path
    assert f"{out / 'demo.mp4'}  (" in printed and "12.52 s)" in printed
    # The programme: 313 frames at 25 fps (12.52 s), 640x360, with its sound.
    with av.open(str(out / "demo.mp4")) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert video.frames == 313
    assert abs(_sound(out / "demo.mp4").shape[1] - 313 * 1920) <= 2048  # AAC's last packet


def test_the_demo_is_the_same_every_time(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "one", settings=SMALL)
    second = run_demo(tmp_path / "two", settings=SMALL)
    assert first.project.read_bytes() == second.project.read_bytes()
    for a, b in zip(first.sources, second.sources, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert np.array_equal(_sound(first.programme), _sound(second.programme))
    composed = [_composed(result.project) for result in (first, second)]
    assert all(np.array_equal(x, y) for x, y in zip(*composed, strict=True))
    # And the encoder turns them into the same file (x264 without its AVX-512 code).
    assert first.programme.read_bytes() == second.programme.read_bytes()


def test_the_demo_spots_a_whoosh_to_the_wipe_from_a_marker(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo", settings=SMALL)
    timeline = load_project(result.project)
    (marker,) = timeline.tracks.markers
    wipe_start = 8 + 60 - 4  # SMALL: fade up 8, three 20-frame clips, a 4+4 clock wipe
    assert marker.name == "whoosh" and marker.marked_range.start_time.value == wipe_start
    (fx,) = [track for track in timeline.audio_tracks() if track.name == "FX"]
    (clip,) = [item for item in fx if isinstance(item, otio.schema.Clip)]
    assert fx.range_of_child(clip).start_time.value == wipe_start
    assert clip.name == "whoosh" and (result.project.parent / "spot_1_whoosh.wav").is_file()
    # built step by step through the journal: the spotting is its last step, nothing outside
    events = History(result.project).events()
    assert [event.event for event in events] == ["edit"] * len(events)
    assert events[-1].description == "spot 1 sounds from the markers"


def test_the_demo_dubs_the_line(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo", settings=SMALL)
    timeline = load_project(result.project)
    tracks = {track.name: track for track in timeline.audio_tracks()}
    (guide,) = tracks["dialogue"].find_clips()
    (dubbed,) = tracks["ADR"].find_clips()
    at = tracks["dialogue"].range_of_child(guide).start_time
    assert tracks["ADR"].range_of_child(dubbed).start_time == at
    assert strip_of(tracks["dialogue"]).mute and not strip_of(tracks["ADR"]).mute
    folder = result.project.parent
    production, rate = read_audio(folder / "dialogue.wav")
    take, _ = read_audio(folder / "villain_adr_take.wav")
    aligned, _ = read_audio(folder / "villain_adr.wav")
    assert aligned.shape == production.shape
    guide_features, voiced = features(production[0].astype(np.float64), rate)

    def error_p95_ms(x: np.ndarray) -> float:
        guide_s, other_s = time_map(guide_features, features(x[0].astype(np.float64), rate)[0])
        return float(np.percentile(np.abs(other_s - guide_s)[voiced] * 1000, 95))

    assert error_p95_ms(take) > 60.0 and error_p95_ms(aligned) < 20.0
