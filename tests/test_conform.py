"""Conform: sources of another shape, pixel aspect, frame rate and range meet the timeline's
format. Real files are written and the composed frames and rendered output are looked at."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from composing import composed, video_timeline
from media_factory import write_flat_range
from postprod.cli import main
from postprod.media.video import FITS, Placement, VideoReader
from postprod.operations import Append, SetPicture, apply_operations
from postprod.planner.plan import OutputFormat, plan
from postprod.project import load_project, save_project
from postprod.timeline.metadata import PICTURE_FITS, PictureState, set_picture_state
from postprod.timeline.model import media_clip
from postprod.video import patterns
from postprod.video.patterns import read_barcode

W, H = 320, 180
FPS = Fraction(25)
COLOUR = (200, 60, 30)


def cards(
    path: Path,
    *,
    rate: Fraction = FPS,
    size: tuple[int, int] = (W, H),
    frames: int = 50,
    sample_aspect: Fraction | None = None,
) -> Path:
    """Numbered test cards (the frame index in a barcode) at ``rate`` and ``size``."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        stream.options = {"crf": "12", "preset": "ultrafast"}
        if sample_aspect is not None:
            stream.codec_context.sample_aspect_ratio = sample_aspect
        for index in range(frames):
            picture = patterns.test_card(size[0], size[1], index, COLOUR)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def _clip(name: str, rate: Fraction, frames: int, fit: str | None = None) -> otio.schema.Clip:
    clip = media_clip(Path(name), name=name, rate=rate, available_frames=frames, duration=frames)
    if fit is not None:
        set_picture_state(clip, PictureState(fit=fit))
    return clip


# -- shape -------------------------------------------------------------------------------


def _is_black(region: np.ndarray) -> bool:
    return bool(region.max() <= 2)


def _is_picture(region: np.ndarray) -> bool:
    # (the test writer converts RGB with FFmpeg's default matrix, so allow a shift)
    return bool(np.abs(np.median(region.reshape(-1, 3), axis=0) - COLOUR).max() <= 16)


def _bar(frame: np.ndarray) -> tuple[int, int]:
    """Where the card's moving white bar is on the middle row: first column, width."""
    columns = np.flatnonzero(frame[H // 2, :, 2] > 150)  # blue: 30 on the card, 235 on the bar
    return int(columns[0]), int(columns.size)


def test_a_four_by_three_source_is_pillarboxed_by_default(tmp_path: Path) -> None:
    cards(tmp_path / "sd.mp4", size=(240, 180), frames=10)
    (frame,) = composed(video_timeline([_clip("sd.mp4", FPS, 10)]), tmp_path, [3])
    assert _is_black(frame[:, :39]) and _is_black(frame[:, 281:])  # bars 40 px each side
    assert _is_picture(frame[60:170, 41:279])
    assert read_barcode(frame[:, 40:]) == 3  # the picture starts 40 px in, not scaled
    assert _bar(frame) == (40 + 12, 16)  # frame 3's bar: 12 px in, 16 wide, as drawn


def test_fill_crops_the_overflow_and_stretch_distorts(tmp_path: Path) -> None:
    cards(tmp_path / "sd.mp4", size=(240, 180), frames=10)
    (filled,) = composed(video_timeline([_clip("sd.mp4", FPS, 10, "fill")]), tmp_path, [3])
    assert _is_picture(filled[60:170, :5]) and _is_picture(filled[60:170, -5:])  # no bars
    # scaled by 4/3 to 320x240, 30 rows cut off the top: the barcode rows are gone
    assert not (filled[:8, :, 2] > 150).any()
    start, width = _bar(filled)
    assert abs(start - 16) <= 1 and abs(width - 21) <= 1
    (stretched,) = composed(video_timeline([_clip("sd.mp4", FPS, 10, "stretch")]), tmp_path, [3])
    assert _is_picture(stretched[60:170, :5]) and (stretched[:8, :, 2] > 150).any()  # barcode
    start, width = _bar(stretched)
    assert abs(start - 16) <= 1 and abs(width - 21) <= 1  # widened 4/3, not taller


def test_a_letterboxed_wide_source_and_an_anamorphic_one(tmp_path: Path) -> None:
    cards(tmp_path / "scope.mp4", size=(320, 120), frames=10)  # 2.67:1 in a 16:9 frame
    (wide,) = composed(video_timeline([_clip("scope.mp4", FPS, 10)]), tmp_path, [2])
    assert _is_black(wide[:29]) and _is_black(wide[151:]) and _is_picture(wide[60:140])
    # 240x180 with 4:3 pixels shows 320x180: it fills the frame with no bars
    cards(tmp_path / "ana.mp4", size=(240, 180), frames=10, sample_aspect=Fraction(4, 3))
    with VideoReader(tmp_path / "ana.mp4") as reader:
        assert reader.pixel_aspect == Fraction(4, 3)
        assert reader.placement((W, H), "fit").fills((W, H))
    (ana,) = composed(video_timeline([_clip("ana.mp4", FPS, 10)]), tmp_path, [2])
    assert _is_picture(ana[60:170, :5]) and _is_picture(ana[60:170, -5:])


def test_the_fit_lists_agree() -> None:
    assert PICTURE_FITS == FITS  # the timeline layer's and the media layer's, kept apart


@pytest.mark.parametrize(
    ("source", "fit", "expected"),
    [
        ((1920, 1080), "fit", (1280, 720, 0, 0)),
        ((720, 576), "fit", (900, 720, 190, 0)),  # square-pixel 5:4 pillarboxed
        ((720, 576), "fill", (1280, 1024, 0, -152)),
        ((3840, 1600), "fit", (1280, 534, 0, 93)),  # 2.4:1 letterboxed
        ((640, 480), "stretch", (1280, 720, 0, 0)),
    ],
)
def test_placements(source: tuple[int, int], fit: str, expected: tuple[int, int, int, int]) -> None:
    placed = Placement.of(source, Fraction(1), (1280, 720), fit)
    assert (placed.width, placed.height, placed.x, placed.y) == expected


# -- frame rate ------------------------------------------------------------------------------


def test_fifty_fps_plays_every_other_frame_in_a_25_fps_timeline(tmp_path: Path) -> None:
    cards(tmp_path / "fifty.mp4", rate=Fraction(50), frames=60)
    clip = media_clip(
        Path("fifty.mp4"), name="50", rate=Fraction(50), available_frames=60, source_start=4
    )
    clip.source_range = otio.opentime.TimeRange(
        clip.source_range.start_time, otio.opentime.RationalTime(20, 25)
    )
    frames = composed(video_timeline([clip]), tmp_path, list(range(20)))
    assert [read_barcode(f) for f in frames] == [4 + 2 * j for j in range(20)]


def test_thirty_fps_in_25_takes_the_nearest_frame_and_can_blend(tmp_path: Path) -> None:
    project = tmp_path / "p.otio"
    cards(tmp_path / "thirty.mp4", rate=Fraction(30), frames=60)
    timeline = otio.schema.Timeline("rates", global_start_time=otio.opentime.RationalTime(0, 25))
    timeline.tracks.append(otio.schema.Track("V1", kind=otio.schema.TrackKind.Video))
    save_project(timeline, project)
    # the edit takes a file at another rate: source frames in its rate, length in ours
    media = str(tmp_path / "thirty.mp4")
    assert main(["edit", str(project), "append", "-t", "V1", "-m", media]) == 0
    timeline = load_project(project)
    assert timeline.duration().rescaled_to(25).value == 50  # 60 frames at 30 fps: 50 at 25
    frames = composed(timeline, tmp_path, list(range(50)))
    assert [read_barcode(f) for f in frames] == [round(j * 6 / 5 + 1e-9) for j in range(50)]
    # blended: output frame 1 is 1.2 source frames in, 0.2 of the way from source frame 1
    # to 2; the bar moves 4 px a frame, so columns 20..24 are 20 % bar
    blended = apply_operations(timeline, SetPicture("V1", 0, "full", (("blend_frames", 1.0),)))
    (one,) = composed(blended, tmp_path, [1])
    blue = one[H // 2, :, 2]
    assert (blue[8:20] > 225).all()  # bar in both frames
    assert 0.1 < (blue[20:24].mean() - COLOUR[2]) / (235 - COLOUR[2]) < 0.3
    assert 0.7 < (blue[4:8].mean() - COLOUR[2]) / (235 - COLOUR[2]) < 0.9


def test_a_clip_of_another_rate_keeps_its_sound_in_time(tmp_path: Path) -> None:
    from media_factory import write_video

    write_video(tmp_path / "thirty.mp4", frames=60, rate=Fraction(30))
    timeline = apply_operations(
        video_timeline([_clip("placeholder.mp4", FPS, 1)]),
        Append("V1", "thirty.mp4", 15, 25),
        folder=tmp_path,
    )
    planned = plan(timeline, OutputFormat(W, H, FPS), project_folder=tmp_path)
    (segment,) = [s for s in planned.audio if s.path.endswith("thirty.mp4")]
    assert segment.source_sample == 48000 // 2  # source frame 15 at 30 fps: 0.5 s in
    assert segment.start == 48000 // 25 and segment.length == 48000  # 25 frames at 25 fps


# -- range -----------------------------------------------------------------------------------


@pytest.mark.parametrize("full_range", [False, True])
def test_black_and_white_stay_black_and_white_from_either_range(
    tmp_path: Path, full_range: bool
) -> None:
    """Black and white of a 16-235 or a 0-255 source come out at the output's 16 and 235
    (limited range, as broadcast expects): neither washed out nor crushed."""
    timeline = otio.schema.Timeline("range")
    track = otio.schema.Track("V1", kind=otio.schema.TrackKind.Video)
    for level in (0, 255):
        name = f"level{level}.mkv"
        write_flat_range(tmp_path / name, (level,) * 3, full_range, frames=10)
        track.append(_clip(name, FPS, 10))
    timeline.tracks.append(track)
    project = tmp_path / "range.otio"
    save_project(timeline, project)
    out = tmp_path / "range.mp4"
    assert main(["render", str(project), "-o", str(out)]) == 0
    with av.open(str(out)) as container:
        frames = list(container.decode(video=0))
        assert (frames[0].color_range, frames[0].colorspace) == (1, 1)
        luma = [np.asarray(f.to_ndarray(format="yuv420p"))[:H].mean() for f in frames]
    assert abs(luma[5] - 16) <= 1.5 and abs(luma[15] - 235) <= 1.5
