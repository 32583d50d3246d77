"""The walking skeleton end to end: timeline -> plan -> render, checked on decoded output."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from media_factory import write_flat_range
from postprod.cli import main
from postprod.demo.production import SOURCES, DemoSettings, make_project, run_demo, write_source
from postprod.demo.sound import write_sounds
from postprod.errors import EditError, RenderError
from postprod.media.video import VideoReader
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.planner.plan import OutputFormat, RenderPlan, plan
from postprod.project import load_project, save_project
from postprod.render import render
from postprod.video import patterns
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
# V2: camera B in the right half while C plays alone; a lower third over A again, faded 2+2.
SPLIT = (53, 10)
TITLE = (72, 8)


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


def test_split_screen_shows_c_on_the_left_and_b_on_the_right(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    b, c = np.array((190, 110, 40)), np.array((50, 150, 80))
    start, length = SPLIT
    for index in (start, start + length - 1):
        left = np.median(frames[index][60:, 10:60].reshape(-1, 3), axis=0)
        right = np.median(frames[index][60:, 260:310].reshape(-1, 3), axis=0)
        assert np.abs(left - c).max() <= 6 and np.abs(right - b).max() <= 6
    for index in (start - 1, start + length):  # C alone either side
        right = np.median(frames[index][60:, 260:310].reshape(-1, 3), axis=0)
        assert np.abs(right - c).max() <= 6


def test_the_lower_third_fades_in_and_out_over_a(small_demo: Path) -> None:
    frames, _, _ = _decode(small_demo)
    start, length = TITLE
    band = (slice(round(180 * 0.6), round(180 * 0.9)), slice(32, 110))

    def letters(index: int) -> float:
        """How white the whitest letters are (the brightest 1 % of the band, all channels)."""
        return float(np.percentile(frames[index][band].mean(axis=2), 99))

    assert letters(start - 1) < 150 and letters(start + length) < 150  # none either side
    assert letters(start + 2) > 230 and letters(start + length - 3) > 230  # on, after 2 frames
    assert 200 > letters(start + 1) > letters(start - 1) + 30  # fading in


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


def _small_project(folder: Path) -> Path:
    """The demo's project at SMALL, without rendering it."""
    folder.mkdir()
    sources = tuple(write_source(folder / f"camera_{s.name}.mp4", s, SMALL) for s in SOURCES)
    sounds = write_sounds(folder, sample_rate=48000, line_s=0.6, music_s=4.0)
    return make_project(folder / "small.otio", sources, sounds, SMALL).path


def test_plan_is_plain_data(tmp_path: Path) -> None:
    timeline = load_project(_small_project(tmp_path / "project"))
    planned = plan(
        timeline, OutputFormat(320, 180, Fraction(25)), project_folder=tmp_path / "project"
    )
    assert RenderPlan.from_dict(planned.to_dict()) == planned
    assert planned.frames == PROGRAMME_FRAMES
    assert sum(span.length for span in planned.video) == PROGRAMME_FRAMES
    starts = [span.start for span in planned.video]
    assert starts == sorted(starts)


def test_missing_source_is_refused_when_strict_and_nothing_is_written(tmp_path: Path) -> None:
    project = _small_project(tmp_path / "project")
    (project.parent / "camera_A.mp4").unlink()
    timeline = load_project(project)
    planned = plan(timeline, OutputFormat(320, 180, Fraction(25)), project_folder=project.parent)
    out = tmp_path / "out" / "out.mp4"
    out.parent.mkdir()
    with pytest.raises(RenderError, match=r"camera_A\.mp4"):
        render(planned, out, strict=True)
    assert list(out.parent.iterdir()) == []


def test_missing_media_renders_as_a_media_offline_slate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_demo(tmp_path / "demo", settings=SMALL)
    (demo.project.parent / "camera_B.mp4").unlink()
    strict = tmp_path / "strict.mp4"
    assert main(["render", str(demo.project), "-o", str(strict), "--strict"]) == 2
    assert "camera_B.mp4" in capsys.readouterr().err and not strict.exists()
    out = tmp_path / "offline.mp4"
    assert main(["render", str(demo.project), "-o", str(out)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert any("camera_B.mp4" in line and "MEDIA OFFLINE" in line for line in warnings)
    frames, _, _ = _decode(out)
    assert len(frames) == PROGRAMME_FRAMES
    red, green, blue = _mean(frames[CUT_AB + 5])  # B's shot: the slate, red with white text
    assert red > 120 and green < 60 and blue < 60
    assert _mean(frames[CUT_AB - 5])[0] < 200  # A's shot still shows A


def test_a_failure_mid_render_leaves_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    demo = run_demo(folder, settings=SMALL)
    (folder / "camera_C.mp4").write_bytes(b"not a video any more")  # breaks half way
    timeline = load_project(demo.project)
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

    demo = run_demo(tmp_path / "demo", settings=SMALL)
    timeline = load_project(demo.project)
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
    from postprod.timeline.build import TITLE_KIND
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


# -- a range of the programme -------------------------------------------------------------


def test_a_range_renders_the_frames_and_sound_the_whole_render_has_there(
    small_demo: Path, tmp_path: Path
) -> None:
    project = small_demo.parent / "demo.otio"
    out = tmp_path / "range.mp4"
    # 01:00:00:20 is programme frame 20; the range crosses the A/B cut at frame 28.
    assert main(["render", str(project), "-o", str(out), "--range", "01:00:00:20-01:00:01:10"]) == 0
    frames, sound, rate = _decode(out)
    whole, whole_sound, _ = _decode(small_demo)
    assert len(frames) == 15
    assert [read_barcode(f) for f in frames] == [read_barcode(f) for f in whole[20:35]]
    with av.open(str(out)) as container:
        assert container.streams.video[0].metadata.get("timecode") == "01:00:00:20"
    offset = 20 * rate // 25  # the range's first sample in the whole programme
    ours = sound[:, 2048 : 12 * rate // 25]
    theirs = whole_sound[:, offset + 2048 : offset + 12 * rate // 25]
    assert np.sqrt(np.mean((ours - theirs) ** 2)) < 0.02 * np.sqrt(np.mean(theirs**2))


def test_a_range_in_plain_frames_and_in_the_plan(small_demo: Path) -> None:
    from postprod.planner.plan import FrameRange
    from postprod.project import load_project

    folder = small_demo.parent
    timeline = load_project(folder / "demo.otio")
    planned = plan(
        timeline,
        OutputFormat(320, 180, Fraction(25)),
        project_folder=folder,
        frame_range=FrameRange(40, 10),
    )
    assert RenderPlan.from_dict(planned.to_dict()) == planned
    assert planned.output_range == FrameRange(40, 10)
    with pytest.raises(EditError, match="past the programme's end"):
        planned.with_range(FrameRange(80, 20))


@pytest.mark.parametrize(
    "text",
    [
        "01:00:01:00-01:00:00:00",
        "10",
        "00:59:59:00-01:00:01:00",
        "01:00:00:30-01:00:01:00",
        "5-500",
    ],
)
def test_a_bad_range_is_one_line_and_status_2(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    out = tmp_path / "x.mp4"
    assert (
        main(["render", str(small_demo.parent / "demo.otio"), "-o", str(out), "--range", text]) == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "range" in err[0]
    assert not out.exists()


@settings(max_examples=60, deadline=None)
@given(
    rate_text=st.sampled_from(["24", "25", "29.97", "30", "23.976", "59.94", "50"]),
    start_tc=st.integers(0, 1_000_000),
    first=st.integers(0, 100_000),
    length=st.integers(1, 100_000),
)
def test_range_timecodes_and_frames_agree(
    rate_text: str, start_tc: int, first: int, length: int
) -> None:
    from postprod.planner.plan import FrameRange
    from postprod.planner.ranges import parse_frame_range
    from postprod.timecode import FrameRate, frames_to_label

    rate = FrameRate.parse(rate_text)
    labels = [frames_to_label(start_tc + f, rate) for f in (first, first + length)]
    assume(start_tc + first + length < rate.frames_per_day)
    assert parse_frame_range("-".join(labels), rate, start_tc) == FrameRange(first, length)
    assert parse_frame_range(f"{first}-{first + length}", rate, start_tc) == FrameRange(
        first, length
    )


# -- decoding and encoding ---------------------------------------------------------------


def _cards(path: Path, frames: int, *, gop: int = 12) -> Path:
    spec = VideoSpec(
        320, 180, Fraction(30000, 1001), options={"crf": "18", "preset": "veryfast", "g": str(gop)}
    )
    with MediaWriter(path, video=spec) as writer:
        for index in range(frames):
            writer.write_video(patterns.test_card(320, 180, index, (40, 70, 160)))
    return path


def test_reader_is_frame_exact_forward_and_after_seeks(tmp_path: Path) -> None:
    path = _cards(tmp_path / "cards.mp4", 60)
    with VideoReader(path) as reader:
        assert reader.frame_rate == Fraction(30000, 1001)
        assert reader.size == (320, 180) and reader.frame_count == 60
        seeks = 0
        seek = reader._seek

        def counting(start: int) -> None:
            nonlocal seeks
            seeks += 1
            seek(start)

        reader._seek = counting  # type: ignore[method-assign]
        assert [read_barcode(f) for f in reader.frames(37, 5)] == [37, 38, 39, 40, 41]
        assert [read_barcode(f) for f in reader.frames(42, 3)] == [42, 43, 44]  # continues
        assert seeks == 1
        assert [read_barcode(f) for f in reader.frames(5, 2)] == [5, 6]  # back: seeks
        assert [read_barcode(f) for f in reader.frames(58, 4)] == [58, 59, 59, 59]  # holds
        assert seeks == 3
        small = next(reader.frames(10, 1, size=(160, 90)))
        assert small.shape == (90, 160, 3)


@pytest.mark.parametrize("full_range", [False, True])
def test_reader_expands_each_range_to_the_same_rgb(tmp_path: Path, full_range: bool) -> None:
    colour = (200, 30, 90)
    path = write_flat_range(tmp_path / "flat.mkv", colour, full_range)
    with VideoReader(path) as reader:
        frame = next(reader.frames(1, 1))
    assert np.abs(frame.reshape(-1, 3).mean(axis=0) - colour).max() < 3


def test_writer_tags_bt709_limited_and_keeps_colours(tmp_path: Path) -> None:
    path = _cards(tmp_path / "cards.mp4", 3)
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        assert (frame.colorspace, frame.color_range) == (1, 1)
        assert container.streams.video[0].codec_context.color_primaries == 1
    with VideoReader(path) as reader:
        assert np.abs(_mean(next(reader.frames(0, 1))) - (40, 70, 160)).max() < 3


def test_writer_leaves_nothing_when_the_block_fails(tmp_path: Path) -> None:
    out = tmp_path / "x.mp4"
    with pytest.raises(RuntimeError), MediaWriter(out, audio=AudioSpec()) as writer:
        writer.write_audio(np.zeros((2, 4800), np.float32))
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


# -- several video tracks ----------------------------------------------------------------


def test_an_upper_track_covers_the_lower_and_its_gaps_let_it_through(
    small_demo: Path, tmp_path: Path
) -> None:
    from postprod.timeline.model import media_clip, rational_time

    fps = Fraction(25)

    def clip(name: str, start: int, length: int) -> otio.schema.Clip:
        path = Path(f"camera_{name}.mp4")
        return media_clip(
            path, name=name, rate=fps, available_frames=60, source_start=start, duration=length
        )

    def gap(length: int) -> otio.schema.Gap:
        return otio.schema.Gap(
            source_range=otio.opentime.TimeRange(rational_time(0, fps), rational_time(length, fps))
        )

    lower = otio.schema.Track("V1")
    lower.append(clip("A", 10, 40))
    upper = otio.schema.Track("V2")
    upper.extend([gap(10), clip("B", 10, 14)])
    upper.append(
        otio.schema.Transition(  # B dissolves away to the picture below: frames 20-27
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=rational_time(4, fps),
            out_offset=rational_time(4, fps),
        )
    )
    upper.append(gap(16))
    timeline = otio.schema.Timeline("layers")
    timeline.tracks.extend([lower, upper])
    planned = plan(timeline, OutputFormat(320, 180, fps), project_folder=small_demo.parent)
    assert len(planned.overlays) == 1
    assert RenderPlan.from_dict(planned.to_dict()) == planned
    frames, _, _ = _decode(render(planned, tmp_path / "layers.mp4").path)
    a, b = np.array((40, 70, 160)), np.array((190, 110, 40))
    assert len(frames) == 40
    assert [read_barcode(f) for f in frames[:10]] == list(range(10, 20))  # V2's gap: A shows
    assert [read_barcode(f) for f in frames[10:20]] == list(range(10, 20))  # B covers A
    assert np.abs(_mean(frames[9]) - a).max() < 25 and np.abs(_mean(frames[10]) - b).max() < 25
    middle = np.median(frames[24][40:, :150].reshape(-1, 3), axis=0)
    assert np.abs(middle - (a + b) / 2).max() <= 6  # half way through B dissolving to A
    assert [read_barcode(f) for f in frames[28:]] == list(range(38, 50))  # A again


# -- the OTIO boundary -------------------------------------------------------------------


def test_otio_times_convert_to_whole_frames_exactly_or_are_refused() -> None:
    from postprod.timeline.model import to_frames

    ntsc = Fraction(24000, 1001)
    day = 24 * 3600 * 24  # a day of frames at 23.976, from a file that wrote the rate rounded
    assert to_frames(otio.opentime.RationalTime(day, 23.976), ntsc, where="x") == day
    assert to_frames(otio.opentime.RationalTime(day, float(ntsc)), ntsc, where="x") == day
    assert to_frames(otio.opentime.RationalTime(3600, 25), Fraction(50), where="x") == 7200
    with pytest.raises(EditError, match="clip B"):  # half a frame, an hour in
        to_frames(otio.opentime.RationalTime(90_000.5, 25), Fraction(25), where="clip B")
    with pytest.raises(EditError, match="not a whole frame"):
        to_frames(otio.opentime.RationalTime(1, 50), Fraction(25), where="clip C")


def test_a_project_built_from_files_renders_the_frames_it_names(
    small_demo: Path, tmp_path: Path
) -> None:
    from postprod.errors import PostprodError
    from postprod.project import load_project
    from postprod.timeline.build import clip_from_media, timeline_of

    folder = small_demo.parent
    a = clip_from_media(folder / "camera_A.mp4", source_start=5, duration=10)
    b = clip_from_media(folder / "camera_B.mp4", source_start=30, duration=5)
    # In the file's own timecode, as editing systems write it: 01:00:00:00 is frame 90000.
    assert a.media_reference.available_range.start_time.value == 90_000
    assert a.source_range.start_time.value == 90_005
    project = save_project(timeline_of([a, b], name="cut", start_frame=90_000), tmp_path / "p.otio")
    assert main(["render", str(project), "-o", str(tmp_path / "cut.mp4")]) == 0
    frames, _, _ = _decode(tmp_path / "cut.mp4")
    assert [read_barcode(f) for f in frames] == [*range(5, 15), *range(30, 35)]
    assert load_project(project).tracks[0][0].media_reference.available_range.duration.value == 60
    with pytest.raises(PostprodError, match="outside the 60 frames"):
        clip_from_media(folder / "camera_A.mp4", source_start=55, duration=10)


def test_a_plan_of_typed_settings_round_trips_through_json() -> None:
    import json
    from typing import get_args

    from postprod.effects.registry import EffectSpec
    from postprod.planner import plan as plan_module
    from postprod.planner.plan import AudioSegment, Source, TrackPlan, VideoSpan, WipeSettings
    from postprod.timeline.build import TITLE_STYLES
    from postprod.timeline.metadata import (
        CLIP_FADE_CURVES,
        PICTURE_FITS,
        SPEED_MODES,
        TRANSITION_PATTERNS,
    )
    from postprod.video.transform import Transform

    # the plan's Literal enums are the lists the timeline checks edits against
    assert plan_module.PATTERNS == TRANSITION_PATTERNS == get_args(plan_module.TransitionPattern)
    assert plan_module.FITS == PICTURE_FITS == get_args(plan_module.Fit)
    assert plan_module.STYLES == TITLE_STYLES == get_args(plan_module.TitleStyle)
    assert plan_module.SPEED_MODES == SPEED_MODES == get_args(plan_module.SpeedMode)
    assert plan_module.FADE_CURVES == CLIP_FADE_CURVES == get_args(plan_module.FadeCurve)
    assert get_args(plan_module.TransitionKind) == plan_module.TRANSITION_KINDS

    placed = Transform(scale=0.5, x=0.25, crop_left=0.1)
    a = Source("a.mp4", 10, transform=placed, fit="fill")
    b = Source("", 0, title="Hello", title_style="lower-third")
    wipe = WipeSettings("dip", colour=(255, 255, 255))
    segment = AudioSegment(
        "a.wav", 0, 0, 4800, fade_curve="s-curve", fade_out_curve="logarithmic",
        effects=(EffectSpec.of("compressor", ratio=4.0),), speed=0.5, speed_mode="stretch",
    )  # fmt: skip
    planned = RenderPlan(
        OutputFormat(),
        25,
        (VideoSpan(0, 25, a, b, "wipe", "a>b", wipe),),
        (TrackPlan("A1", (segment,)),),
    )
    again = RenderPlan.from_dict(json.loads(json.dumps(planned.to_dict())))
    assert again == planned and again.video[0].wipe == wipe
    data = planned.to_dict()
    data["video"][0]["wipe"]["pattern"] = "star"
    with pytest.raises(RenderError, match="unknown transition pattern 'star'"):
        RenderPlan.from_dict(data)
