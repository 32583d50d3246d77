"""The multiview (render/multiview.py): every camera side by side at the programme's time.

Three demo cameras (test cards of their own colour, each frame's number in a barcode) are
cut on V1 as A, B, C, A. The segments are decoded with PyAV, each tile cut out of the
picture and scaled back to the camera's size, and its barcode read: it must be the frame
the rule gives (the clip playing there, else the camera running on from its nearest clip,
else black), with the tally outline on V1's camera only.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from postprod.console.app import create_app
from postprod.demo.production import SOURCES, DemoSettings, write_source
from postprod.errors import RenderError
from postprod.operations import Append, Project, new_project
from postprod.planner.plan import OutputFormat, RenderPlan, Source, VideoSpan
from postprod.render.multiview import (
    Layout,
    layout,
    multiview_segments,
    on_air,
    open_multiview,
    picture_sources,
    source_frame,
)
from postprod.video.patterns import read_barcode

CAMERA = DemoSettings(width=320, height=180, source_frames=80)
#: V1: (camera, source in, frames), one after the other from programme frame 0.
CUT = (("A", 10, 20), ("B", 30, 20), ("C", 5, 20), ("A", 40, 15))
COLOURS = {source.name: source.colour for source in SOURCES}
TOKEN = "multiview-token-0123456789"


def _project(folder: Path) -> Path:
    """Three cameras, cut on V1; the project is 1280x720, so the preview is 640x360 and
    each 2x2 tile about the cameras' own size (their barcodes stay legible)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        write_source(folder / f"camera_{source.name}.mp4", source, CAMERA)
    path = folder / "cut.otio"
    new_project(path, name="cut", size_px=(1280, 720))
    Project(path).apply(
        *(Append("V1", f"camera_{name}.mp4", first, frames) for name, first, frames in CUT),
        description="the cut",
    )
    return path


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("multiview"))


def _expected(name: str, frame: int) -> int | None:
    """The rule, worked by hand for CUT: the clip playing, else the camera running on from
    its nearest clip (the earlier one on a tie), else None (outside the file: black)."""
    spans, at = [], 0
    for camera, first, frames in CUT:
        spans.append((camera, at, first, frames))
        at += frames
    best: tuple[int, int, int] | None = None
    for camera, start, first, frames in spans:
        if camera != name:
            continue
        if start <= frame < start + frames:
            return first + frame - start
        edge = start if frame < start else start + frames - 1
        here = (abs(frame - edge), int(edge > frame), first + edge - start + frame - edge)
        best = here if best is None or here[:2] < best[:2] else best
    assert best is not None
    return best[2] if 0 <= best[2] < CAMERA.source_frames else None


def _on_v1(frame: int) -> str:
    at = 0
    for camera, _, frames in CUT:
        if at <= frame < at + frames:
            return camera
        at += frames
    raise AssertionError(frame)


def _decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _tile(frame: np.ndarray, grid: Layout, index: int) -> np.ndarray:
    tile = grid.tiles[index]
    return frame[tile.y : tile.y + tile.height, tile.x : tile.x + tile.width]


def _barcode(tile: np.ndarray) -> int:
    """The camera frame a tile shows: scaled back to the camera's size, its cells read."""
    image = Image.fromarray(tile).resize((CAMERA.width, CAMERA.height), Image.Resampling.BILINEAR)
    return read_barcode(np.asarray(image))


def _colour(tile: np.ndarray) -> np.ndarray:
    """The card's flat colour: a patch right of the barcode, above the moving bar."""
    h, w = tile.shape[:2]
    return tile[h // 8 : h // 4, w * 2 // 3 : w * 9 // 10].reshape(-1, 3).mean(axis=0)


def _tallied(frame: np.ndarray, grid: Layout, index: int) -> bool:
    """Whether the margin left of the tile's picture is red (the tally outline)."""
    tile = grid.tiles[index]
    strip = frame[tile.y + 10 : tile.y + tile.height - 10, tile.x - 3 : tile.x - 1]
    red, green, blue = strip.reshape(-1, 3).mean(axis=0)
    return bool(red > 150 and green < 90 and blue < 90)


def test_each_tile_shows_its_cameras_frame_at_the_programmes_time_and_v1_is_tallied(
    cut: Path, tmp_path: Path
) -> None:
    multiview = open_multiview(cut, 0, 75, tmp_path / "cache", segment_frames=25)
    grid = multiview.layout
    assert (grid.width, grid.height, grid.columns, grid.rows) == (640, 360, 2, 2)
    assert [tile.name for tile in grid.tiles] == ["camera_A", "camera_B", "camera_C"]
    assert [(s.start_frame, s.frames) for s in multiview.segments] == [(0, 25), (25, 25), (50, 25)]
    checked = 0
    for segment in multiview.rendered():
        frames = _decoded(segment.path)
        assert len(frames) == segment.frames
        assert frames[0].shape == (360, 640, 3)
        for offset in range(segment.frames):  # every frame, every tile
            t = segment.start_frame + offset
            for index, name in enumerate("ABC"):
                tile = _tile(frames[offset], grid, index)
                expected = _expected(name, t)
                colour = _colour(tile)
                if expected is None:
                    assert colour.max() < 24, (t, name, colour)  # black: not rolling
                else:
                    assert _barcode(tile) == expected, (t, name)
                    assert np.abs(colour - COLOURS[name]).max() < 24, (t, name, colour)
                assert _tallied(frames[offset], grid, index) == (name == _on_v1(t)), (t, name)
                checked += 1
    assert checked == 3 * 75
    with av.open(str(multiview.segments[1].path)) as container:
        sound = container.streams.audio[0]  # the programme's sound, as the preview's
        assert sound.codec_context.name == "aac" and sound.channels == 2


def test_the_rule_for_a_sources_frame(cut: Path, tmp_path: Path) -> None:
    programme = open_multiview(cut, 0, 75, tmp_path).plan
    a, b, c = picture_sources(programme)
    assert [Path(p).name for p in (a, b, c)] == ["camera_A.mp4", "camera_B.mp4", "camera_C.mp4"]
    assert source_frame(programme, a, 5) == 15  # A plays: its clip's frame
    assert source_frame(programme, b, 5) == 15  # B's clip starts at 20 on frame 30: 15 before
    assert source_frame(programme, c, 5) == -30  # C would start 35 frames before its frame 5
    assert source_frame(programme, a, 25) == 35  # A runs on from the end of its first clip
    assert source_frame(programme, a, 50) == 30  # nearer its second clip (60, frame 40)
    assert source_frame(programme, b, 50) == 60  # B runs on from its clip's last frame (49)
    for t in range(75):
        for path, name in zip((a, b, c), "ABC", strict=True):
            expected = _expected(name, t)
            if expected is not None:
                assert source_frame(programme, path, t) == expected
    assert on_air(programme, 30) == {b}


def test_transitions_tally_both_sides_and_titles_are_not_sources() -> None:
    programme = RenderPlan(
        OutputFormat(320, 180),
        30,
        video=(
            VideoSpan(0, 10, Source("one.mp4", 100)),
            VideoSpan(10, 4, Source("one.mp4", 110), Source("two.mp4", 0), "dissolve"),
            VideoSpan(14, 16, Source("two.mp4", 4)),
        ),
        overlays=((VideoSpan(0, 30, Source("", 0, title="Hello", title_style="centre")),),),
    )
    assert picture_sources(programme) == ("one.mp4", "two.mp4")
    assert on_air(programme, 12) == {"one.mp4", "two.mp4"} and on_air(programme, 20) == {"two.mp4"}
    assert source_frame(programme, "one.mp4", 12) == 112  # the outgoing side's frame
    assert source_frame(programme, "two.mp4", 12) == 2  # and the incoming side's
    assert source_frame(programme, "two.mp4", 5) == -5  # running on backwards from frame 0 at 10


def test_layouts() -> None:
    nine = layout(640, 360, tuple(f"{n}.mp4" for n in range(7)))
    assert (nine.columns, nine.rows) == (3, 3)
    wide = layout(640, 360, ("a.mp4", "b.mp4", "c.mp4"), columns=3)
    assert (wide.columns, wide.rows) == (3, 1)
    for grid in (nine, wide):
        boxes = [(t.x, t.y, t.x + t.width, t.y + t.height) for t in grid.tiles]
        assert all(0 < x0 < x1 < 640 and 0 < y0 < y1 < 360 for x0, y0, x1, y1 in boxes)
        for first, second in itertools.pairwise(boxes):  # no two overlap
            assert first[2] <= second[0] or first[3] <= second[1] or second[2] <= first[0]
    with pytest.raises(RenderError):
        layout(640, 360, ())
    with pytest.raises(RenderError):
        layout(640, 360, ("a.mp4",), columns=0)


def test_cached_segments_are_not_rendered_again(cut: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = multiview_segments(cut, 25, 75, cache, segment_frames=25, render_now=True)
    stamps = [s.path.stat().st_mtime_ns for s in first]
    assert not list(cache.glob(".*"))  # no temporary file left
    began = time.perf_counter()
    again = multiview_segments(cut, 25, 75, cache, segment_frames=25, render_now=True)
    assert time.perf_counter() - began < 1.0
    assert [s.key for s in again] == [s.key for s in first]
    assert [s.path.stat().st_mtime_ns for s in again] == stamps
    other = multiview_segments(cut, 25, 75, cache, segment_frames=25, columns=3)
    assert {s.key for s in other}.isdisjoint(s.key for s in first)  # another grid: new keys
    preview_keys = {p.stem for p in (cut.parent / "cut.otio.cache").glob("preview/*.mp4")}
    assert preview_keys.isdisjoint(s.key for s in first)


def test_the_console_serves_multiview_segments_and_refuses_bad_ranges(tmp_path: Path) -> None:
    path = _project(tmp_path / "studio")
    app = create_app(path, TOKEN, watch_interval_s=0.05)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        answer = client.post("/api/multiview", json={"start_frame": 0, "end_frame": 60})
        assert answer.status_code == 200, answer.text
        segments = answer.json()["segments"]
        assert [(s["start_frame"], s["frames"]) for s in segments] == [(0, 50), (50, 10)]
        assert all(s["url"].startswith("/api/multiview/") for s in segments)
        video = client.get(segments[1]["url"])
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert video.content[4:8] == b"ftyp"
        assert (
            path.parent / "cut.otio.cache" / "multiview" / f"{segments[1]['key']}.mp4"
        ).is_file()
        playlist = client.get(answer.json()["playlist"])
        assert playlist.text.startswith("#EXTM3U") and segments[0]["url"] in playlist.text
        wide = client.post("/api/multiview", json={"start_frame": 0, "end_frame": 10, "columns": 3})
        assert wide.status_code == 200 and wide.json()["segments"][0]["key"] != segments[0]["key"]
        assert client.get("/api/multiview/nope.mp4").status_code == 404
        for body in (
            {"start_frame": 10, "end_frame": 5},
            {"start_frame": -1, "end_frame": 5},
            {"start_frame": 100, "end_frame": 200},  # past the programme's end
            {},
            {"start_frame": 0, "end_frame": 10, "columns": 0},
            {"start_frame": 0, "end_frame": 10, "columns": "2"},
        ):
            refused = client.post("/api/multiview", json=body)
            assert refused.status_code == 400, body
            assert refused.json()["error"]
