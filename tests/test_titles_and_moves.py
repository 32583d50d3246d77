"""Titles keyed over picture (lower thirds, centred words, full-frame cards) and the transitions
that move or dip: push, slide, dip to colour. Composed frames and rendered files are looked at."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from composing import composed, video_timeline
from media_factory import write_video
from postprod.cli import main
from postprod.interchange import export_timeline, import_timeline
from postprod.operations import AddTitle, AddTransition, apply_operations
from postprod.project import load_project, save_project
from postprod.timeline.build import title_clip
from postprod.timeline.metadata import MOVE_PATTERNS, TRANSITION_PATTERNS, WIPE_PATTERNS, wipe_of
from postprod.timeline.model import media_clip
from postprod.video.moves import MOVES, dip, move
from postprod.video.transitions import TRANSITIONS
from postprod.video.wipes import PATTERNS

FPS = Fraction(25)
W, H = 320, 180
GREY, WHITE = (100, 100, 100), (235, 235, 235)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    write_video(folder / "grey.mp4", frames=50, audio=False, colour=GREY)
    write_video(folder / "white.mp4", frames=50, audio=False, colour=WHITE)
    return folder


def clip(name: str, frames: int = 20, first: int = 10) -> otio.schema.Clip:
    return media_clip(
        Path(name), name=name, rate=FPS, available_frames=50, source_start=first, duration=frames
    )


# -- titles ---------------------------------------------------------------------------------


def test_a_lower_third_is_keyed_over_the_picture_below(media: Path) -> None:
    title = title_clip("Jane Doe\nsound recordist", 20, FPS, style="lower-third")
    (frame,) = composed(video_timeline([clip("grey.mp4")], [title]), media, [5])
    # the picture shows everywhere but a box in the lower third, from the title-safe edge
    changed = np.abs(frame - GREY).max(axis=2) > 3
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    assert rows[0] > H * 0.6 and rows[-1] < H * 0.9
    assert cols[0] == round(W * 0.1) and cols[-1] < W * 0.6
    band = frame[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    assert band.max() >= 230  # white letters
    # behind them the picture shows through the band, darkened (55 % opaque black)
    assert np.median(band) == pytest.approx(GREY[0] * 0.45, abs=3)


def test_a_centred_title_over_picture_keeps_the_picture_round_its_letters(media: Path) -> None:
    title = title_clip("THE END", 20, FPS, style="centre")
    (frame,) = composed(video_timeline([clip("grey.mp4")], [title]), media, [5])
    middle = frame[H // 2 - 8 : H // 2 + 8, W // 3 : 2 * W // 3]
    assert middle.max() >= 230  # letters
    assert np.abs(frame[:30] - GREY).max() <= 3 and np.abs(frame[-30:] - GREY).max() <= 3


def test_a_card_title_covers_the_frame(media: Path) -> None:
    title = title_clip("CARD", 20, FPS, style="card")
    (frame,) = composed(video_timeline([clip("grey.mp4")], [title]), media, [5])
    assert frame[:30].max() == 0  # black around the words, not the grey picture


def test_a_title_fades_in_over_the_picture(media: Path) -> None:
    title = title_clip("Fade", 12, FPS, style="centre")
    fade_in = otio.schema.Transition(
        in_offset=otio.opentime.RationalTime(0, 25), out_offset=otio.opentime.RationalTime(4, 25)
    )
    gap = otio.schema.Gap(
        source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(4, 25))
    )
    timeline = video_timeline([clip("grey.mp4")], [gap, fade_in, title])
    before, half, full = composed(timeline, media, [3, 6, 9])
    region = (slice(H // 2 - 8, H // 2 + 8), slice(W // 3, 2 * W // 3))
    assert before[region].max() <= GREY[0] + 3
    assert GREY[0] + 40 < half[region].max() < 200  # half way: letters half over the picture
    assert full[region].max() >= 230


def test_the_title_command_makes_the_track_and_a_render_shows_it(
    media: Path, tmp_path: Path
) -> None:
    project = tmp_path / "t.otio"
    save_project(video_timeline([clip("grey.mp4", 40)]), project)
    (tmp_path / "grey.mp4").symlink_to(media / "grey.mp4")
    args = ["edit", str(project), "title", "Ann Lee\\ndirector", "--at", "10", "--frames", "10"]
    assert main(args) == 0
    upper = load_project(project).video_tracks()[1]
    assert upper.name == "V2"
    (title,) = upper.find_clips()
    assert title.media_reference.parameters == {"text": "Ann Lee\ndirector", "style": "lower-third"}
    out = tmp_path / "t.mp4"
    assert main(["render", str(project), "-o", str(out)]) == 0
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(video=0)]
    lower = (slice(round(H * 0.6), round(H * 0.9)), slice(round(W * 0.1), round(W * 0.4)))
    assert len(frames) == 40
    assert frames[9][lower].max() < 130 and frames[10][lower].max() > 220  # on the frame
    assert frames[19][lower].max() > 220 and frames[20][lower].max() < 130
    assert main(["edit", str(project), "undo"]) == 0
    assert len(load_project(project).video_tracks()) == 1  # the track came with the title
    bad = ["edit", str(project), "title", "x", "--at", "0", "--frames", "5", "--style", "crawl"]
    assert main(bad) == 2


# -- push, slide, dip -----------------------------------------------------------------------


def test_the_pattern_lists_agree() -> None:
    assert set(WIPE_PATTERNS) == set(PATTERNS) and set(MOVE_PATTERNS) == set(MOVES)
    assert set(TRANSITION_PATTERNS) == {*PATTERNS, *MOVES, "dip"}
    assert tuple(TRANSITIONS) == TRANSITION_PATTERNS  # one registry draws every pattern


def _ramp() -> tuple[np.ndarray, np.ndarray]:
    """Two frames whose columns (a) and rows (b) are numbered, to see where each part went."""
    a = np.zeros((H, W, 3), np.uint8)
    a[..., 0] = (np.arange(W) % 256)[None, :]
    b = np.zeros((H, W, 3), np.uint8)
    b[..., 1] = (np.arange(H) % 256)[:, None]
    b[..., 2] = 255
    return a, b


def test_push_left_moves_both_pictures_by_the_same_offset() -> None:
    a, b = _ramp()
    out = move(a, b, 0.25, "push-left")
    edge = W - W // 4
    assert (out[:, :edge, 0] == a[:, W // 4 :, 0]).all()  # a moved left by a quarter
    assert (out[:, edge:] == b[:, : W // 4]).all()  # b's left quarter entered at the right
    assert (move(a, b, 0.0, "push-left") == a).all() and (move(a, b, 1.0, "push-left") == b).all()


def test_slide_leaves_the_outgoing_picture_where_it_was() -> None:
    a, b = _ramp()
    out = move(a, b, 0.5, "slide-right")
    assert (out[:, W // 2 :] == a[:, W // 2 :]).all()  # a has not moved
    assert (out[:, : W // 2] == b[:, W // 2 :]).all()  # b's right half came in from the left
    up = move(a, b, 0.5, "slide-up")
    assert (up[H // 2 :] == b[: H // 2]).all() and (up[: H // 2] == a[: H // 2]).all()
    down = move(a, b, 0.5, "push-down")
    assert (down[: H // 2] == b[H // 2 :]).all() and (down[H // 2 :] == a[: H // 2]).all()


def test_dip_passes_through_its_colour_at_the_middle() -> None:
    a, b = _ramp()
    white = (255, 255, 255)
    assert (dip(a, b, 0.5, white) == 255).all()
    quarter = dip(a, b, 0.25, white).astype(int)
    assert np.abs(quarter - (a.astype(int) + 255) / 2).max() <= 1
    assert (dip(a, b, 1.0, white) == b).all() and (dip(a, b, 0.0, white) == a).all()


@pytest.mark.parametrize(
    ("pattern", "colour"), [("dip", "white"), ("push-left", "black"), ("slide-up", "black")]
)
def test_moves_and_dips_render_from_the_edit(media: Path, pattern: str, colour: str) -> None:
    timeline = video_timeline([clip("grey.mp4"), clip("white.mp4")])
    edited = apply_operations(timeline, AddTransition("V1", 20, 10, pattern, colour), folder=media)
    before, middle, after = composed(edited, media, [14, 20, 25])  # the move: frames 15..24
    assert np.abs(before - GREY).max() <= 3 and np.abs(after - WHITE).max() <= 3
    if pattern == "dip":
        assert (middle == 255).all()  # half way: all white
    elif pattern == "push-left":
        assert np.abs(middle[:, : W // 2 - 1] - GREY).max() <= 3
        assert np.abs(middle[:, W // 2 + 1 :] - WHITE).max() <= 3
    else:
        assert np.abs(middle[: H // 2 - 1] - GREY).max() <= 3
        assert np.abs(middle[H // 2 + 1 :] - WHITE).max() <= 3


def test_a_dip_keeps_its_colour_through_an_edl(media: Path, tmp_path: Path) -> None:
    timeline = video_timeline([clip("grey.mp4"), clip("white.mp4")])
    edited = apply_operations(timeline, AddTransition("V1", 20, 10, "dip", "#ff8000"), folder=media)
    edl = tmp_path / "dip.edl"
    export_timeline(edited, edl)
    assert "pattern=dip" in edl.read_text() and "colour=#ff8000" in edl.read_text()
    back = import_timeline(edl, rate=25)  # its timecodes alone cannot tell 24 from 25 here
    (transition,) = [c for c in back.video_tracks()[0] if isinstance(c, otio.schema.Transition)]
    wipe = wipe_of(transition)
    assert wipe is not None and (wipe.pattern, wipe.colour) == ("dip", (255, 128, 0))


def test_unknown_transitions_and_colours_are_refused(media: Path, tmp_path: Path) -> None:
    project = tmp_path / "p.otio"
    save_project(video_timeline([clip("grey.mp4"), clip("white.mp4")]), project)
    base = ["edit", str(project), "add-transition", "-t", "V1", "--at", "20", "--frames", "6"]
    assert main([*base, "--wipe", "spin"]) == 2
    assert main([*base, "--wipe", "dip", "--colour", "mauve"]) == 2
    assert main([*base, "--wipe", "dip", "--colour", "#102030"]) == 0
    edited = load_project(project)
    (transition,) = [c for c in edited.video_tracks()[0] if isinstance(c, otio.schema.Transition)]
    wipe = wipe_of(transition)
    assert wipe is not None and wipe.colour == (16, 32, 48)


def test_a_title_of_an_unknown_style_is_refused() -> None:
    with pytest.raises(Exception, match="style"):
        apply_operations(video_timeline([clip("grey.mp4")]), AddTitle("V2", 0, 5, "x", "crawl"))
