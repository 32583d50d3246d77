"""The walking skeleton end to end: timeline -> plan -> render, checked on decoded output."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from postprod.cli import main
from postprod.demo.production import DemoSettings, build_timeline, run_demo
from postprod.errors import RenderError
from postprod.interchange import save_project
from postprod.planner.plan import OutputFormat, RenderPlan, plan
from postprod.render import render
from postprod.video.patterns import read_barcode

SMALL = DemoSettings(
    width=320, height=180, source_frames=60, handle_frames=10, clip_frames=20, transition_frames=8
)
# The edit of build_timeline at SMALL: 8-frame fade up, A 20, B 20 (dissolve of 4+4 into C), C 20
# (clock wipe of 4+4 into A again), A 20 with an 8-frame fade out inside it, one frame of black.
CUT_AB = 8 + 20
DISSOLVE_BC = (8 + 40 - 4, 8)  # start, length
WIPE_CA = (8 + 60 - 4, 8)
PROGRAMME_FRAMES = 8 + 80 + 1


def _decode(path: Path) -> tuple[list[np.ndarray], np.ndarray, int]:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with av.open(str(path)) as container:
        rate = container.streams.audio[0].rate
        sound = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    return frames, sound, rate


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo"), settings=SMALL).programme


def _mean(frame: np.ndarray) -> np.ndarray:
    return frame[40:, :, :].reshape(-1, 3).mean(axis=0)  # below the barcode


def test_frame_count_duration_and_timecode(small_demo: Path) -> None:
    frames, sound, rate = _decode(small_demo)
    assert len(frames) == PROGRAMME_FRAMES
    expected_samples = PROGRAMME_FRAMES * rate // 25
    assert abs(sound.shape[1] - expected_samples) <= 2048  # AAC pads its last packet
    with av.open(str(small_demo)) as container:
        assert container.streams.video[0].metadata.get("timecode") == "01:00:00:00"


def test_every_frame_is_the_source_frame_the_edit_says(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    # After the fade up, A plays from its in point (10); the cut shows B's in point.
    assert [read_barcode(f) for f in frames[8:CUT_AB]] == list(range(10, 30))
    assert [read_barcode(f) for f in frames[CUT_AB : CUT_AB + 16]] == list(range(10, 26))


def test_fade_up_starts_black_and_fade_out_ends_black(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    assert frames[0].max() <= 20  # black (allowing the codec's noise)
    assert frames[-1].max() <= 20
    assert _mean(frames[4]).mean() < _mean(frames[8]).mean()  # half way up


def test_cut_switches_source_colour_on_the_frame(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    a, b = np.array((40, 70, 160)), np.array((190, 110, 40))
    before, after = _mean(frames[CUT_AB - 1]), _mean(frames[CUT_AB])
    assert np.abs(before - a).max() < 25 and np.abs(after - b).max() < 25


def test_dissolve_midpoint_is_the_mean_of_its_sources(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    start, length = DISSOLVE_BC
    b, c = np.array((190, 110, 40)), np.array((50, 150, 80))
    middle = frames[start + length // 2]
    colour = np.median(middle[40:, :150].reshape(-1, 3), axis=0)  # left of the moving bar
    assert np.abs(colour - (b + c) / 2).max() <= 4


def test_clock_wipe_midpoint_shows_each_source_on_its_side(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    start, length = WIPE_CA
    middle = frames[start + length // 2]  # half way: the clock hand points at six
    c, a = np.array((50, 150, 80)), np.array((40, 70, 160))
    right = np.median(middle[100:170, 200:300].reshape(-1, 3), axis=0)  # swept: incoming A
    left = np.median(middle[100:170, 20:120].reshape(-1, 3), axis=0)  # not yet: outgoing C
    assert np.abs(right - a).max() <= 6 and np.abs(left - c).max() <= 6


def test_sound_follows_the_picture(small_demo: Path) -> None:
    _, sound, rate = _decode(small_demo)
    per_frame = rate // 25

    def dominant_hz(first_frame: int) -> float:
        block = sound[0, first_frame * per_frame : (first_frame + 10) * per_frame]
        spectrum = np.abs(np.fft.rfft(block * np.hanning(block.size)))
        return float(np.argmax(spectrum) * rate / block.size)

    assert dominant_hz(12) == pytest.approx(440, abs=6)
    assert dominant_hz(CUT_AB + 2) == pytest.approx(660, abs=6)
    assert dominant_hz(DISSOLVE_BC[0] + 10) == pytest.approx(880, abs=6)


def test_plan_is_plain_data(tmp_path: Path) -> None:
    timeline = build_timeline((Path("A.mp4"), Path("B.mp4"), Path("C.mp4")), SMALL)
    planned = plan(timeline, OutputFormat(320, 180, Fraction(25)), project_folder=tmp_path)
    assert RenderPlan.from_dict(planned.to_dict()) == planned
    assert planned.frames == PROGRAMME_FRAMES
    assert sum(span.length for span in planned.video) == PROGRAMME_FRAMES
    starts = [span.start for span in planned.video]
    assert starts == sorted(starts)


def test_missing_source_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    timeline = build_timeline((Path("A.mp4"), Path("B.mp4"), Path("C.mp4")), SMALL)
    planned = plan(timeline, OutputFormat(320, 180, Fraction(25)), project_folder=tmp_path)
    out = tmp_path / "out.mp4"
    with pytest.raises(RenderError, match=r"A\.mp4"):
        render(planned, out)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_mid_render_leaves_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    run_demo(folder, settings=SMALL)
    (folder / "camera_C.mp4").write_bytes(b"not a video any more")  # breaks half way
    timeline = build_timeline(
        (Path("camera_A.mp4"), Path("camera_B.mp4"), Path("camera_C.mp4")), SMALL
    )
    planned = plan(timeline, OutputFormat(320, 180, Fraction(25)), project_folder=folder)
    out = tmp_path / "programme.mp4"
    with pytest.raises(Exception):  # noqa: B017 - any failure must leave nothing behind
        render(planned, out)
    assert not out.exists()
    assert not any(p.name.startswith(".programme") for p in tmp_path.iterdir())


def test_render_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo"
    run_demo(folder, settings=SMALL)
    out = tmp_path / "again.mp4"
    assert main(["render", str(folder / "demo.otio"), "-o", str(out)]) == 0
    frames, _, _ = _decode(out)
    assert len(frames) == PROGRAMME_FRAMES and frames[0].shape == (180, 320, 3)


def test_render_command_bad_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.otio"
    bad.write_text("{ not json")
    assert main(["render", str(bad), "-o", str(tmp_path / "x.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.otio" in err[0]
    empty = otio.schema.Timeline(name="empty")
    save_project(empty, tmp_path / "empty.otio")
    assert main(["render", str(tmp_path / "empty.otio"), "-o", str(tmp_path / "x.mp4")]) == 2


def test_demo_ends_with_a_checked_r128_master(tmp_path: Path) -> None:
    from postprod.deliver.measure import measure_file
    from postprod.media import read_bext

    result = run_demo(tmp_path / "demo", settings=SMALL)
    assert result.qc.passed
    assert measure_file(result.master).integrated_lufs == pytest.approx(-23.0, abs=0.1)
    bext = read_bext(result.master)
    assert bext is not None and bext.time_reference_samples == 3600 * 48000  # 01:00:00:00
    html_report = next(p for p in result.reports if p.suffix == ".html")
    assert "PASSED" in html_report.read_text()


def test_burn_in_digits_change_every_frame(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    demo = run_demo(folder, settings=SMALL)
    out = tmp_path / "burnt.mp4"
    assert main(["render", str(demo.project), "-o", str(out), "--burn-in"]) == 0
    frames, _, _ = _decode(out)
    boxes = [f[150:180, 100:220].astype(int) for f in frames[10:14]]  # the timecode box
    for before, after in itertools.pairwise(boxes):
        assert np.abs(after - before).max() > 100  # a digit changed
    plain, _, _ = _decode(demo.programme)
    assert (
        np.abs(frames[20][:100].astype(int) - plain[20][:100]).mean() < 2
    )  # picture untouched above


def test_contact_sheet_shows_every_span(tmp_path: Path) -> None:
    from PIL import Image

    from postprod.render.contact import contact_sheet

    timeline = build_timeline(
        (Path("camera_A.mp4"), Path("camera_B.mp4"), Path("camera_C.mp4")), SMALL
    )
    demo = run_demo(tmp_path / "demo", settings=SMALL)
    planned = plan(
        timeline, OutputFormat(320, 180, Fraction(25)), project_folder=demo.project.parent
    )
    sheet = np.asarray(
        Image.open(contact_sheet(planned, tmp_path / "sheet.png", columns=3, thumb_width=160))
    )
    spans = len(planned.video)
    rows = -(-spans // 3)
    assert sheet.shape == (rows * (90 + 4) + 4, 3 * (160 + 4) + 4, 3)
    second = sheet[4 + 50, 4 + 164 + 80]  # the second span: camera A, its blue
    assert np.abs(second.astype(int) - (40, 70, 160)).max() < 30


def test_a_title_card_then_a_cut(tmp_path: Path) -> None:
    from postprod.planner.plan import TITLE_KIND
    from postprod.timeline.model import media_clip, rational_time

    demo = run_demo(tmp_path / "demo", settings=SMALL)
    fps = Fraction(25)
    title = otio.schema.Clip(
        name="main title",
        media_reference=otio.schema.GeneratorReference(
            generator_kind=TITLE_KIND, parameters={"text": "POSTPROD\nthe demo"}
        ),
        source_range=otio.opentime.TimeRange(rational_time(0, fps), rational_time(10, fps)),
    )
    track = otio.schema.Track("V1")
    track.append(title)
    track.append(
        media_clip(
            Path("camera_B.mp4"),
            name="B",
            rate=fps,
            available_frames=60,
            source_start=10,
            duration=10,
        )
    )
    timeline = otio.schema.Timeline("titled")
    timeline.tracks.append(track)
    planned = plan(timeline, OutputFormat(320, 180, fps), project_folder=demo.project.parent)
    assert RenderPlan.from_dict(planned.to_dict()) == planned
    frames, _, _ = _decode(render(planned, tmp_path / "titled.mp4").path)
    assert len(frames) == 20
    card = frames[5].mean(axis=2)
    assert (
        card[:40].max() < 30 and card[60:120, 100:220].max() > 200
    )  # black, white text in the middle
    assert np.abs(_mean(frames[10]) - (190, 110, 40)).max() < 25  # the cut to camera B
