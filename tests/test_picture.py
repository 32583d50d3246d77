"""Picture: split screens, quads, picture-in-picture with opacity, and time warps on picture."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from composing import composed, video_timeline
from media_factory import frame_value, write_video
from postprod.cli import main
from postprod.project import load_project, save_project
from postprod.timeline.metadata import PICTURE_LAYOUTS, picture_state, set_picture_state
from postprod.timeline.model import media_clip

FPS = Fraction(25)
W, H = 320, 180


def thirds(path: Path) -> Path:
    """A source whose left third is red, middle green, right third blue (to see crops)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv444p"
        stream.options = {"crf": "0", "preset": "ultrafast"}
        pixels = np.zeros((H, W, 3), np.uint8)
        pixels[:, : W // 3, 0] = pixels[:, W // 3 : 2 * W // 3, 1] = pixels[:, 2 * W // 3 :, 2] = (
            230
        )
        for index in range(25):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def clip(name: str, frames: int = 20, first: int = 0) -> otio.schema.Clip:
    return media_clip(
        Path(name), name=name, rate=FPS, available_frames=50, source_start=first, duration=frames
    )


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    write_video(folder / "grey.mp4", frames=50, audio=False)
    write_video(folder / "white.mp4", frames=50, audio=False, colour=(235, 235, 235))
    thirds(folder / "thirds.mp4")
    return folder


def test_split_screen_shows_the_middle_of_each_source_in_its_half(media: Path) -> None:
    left, right = clip("thirds.mp4"), clip("white.mp4")
    set_picture_state(left, PICTURE_LAYOUTS["left"])
    set_picture_state(right, PICTURE_LAYOUTS["right"])
    (frame,) = composed(video_timeline(*[[left], [right]]), media, [5])
    row = frame[H // 2]
    # the left half shows source columns 0.25..0.75: red, then green, then blue at its edges
    assert row[8].argmax() == 0 and row[W // 4].argmax() == 1 and row[W // 2 - 8].argmax() == 2
    assert (row[W // 2 + 8 :] > 200).all()  # the right half is the white source
    assert frame[0, W // 4].argmax() == 1 == frame[H - 1, W // 4].argmax()  # full height: no bars


def test_quad_puts_four_sources_in_four_corners(media: Path) -> None:
    names = ["grey.mp4", "white.mp4", "thirds.mp4", "white.mp4"]
    clips = [clip(name) for name in names]
    for number, item in enumerate(clips, start=1):
        set_picture_state(item, PICTURE_LAYOUTS[f"quad-{number}"])
    (frame,) = composed(video_timeline(*[[c] for c in clips]), media, [3])
    assert abs(frame[H // 4, W // 4].mean() - frame_value(3)) < 4  # grey, top left
    assert (frame[H // 4, 3 * W // 4] > 200).all()  # white, top right
    assert frame[3 * H // 4, W // 4 - 20].argmax() == 1  # the thirds source, shrunk: green middle
    assert (frame[3 * H // 4, 3 * W // 4] > 200).all()


def test_picture_in_picture_at_half_opacity(media: Path) -> None:
    main_clip, corner = clip("grey.mp4"), clip("white.mp4")
    set_picture_state(corner, PICTURE_LAYOUTS["pip"])
    state = PICTURE_LAYOUTS["pip"]
    set_picture_state(corner, type(state)(**{**state.placement(), "opacity": 0.5}))
    (frame,) = composed(video_timeline(*[[main_clip], [corner]]), media, [10])
    grey = frame_value(10)
    assert abs(frame[10, 10].mean() - grey) < 4  # outside the inset: the main picture
    inset = frame[round(H * 0.8), round(W * 0.8)].mean()  # the inset's centre
    assert abs(inset - (grey + 235) / 2) < 5  # half of each


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        (otio.schema.LinearTimeWarp(time_scalar=0.5), [k // 2 for k in range(12)]),
        (otio.schema.LinearTimeWarp(time_scalar=2.0), [2 * k for k in range(12)]),
        (otio.schema.FreezeFrame(), [0] * 12),
        (otio.schema.LinearTimeWarp(time_scalar=-1.0), [11 - k for k in range(12)]),
    ],
    ids=["half-speed", "double-speed", "freeze", "reverse"],
)
def test_time_warps_show_the_right_source_frames(
    media: Path, effect: otio.schema.Effect, expected: list[int]
) -> None:
    warped = clip("grey.mp4", frames=12, first=4)
    warped.effects.append(effect)
    frames = composed(video_timeline(*[[warped]]), media, list(range(12)))
    shown = [float(f.mean()) for f in frames]
    assert np.allclose(shown, [frame_value(4 + k) for k in expected], atol=3)


def test_slow_motion_blends_neighbouring_frames(media: Path) -> None:
    slow = clip("grey.mp4", frames=10, first=4)
    slow.effects.append(otio.schema.LinearTimeWarp(time_scalar=0.5))
    set_picture_state(slow, type(PICTURE_LAYOUTS["full"])(blend_frames=True))
    frames = composed(video_timeline(*[[slow]]), media, list(range(10)))
    for k, frame in enumerate(frames):
        low, high = frame_value(4 + k // 2), frame_value(4 + k // 2 + 1)
        wanted = low if k % 2 == 0 else (low + high) / 2
        assert abs(frame.mean() - wanted) < 3, k


def test_the_edit_command_places_a_picture_in_picture(media: Path, tmp_path: Path) -> None:
    project = media / "pip.otio"
    save_project(video_timeline(*[[clip("grey.mp4")], [clip("white.mp4")]]), project)
    assert (
        main(
            [
                "edit",
                str(project),
                "picture",
                "-t",
                "V2",
                "--at",
                "5",
                "--layout",
                "pip",
                "--opacity",
                "0.5",
            ]
        )
        == 0
    )
    (inset,) = load_project(project).video_tracks()[1].find_clips()
    out = tmp_path / "pip.mp4"
    assert main(["render", str(project), "-o", str(out)]) == 0
    with av.open(str(out)) as container:
        frame = next(iter(container.decode(video=0))).to_ndarray(format="rgb24").astype(int)
    assert abs(frame[10, 10].mean() - frame_value(0)) < 6
    assert abs(frame[round(H * 0.8), round(W * 0.8)].mean() - (frame_value(0) + 235) / 2) < 8
    assert inset.metadata["postprod"]["picture"]["opacity"] == 0.5
    assert main(["edit", str(project), "picture", "-t", "V2", "--at", "5", "--crop", "1,2"]) == 2
    assert main(["edit", str(project), "picture", "-t", "V2", "--at", "5", "--layout", "hex"]) == 2
    assert main(["edit", str(project), "picture", "-t", "V2", "--at", "5", "--opacity", "3"]) == 2


def test_picture_options_not_given_are_kept(media: Path) -> None:
    """``--opacity`` after ``--layout pip`` changes the opacity only; a layout starts afresh."""
    project = media / "keep.otio"
    save_project(video_timeline(*[[clip("grey.mp4")], [clip("white.mp4")]]), project)
    edit = ["edit", str(project), "picture", "-t", "V2", "--at", "5"]

    def placed() -> object:
        (inset,) = load_project(project).video_tracks()[1].find_clips()
        return picture_state(inset)

    assert main([*edit, "--layout", "pip"]) == 0
    assert main([*edit, "--opacity", "0.8"]) == 0
    assert placed() == replace(PICTURE_LAYOUTS["pip"], opacity=0.8)
    assert main([*edit, "--x", "0.1", "--fit", "fill"]) == 0
    assert placed() == replace(PICTURE_LAYOUTS["pip"], opacity=0.8, x=0.1, fit="fill")
    assert main([*edit, "--layout", "left"]) == 0
    assert placed() == PICTURE_LAYOUTS["left"]
