"""A multiview of the programme's sources: every camera side by side, in sync with the cut.

For each programme frame, a grid (2x2 for up to four sources, 3x3 up to nine, or
``columns`` wide) shows every picture source the programme uses: the distinct
media files of the video clips on every video track (titles are not sources),
in the order they first appear (by programme frame, then track, lower first).
Each tile carries the file's name at its bottom; the tile of each source on V1
at that frame has a red outline (the tally; both sides of a dissolve or wipe
are on air).

A source's frame at programme frame ``t`` (:func:`source_frame`):

1. where a clip of the source plays at ``t`` (V1 first, then the tracks above
   it, lower first), the frame that clip shows there, as the render would (its
   speed, reverse, freeze and frame-rate conversion; blended slow motion shows
   the earlier of its two frames);
2. elsewhere, the source runs on in real time from the nearest clip of it
   (before or after ``t``; the earlier one when both are as near): the frame
   that clip shows at its nearest end, plus the programme frames from there to
   ``t`` in the file's frames. A multicam cut, whose clips all keep one offset
   between the camera's frames and the programme's, shows every camera at that
   offset throughout; a camera keeps its own timecode relation to the cut
   around it;
3. a frame outside the file (before its first, past its last) is black, with
   the name: the camera was not rolling. A missing file is its MEDIA OFFLINE
   slate.

Segments are written like the preview's (:mod:`postprod.render.preview`: its
segment ranges, proxy size, encoder, fragmented MP4, temporary names, and its
sound: the programme's mix from the same pre-roll, so switching between the
two keeps what is heard), cached under a content hash: the preview's key for
the same range (picture on V1, sound, format) plus the grid, each source's
frames in the range, the tally and each source file's size and modification
time.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from postprod.errors import PostprodError, RenderError
from postprod.media.video import VideoReader
from postprod.media.writer import MediaWriter
from postprod.planner.plan import RenderPlan, Source, VideoSpan
from postprod.render.engine import (
    ProgrammeSound,
    mix_start,
    sample_at,
    source_frames,
    with_offline_media,
)
from postprod.render.presets import OutputPreset
from postprod.render.preview import (
    FRAGMENTED_MP4,
    PREVIEW,
    Segment,
    Segments,
    media_stat,
    proxy_range,
    segment_file,
    segment_keys,
    segment_ranges,
    sound_preroll_s,
)
from postprod.timecode import FrameRate, frames_to_label
from postprod.video.text import Graphic, offline_slate, text_image

#: Bump when what a multiview segment holds changes for the same inputs.
FORMAT_VERSION = 1

#: The tally's colour (a source on V1), and every tile's thin outline.
TALLY = (220, 30, 30)
OUTLINE = (70, 70, 70)

#: Samples the console mixes at a time (the render engine's block: the same pre-roll).

Frame = NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Tile:
    """Where a source's picture sits in the grid (pixels of the multiview frame)."""

    path: str
    name: str
    x: int
    y: int
    width: int
    height: int
    # The file's first timecode (frames): the label then shows the source timecode too.
    first_timecode: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "x": self.x,
            "y": self.y,
            "width": self.width,
            "height": self.height,
            "first_timecode": self.first_timecode,
        }


@dataclass(frozen=True, slots=True)
class Layout:
    """A ``columns`` x ``rows`` grid on a ``width`` x ``height`` frame: each cell holds one
    tile, its picture inside a ``margin`` where the outline is drawn."""

    width: int
    height: int
    columns: int
    rows: int
    margin: int
    tiles: tuple[Tile, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "columns": self.columns,
            "rows": self.rows,
            "margin": self.margin,
            "tiles": [tile.to_dict() for tile in self.tiles],
        }


def layout(width: int, height: int, paths: tuple[str, ...], columns: int | None = None) -> Layout:
    """The grid of ``paths`` on a ``width`` x ``height`` frame: ``columns`` wide (default
    the smallest square that holds them all), as many rows as it takes. Each picture keeps
    the frame's shape, centred in its cell inside the margin."""
    if not paths:
        raise RenderError(
            "the programme uses no picture source", fix="put a clip of a video file on a track"
        )
    if columns is not None and columns < 1:
        raise RenderError(f"a grid {columns} tiles wide", fix="give at least one column")
    wide = min(columns or math.ceil(math.sqrt(len(paths))), len(paths))
    rows = math.ceil(len(paths) / wide)
    cell_w, cell_h = width // wide, height // rows
    margin = max(2, min(cell_w, cell_h) // 24)
    room_w, room_h = cell_w - 2 * margin, cell_h - 2 * margin
    if room_w < 8 or room_h < 8:
        raise RenderError(
            f"{len(paths)} tiles of {width}x{height} in {wide} columns are too small",
            fix="give fewer columns or a larger size",
        )
    scale = min(room_w / width, room_h / height)
    pic_w, pic_h = max(1, int(width * scale)), max(1, int(height * scale))
    tiles = []
    for index, path in enumerate(paths):
        column, row = index % wide, index // wide
        x0, y0 = column * width // wide, row * height // rows
        tiles.append(
            Tile(
                path,
                Path(path).stem,
                x0 + (cell_w - pic_w) // 2,
                y0 + (cell_h - pic_h) // 2,
                pic_w,
                pic_h,
            )
        )
    return Layout(width, height, wide, rows, margin, tuple(tiles))


def named_tiles(
    grid: Layout, names: dict[str, str], rate: Fraction, *, every_timecode: bool = False
) -> Layout:
    """The grid with tiles named ``names[path]`` (multicam angles), each carrying its
    file's first timecode so its label shows the source timecode it plays (every tile's,
    with ``every_timecode``)."""
    from postprod.media.probe import probe
    from postprod.timeline.build import first_frame_timecode

    tiles = []
    for tile in grid.tiles:
        if tile.path not in names and not every_timecode:
            tiles.append(tile)
            continue
        first = None
        if Path(tile.path).is_file():
            info = probe(tile.path, count_packets=False)
            first = first_frame_timecode(info.start_timecode, rate)
        name = names.get(tile.path, tile.name)
        tiles.append(replace(tile, name=name, first_timecode=first))
    return replace(grid, tiles=tuple(tiles))


def with_angles(
    project_path: str | os.PathLike[str], programme: RenderPlan
) -> tuple[RenderPlan, dict[str, str]]:
    """A project's plan with every multicam angle as a picture source (a track of each over
    its group), and the angles' names by file; the plan as it is without multicam."""
    from postprod.planner.plan import plan
    from postprod.project import load_project
    from postprod.timeline.multicam import angle_media_names, has_multicam, with_angle_tracks

    folder = Path(project_path).parent
    timeline = load_project(project_path)
    if not has_multicam(timeline):
        return programme, {}
    full = plan(with_angle_tracks(timeline), programme.output, project_folder=folder)
    return full, angle_media_names(timeline, folder)


# -- which frame of each source -----------------------------------------------------------


def _tracks(programme: RenderPlan) -> tuple[tuple[VideoSpan, ...], ...]:
    """The video tracks, V1 first, then those above it, lower first."""
    return (programme.video, *programme.overlays)


def _sides(span: VideoSpan) -> tuple[Source, ...]:
    """The picture sources a span shows (titles are not sources)."""
    return tuple(side for side in (span.a, span.b) if side is not None and side.title is None)


def picture_sources(programme: RenderPlan) -> tuple[str, ...]:
    """Every distinct media file the video clips use, in the order they first appear."""
    first: dict[str, tuple[int, int]] = {}
    for track_index, track in enumerate(_tracks(programme)):
        for span in track:
            for side in _sides(span):
                seen = (span.start, track_index)
                first[side.path] = min(first.get(side.path, seen), seen)
    return tuple(sorted(first, key=first.__getitem__))


def frame_in_span(source: Source, offset: int) -> int:
    """The file frame ``source`` shows ``offset`` frames into its span (the engine's rule)."""
    return int(source_frames(source, offset, 1)[0])


class SourceClock:
    """Which frame of one source the multiview shows at each programme frame (the module's
    rule), looked up by bisection in each track's spans of it: quick for long programmes."""

    def __init__(self, programme: RenderPlan, path: str) -> None:
        self.path = path
        self._tracks: list[tuple[list[int], list[tuple[int, int, Source]]]] = []
        for track in _tracks(programme):
            spans = []
            for span in track:  # a transition between two clips of it: the outgoing one
                side = next((side for side in _sides(span) if side.path == path), None)
                if side is not None:
                    spans.append((span.start, span.start + span.length, side))
            if spans:
                self._tracks.append(([start for start, _, _ in spans], spans))
        if not self._tracks:
            raise RenderError(f"{path} is not a source of the programme", fix="pick one it uses")

    def frame(self, frame: int) -> int:
        """The source's frame at programme ``frame`` (it may lie outside the file)."""
        nearest: tuple[int, int, int] | None = None  # (distance, after it, frame): the least
        for starts, spans in self._tracks:  # V1 first
            i = bisect.bisect_right(starts, frame) - 1
            if i >= 0 and frame < spans[i][1]:
                start, _, side = spans[i]
                return frame_in_span(side, frame - start)
            for start, end, side in spans[max(0, i) : i + 2]:  # the clips either side
                edge = start if frame < start else end - 1
                runs_on = round((frame - edge) * side.rate_ratio)  # file frames at real time
                here = (abs(frame - edge), int(edge > frame), frame_in_span(side, edge - start))
                if nearest is None or here[:2] < nearest[:2]:
                    nearest = (here[0], here[1], here[2] + runs_on)
        assert nearest is not None
        return nearest[2]


def source_frame(programme: RenderPlan, path: str, frame: int) -> int:
    """The frame of ``path`` the multiview shows at programme ``frame`` (the module's rule;
    it may lie outside the file: then the tile is black)."""
    return SourceClock(programme, path).frame(frame)


def on_air(programme: RenderPlan, frame: int) -> frozenset[str]:
    """The sources V1 shows at ``frame`` (both sides of a transition): the tally."""
    return Tally(programme).at(frame)


class Tally:
    """:func:`on_air` for many frames: V1's spans looked up by bisection."""

    def __init__(self, programme: RenderPlan) -> None:
        self._spans = programme.video
        self._starts = [span.start for span in programme.video]

    def at(self, frame: int) -> frozenset[str]:
        i = bisect.bisect_right(self._starts, frame) - 1
        if i < 0 or frame >= self._spans[i].start + self._spans[i].length:
            return frozenset()
        return frozenset(side.path for side in _sides(self._spans[i]))


# -- the segments ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Multiview(Segments):
    """A planned multiview of a range: its segments (named, not yet rendered), the plan
    (at the preview's size) and the grid."""

    plan: RenderPlan
    segments: tuple[Segment, ...]
    layout: Layout
    preset: OutputPreset = PREVIEW
    preroll_s: float | None = 2.0

    def render(self, segment: Segment) -> Path:
        """The segment's file, rendered now if it is not cached."""
        if not segment.ready:
            render_multiview_segment(
                self.plan, self.layout, segment, preset=self.preset, preroll_s=self.preroll_s
            )
        return segment.path


def open_multiview(
    project_path: str | os.PathLike[str],
    start_frame: int,
    end_frame: int,
    cache_dir: str | os.PathLike[str],
    *,
    segment_frames: int = 50,
    columns: int | None = None,
    scale: Fraction = PREVIEW.scale,
    preroll_s: float = 2.0,
) -> Multiview:
    """Plan the multiview of programme frames ``start_frame`` .. ``end_frame`` (exclusive;
    clipped to the programme) as segments in ``cache_dir``, at ``scale`` of the project's
    size; nothing is rendered yet."""
    programme, start, end = proxy_range(project_path, start_frame, end_frame, scale=scale)
    programme, names = with_angles(project_path, programme)  # a multicam's angles too
    ranges = segment_ranges(start, end, segment_frames)
    grid = layout(
        programme.output.width, programme.output.height, picture_sources(programme), columns
    )
    grid = named_tiles(grid, names, programme.output.frame_rate)
    preset = replace(PREVIEW, scale=Fraction(scale))
    preroll = sound_preroll_s(programme, preroll_s)
    programme_keys = segment_keys(programme, ranges, preset=preset, preroll_s=preroll)
    stats = {tile.path: media_stat(tile.path) for tile in grid.tiles}
    clocks = {tile.path: SourceClock(programme, tile.path) for tile in grid.tiles}
    tally = Tally(programme)
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    segments = []
    for frames, programme_key in programme_keys.items():
        shown = range(frames.start, frames.start + frames.frames)
        content = {
            "version": FORMAT_VERSION,
            "programme": programme_key,
            "layout": grid.to_dict(),
            "sources": [
                {
                    "path": tile.path,
                    "media": stats[tile.path],
                    "frames": [clocks[tile.path].frame(t) for t in shown],
                }
                for tile in grid.tiles
            ],
            "tally": [sorted(tally.at(t)) for t in shown],
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        key = "mv" + hashlib.sha256(text.encode()).hexdigest()[:22]
        segments.append(Segment(folder / f"{key}.mp4", frames.start, frames.frames, key))
    return Multiview(programme, tuple(segments), grid, preset, preroll)


def multiview_segments(
    project_path: str | os.PathLike[str],
    start_frame: int,
    end_frame: int,
    cache_dir: str | os.PathLike[str],
    *,
    segment_frames: int = 50,
    columns: int | None = None,
    scale: Fraction = PREVIEW.scale,
    preroll_s: float = 2.0,
    render_now: bool = False,
) -> list[Segment]:
    """The multiview segments of a range (see :func:`open_multiview`); with ``render_now``,
    each is rendered (or found in the cache) before the list is returned."""
    multiview = open_multiview(
        project_path,
        start_frame,
        end_frame,
        cache_dir,
        segment_frames=segment_frames,
        columns=columns,
        scale=scale,
        preroll_s=preroll_s,
    )
    return list(multiview.rendered() if render_now else multiview.segments)


def render_multiview_segment(
    programme: RenderPlan,
    grid: Layout,
    segment: Segment,
    *,
    preset: OutputPreset = PREVIEW,
    preroll_s: float | None = 2.0,
) -> Path:
    """Write ``segment``'s multiview (its pictures and the programme's sound) to its path,
    through a temporary name, as a fragmented MP4."""
    programme = with_offline_media(programme)
    fmt = programme.output
    rate = FrameRate.parse(fmt.frame_rate)
    first_tc = programme.start_timecode_frames + segment.start_frame
    start_tc = frames_to_label(first_tc, rate) if rate.is_smpte else None
    first = sample_at(programme, segment.start_frame)
    sound = ProgrammeSound(programme, mix_start(programme, first, preroll_s))
    sound.skip_to(first)  # the pre-roll: the console settles, nothing is written
    block = max(1, round(fmt.frame_rate))
    with (
        segment_file(segment.path) as temporary,
        MediaWriter(
            temporary,
            video=preset.video_spec(fmt.width, fmt.height, fmt.frame_rate),
            audio=preset.audio_spec(fmt.sample_rate, fmt.channels),
            start_timecode=start_tc,
            options=dict(FRAGMENTED_MP4),
        ) as writer,
    ):
        pictures = multiview_frames(programme, grid, segment.start_frame, segment.frames)
        for at in range(segment.start_frame, segment.start_frame + segment.frames, block):
            count = min(block, segment.start_frame + segment.frames - at)
            for _ in range(count):
                writer.write_video(next(pictures))
            writer.write_audio(sound.until(sample_at(programme, at + count)))
    return segment.path


def multiview_frames(
    programme: RenderPlan, grid: Layout, first: int, count: int
) -> Iterator[Frame]:
    """The multiview's frames for programme frames ``first`` .. ``first + count``."""
    shown = range(first, first + count)
    tiles = [_tile_frames(programme, tile, shown) for tile in grid.tiles]
    labels = [_label(tile) for tile in grid.tiles]
    empty = np.zeros((grid.height, grid.width, 3), np.uint8)
    for tile in grid.tiles:
        _outline(empty, tile, 1, OUTLINE, gap=grid.margin // 2)
    tallies = Tally(programme)
    rate = FrameRate.parse(programme.output.frame_rate)
    clocks = {
        tile.path: SourceClock(programme, tile.path)
        for tile in grid.tiles
        if tile.first_timecode is not None and rate.is_smpte
    }
    for t in shown:
        frame = empty.copy()
        tally = tallies.at(t)
        for tile, pictures in zip(grid.tiles, tiles, strict=True):
            frame[tile.y : tile.y + tile.height, tile.x : tile.x + tile.width] = next(pictures)
            if tile.path in tally:
                _outline(frame, tile, max(2, grid.margin * 2 // 3), TALLY)
        for tile, label in zip(grid.tiles, labels, strict=True):
            clock = clocks.get(tile.path)
            if clock is not None and tile.first_timecode is not None:
                source_tc = frames_to_label(max(0, tile.first_timecode + clock.frame(t)), rate)
                label = _label(replace(tile, name=f"{tile.name}  {source_tc}"))
            frame = label.over(frame)
        yield frame


def _tile_frames(programme: RenderPlan, tile: Tile, shown: range) -> Iterator[Frame]:
    """A tile's pictures for the programme frames ``shown`` (black outside the file)."""
    size = (tile.width, tile.height)
    black = np.zeros((tile.height, tile.width, 3), np.uint8)
    if not Path(tile.path).is_file():
        slate = offline_slate(tile.width, tile.height, tile.name)
        yield from (slate for _ in shown)
        return
    clock = SourceClock(programme, tile.path)
    wanted = [clock.frame(t) for t in shown]
    try:
        reader = VideoReader(tile.path)
    except PostprodError:
        slate = offline_slate(tile.width, tile.height, tile.name)
        yield from (slate for _ in shown)
        return
    try:
        last = (reader.frame_count or 2**31) - 1
        inside = [index for index in wanted if 0 <= index <= last]
        frames = reader.frames_at(inside, size=size, fit="fit") if inside else iter(())
        for index in wanted:
            yield next(frames) if 0 <= index <= last else black
    finally:
        reader.close()


def _outline(
    frame: Frame, tile: Tile, thickness: int, colour: tuple[int, int, int], *, gap: int = 0
) -> None:
    """Draw a ``thickness`` outline around the tile's picture, ``gap`` pixels out from it
    (in the margin, so it never covers the picture)."""
    height, width = frame.shape[:2]
    x0, y0 = max(0, tile.x - gap - thickness), max(0, tile.y - gap - thickness)
    x1 = min(width, tile.x + tile.width + gap + thickness)
    y1 = min(height, tile.y + tile.height + gap + thickness)
    frame[y0 : y0 + thickness, x0:x1] = colour
    frame[y1 - thickness : y1, x0:x1] = colour
    frame[y0:y1, x0 : x0 + thickness] = colour
    frame[y0:y1, x1 - thickness : x1] = colour


def _label(tile: Tile) -> Graphic:
    """The source's name, white on a dark band across the bottom of its picture."""
    glyphs = text_image(tile.name, max(9, tile.height // 9))
    pad = max(2, glyphs.shape[0] // 4)
    band_h = min(tile.height, glyphs.shape[0] + 2 * pad)
    alpha = np.full((band_h, tile.width), 0.6, np.float32)
    white = np.zeros((band_h, tile.width), np.float32)
    h, w = min(glyphs.shape[0], band_h - pad), min(glyphs.shape[1], tile.width - 2 * pad)
    left = max(pad, (tile.width - w) // 2)
    if h > 0 and w > 0:
        white[pad : pad + h, left : left + w] = glyphs[:h, :w]
    alpha = alpha + (1.0 - alpha) * white
    colour = (white * np.float32(255.0))[..., None].repeat(3, axis=2)
    return Graphic(tile.y + tile.height - band_h, tile.x, colour, alpha[..., None])


# -- the sound -------------------------------------------------------------------------------
