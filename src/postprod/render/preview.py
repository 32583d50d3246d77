"""Preview a range of the programme: short proxy segments, rendered on demand and cached.

The range is cut into segments of ``segment_frames`` (two seconds at 25 fps).
Each is a self-contained fragmented MP4 (H.264 + AAC at proxy size; its own
``moov`` first, then fragments that start on a keyframe), so a player (a
``<video>`` element, or Media Source Extensions with ``timestampOffset`` set to
the segment's start) plays it alone or joins it to the next. Each file's
timestamps start at zero.

A segment is named by a content hash of everything that makes its pictures and
sound (:func:`segment_key`): the picture spans it shows, the sound segments
that play in it or in its pre-roll, each track's strip and the set of media it
uses, the console, the output format, the preset, the pre-roll and the size
and modification time of every media file involved. An unchanged range plays
again at once; an edit re-renders only the segments whose content it changes.
Files are written under a temporary name and renamed when complete, so a
reader never sees half a segment, and two renders of one segment do not clash.

Sound: each segment's sound is mixed by the real console from ``preroll_s``
before the segment (its effects and ducking settle there, as in the whole
mix), so consecutive segments join: the sound of a segment equals the same
samples of the whole programme's mix once every tail that reaches into it is
shorter than the pre-roll (tests/test_preview.py measures it). One effect
remembers more than any pre-roll: the pitch shifter (a phase vocoder) gives
other samples whenever it starts elsewhere (measured: -5 dBFS of difference
on the demo's dubbed line, the voice's phase, not its level), so a session
with a pitch shift anywhere mixes each segment from the programme's start
(:func:`sound_preroll_s`): exact, and slower the later the range. What AAC
adds at each file's edges (its priming) is the encoder's, not the mix's.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from postprod.errors import RenderError
from postprod.planner.plan import FrameRange, RenderPlan, plan
from postprod.project import load_project
from postprod.render.engine import RenderResult, render
from postprod.render.presets import PROXY, OutputPreset
from postprod.render.project import output_format

#: Bump when what a segment holds changes for the same inputs (the encoder, the layout).
FORMAT_VERSION = 1

#: A fragmented MP4 whose every fragment starts on a keyframe, ``moov`` first (MSE-ready).
FRAGMENTED_MP4 = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}

#: Effects whose output depends on where the console started, however long the pre-roll.
FROM_START_EFFECTS = frozenset({"pitch_shift"})

#: The preview's encoder: the proxy's (fastest x264, CRF 28), AAC at 128 kb/s.
PREVIEW = replace(
    PROXY, name="preview", description="console preview segments", audio_bit_rate=128_000
)


@dataclass(frozen=True, slots=True)
class Segment:
    """``frames`` programme frames from ``start_frame``, cached as ``path`` (name: ``key``)."""

    path: Path
    start_frame: int
    frames: int
    key: str

    @property
    def ready(self) -> bool:
        """Whether the file is rendered (then it plays at once)."""
        return self.path.is_file()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "path": str(self.path),
            "start_frame": self.start_frame,
            "frames": self.frames,
            "ready": self.ready,
        }


class Segments:
    """A planned range cut into segments (a :class:`Preview`, a multiview): each found by
    its key and rendered when asked. Subclasses hold ``plan`` and ``segments`` and say how
    one segment is rendered."""

    __slots__ = ()
    plan: RenderPlan
    segments: tuple[Segment, ...]

    @property
    def frame_rate(self) -> Fraction:
        return self.plan.output.frame_rate

    def segment(self, key: str) -> Segment:
        """The segment named ``key`` (the server's URL names it)."""
        for segment in self.segments:
            if segment.key == key:
                return segment
        raise RenderError(f"no preview segment {key!r}", fix="ask for the preview again")

    def render(self, segment: Segment) -> Path:
        """The segment's file, rendered now if it is not cached."""
        raise NotImplementedError

    def rendered(self) -> Iterator[Segment]:
        """Every segment in order, each rendered as it comes."""
        for segment in self.segments:
            self.render(segment)
            yield segment


@dataclass(frozen=True, slots=True)
class Preview(Segments):
    """A planned preview of a range: its segments (named, not yet rendered) and the plan."""

    plan: RenderPlan
    segments: tuple[Segment, ...]
    preset: OutputPreset = PREVIEW
    preroll_s: float | None = 2.0  # None: each segment's sound mixed from the start

    def render(self, segment: Segment) -> Path:
        """The segment's file, rendered now if it is not cached."""
        if segment.ready:
            return segment.path
        render_segment(self.plan, segment, preset=self.preset, preroll_s=self.preroll_s)
        return segment.path


def open_preview(
    project_path: str | os.PathLike[str],
    start_frame: int,
    end_frame: int,
    cache_dir: str | os.PathLike[str],
    *,
    segment_frames: int = 50,
    scale: Fraction = PREVIEW.scale,
    preroll_s: float = 2.0,
) -> Preview:
    """Plan programme frames ``start_frame`` .. ``end_frame`` (exclusive; clipped to the
    programme) of ``project_path`` as segments in ``cache_dir`` at ``scale`` of the
    project's size; nothing is rendered yet."""
    programme, start, end = proxy_range(project_path, start_frame, end_frame, scale=scale)
    preset = replace(PREVIEW, scale=Fraction(scale))
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    preroll = sound_preroll_s(programme, preroll_s)
    keys = segment_keys(
        programme, segment_ranges(start, end, segment_frames), preset=preset, preroll_s=preroll
    )
    segments = tuple(
        Segment(folder / f"{key}.mp4", frames.start, frames.frames, key)
        for frames, key in keys.items()
    )
    return Preview(programme, segments, preset, preroll)


def proxy_range(
    project_path: str | os.PathLike[str],
    start_frame: int,
    end_frame: int,
    *,
    scale: Fraction = PREVIEW.scale,
) -> tuple[RenderPlan, int, int]:
    """The project's plan at ``scale`` of its size (the proxy's), and ``start_frame`` ..
    ``end_frame`` clipped to the programme; an empty range is refused."""
    path = Path(project_path)
    timeline = load_project(path)
    preset = replace(PREVIEW, scale=Fraction(scale))
    output = output_format(timeline, path.parent)
    width, height = preset.size(output.width, output.height)
    programme = plan(
        timeline, replace(output, width=width, height=height), project_folder=path.parent
    )
    start, end = max(0, start_frame), min(end_frame, programme.frames)
    if end <= start:
        raise RenderError(
            f"frames {start_frame}-{end_frame} are not in the programme (0-{programme.frames})",
            fix="give a range inside the programme",
        )
    return programme, start, end


def segment_ranges(start: int, end: int, segment_frames: int) -> list[FrameRange]:
    """Frames ``start`` .. ``end`` cut into ranges of ``segment_frames`` (the last shorter)."""
    if segment_frames <= 0:
        raise RenderError(f"segments of {segment_frames} frames", fix="give at least one frame")
    return [FrameRange(s, min(segment_frames, end - s)) for s in range(start, end, segment_frames)]


@contextmanager
def segment_file(target: Path) -> Iterator[Path]:
    """A temporary name beside ``target`` (its suffix kept, so the muxer is the same, and
    its own, so two renders of one segment do not clash), renamed over ``target`` when the
    block ends without an error, removed otherwise."""
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}{target.suffix}")
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def preview_segments(
    project_path: str | os.PathLike[str],
    start_frame: int,
    end_frame: int,
    cache_dir: str | os.PathLike[str],
    *,
    segment_frames: int = 50,
    scale: Fraction = PREVIEW.scale,
    preroll_s: float = 2.0,
    render_now: bool = False,
) -> list[Segment]:
    """The segments of a range (see :func:`open_preview`); with ``render_now``, each is
    rendered (or found in the cache) before the list is returned."""
    preview = open_preview(
        project_path,
        start_frame,
        end_frame,
        cache_dir,
        segment_frames=segment_frames,
        scale=scale,
        preroll_s=preroll_s,
    )
    return list(preview.rendered() if render_now else preview.segments)


def render_segment(
    programme: RenderPlan,
    segment: Segment,
    *,
    preset: OutputPreset = PREVIEW,
    preroll_s: float | None = 2.0,
    muxer_options: Mapping[str, str] | None = None,
) -> RenderResult:
    """Render ``segment`` of ``programme`` to its path, through a temporary name.

    ``programme`` is at the preview's size already; ``muxer_options`` default to a
    fragmented MP4 for MP4 presets (a PCM test preset in MOV passes ``{}``)."""
    options = dict(FRAGMENTED_MP4 if muxer_options is None else muxer_options)
    with segment_file(segment.path) as temporary:
        result = render(
            programme.with_range(FrameRange(segment.start_frame, segment.frames)),
            temporary,
            preset=preset,
            preroll_s=preroll_s,
            muxer_options=options,
        )
    return replace(result, path=segment.path)


def segment_keys(
    programme: RenderPlan,
    ranges: list[FrameRange],
    *,
    preset: OutputPreset = PREVIEW,
    preroll_s: float | None = 2.0,
) -> dict[FrameRange, str]:
    """Each range's content hash (see the module's notes), 24 hex digits of SHA-256."""
    data = programme.to_dict()
    fmt = programme.output
    stat_cache: dict[str, list[int] | None] = {}
    common = {
        "version": FORMAT_VERSION,
        "output": data["output"],
        "start_timecode_frames": data["start_timecode_frames"],
        "console": data["console"],
        "preset": {
            "codec": preset.video_codec,
            "pixel_format": preset.pixel_format,
            "options": preset.video_options,
            "audio": [preset.audio_codec, preset.audio_bit_rate],
            "scale": str(preset.scale),
        },
        "preroll_s": preroll_s,
        # a track's width (mono, stereo, 5.1) follows all of its media
        "track_media": {
            track["name"]: sorted({segment["path"] for segment in track["segments"]})
            for track in data["tracks"]
        },
    }
    keys: dict[FrameRange, str] = {}
    for frames in ranges:
        end = frames.start + frames.frames
        first_sample = round(Fraction(frames.start) / fmt.frame_rate * fmt.sample_rate)
        heard_from = 0 if preroll_s is None else first_sample - round(preroll_s * fmt.sample_rate)
        heard_to = round(Fraction(end) / fmt.frame_rate * fmt.sample_rate)
        video = [_shown(data["video"], frames.start, end)] + [
            _shown(track, frames.start, end) for track in data["overlays"]
        ]
        tracks = [
            {
                "name": track["name"],
                "strip": track["strip"],
                "segments": [
                    s
                    for s in track["segments"]
                    if s["start"] < heard_to and heard_from < s["start"] + s["length"]
                ],
            }
            for track in data["tracks"]
        ]
        paths = sorted(
            {
                *(
                    side["path"]
                    for track in video
                    for span in track
                    for side in (span["a"], span["b"])
                    if side is not None and side.get("title") is None
                ),
                *(s["path"] for track in tracks for s in track["segments"]),
            }
        )
        media = {p: stat_cache.setdefault(p, media_stat(p)) for p in paths}
        content = {
            **common,
            "range": [frames.start, frames.frames],
            "video": video,
            "tracks": tracks,
            "media": media,
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        keys[frames] = hashlib.sha256(text.encode()).hexdigest()[:24]
    return keys


def sound_preroll_s(programme: RenderPlan, preroll_s: float) -> float | None:
    """The pre-roll a range's sound is mixed from: ``preroll_s``, or ``None`` (from the
    programme's start) when a chain holds an effect of :data:`FROM_START_EFFECTS`."""
    chains = [
        *(track.strip.inserts for track in programme.tracks),
        *(segment.effects for segment in programme.audio),
        *(bus.inserts for bus in programme.console.buses),
        programme.console.master_inserts,
    ]
    if any(spec.name in FROM_START_EFFECTS for chain in chains for spec in chain):
        return None
    return preroll_s


def _shown(spans: list[dict[str, Any]], start: int, end: int) -> list[dict[str, Any]]:
    """The spans of a track that show in frames ``start`` .. ``end``."""
    return [s for s in spans if s["start"] < end and start < s["start"] + s["length"]]


def media_stat(path: str) -> list[int] | None:
    """A media file's size and modification time (ns); ``None`` when it is missing."""
    try:
        info = Path(path).stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def playlist(segments: list[Segment], frame_rate: Fraction, *, url_prefix: str = "") -> str:
    """An HLS media playlist (VOD) of ``segments``: ``EXT-X-TARGETDURATION`` and each
    segment's duration (``EXTINF``, three decimals), URLs ``url_prefix + file name``.

    Each segment is a self-initialising fragmented MP4 (its own ``moov``), marked as a
    discontinuity so a player re-reads its initialisation; Media Source Extensions front
    ends can append the files directly instead."""
    durations = [float(Fraction(s.frames) / frame_rate) for s in segments]
    target = max((int(-(-d // 1)) for d in durations), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{max(1, target)}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for index, (segment, duration) in enumerate(zip(segments, durations, strict=True)):
        if index:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXTINF:{duration:.3f},")
        lines.append(f"{url_prefix}{segment.path.name}")
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
