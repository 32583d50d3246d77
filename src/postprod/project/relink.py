"""Relink: find media that moved or was renamed, by file name, reel, start timecode and duration.

The search folders are walked once (``os.scandir``) into an index by file
name and by name without its extension. A clip whose media is missing looks
up, in order: its file's name, its file's stem (a proxy in another format),
its reel (EDLs carry reels, not files), its own name. Several candidates are
told apart by probing each one's start timecode and length against the
clip's media range and source range; a file that cannot hold the clip's
source range is never chosen. What stays missing is reported, with why;
the renderer shows it as an offline slate.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path, PureWindowsPath
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from postprod.errors import PostprodError
from postprod.timeline.slots import Where, slots

#: Files worth indexing: picture, sound and camera formats.
MEDIA_SUFFIXES = frozenset(
    {
        ".mov", ".mp4", ".m4v", ".mxf", ".mkv", ".avi", ".webm", ".mts", ".m2ts", ".r3d",
        ".braw", ".ari", ".dng", ".dpx", ".exr", ".wav", ".bwf", ".aif", ".aiff", ".flac",
        ".m4a", ".mp3", ".ogg", ".opus", ".caf",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Relinked:
    """A clip now pointing at a found file, and what matched it."""

    clip: str
    old_url: str
    new_path: str
    matched_by: str  # "name", "stem", "reel", "clip name", each "+ timecode" when probing chose
    track: str | None = None  # the top-level track the clip is on
    at: int | None = None  # the record frame its item (the clip, or a nested one) starts at


@dataclass(frozen=True, slots=True)
class Missing:
    """A clip whose media is still not found, and why."""

    clip: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class RelinkReport:
    """Which clips were pointed at which files, and which are still missing."""

    relinked: tuple[Relinked, ...]
    missing: tuple[Missing, ...]


@dataclass(frozen=True, slots=True)
class _Span:
    """A file's extent on its own timecode: start and length in seconds."""

    start_s: float | None
    duration_s: float


def _walk(folder: Path) -> Iterator[Path]:
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue  # unreadable folder: skip it, as a file manager would
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif Path(entry.name).suffix.lower() in MEDIA_SUFFIXES:
                yield Path(entry.path)


def build_index(folders: Iterable[Path]) -> dict[str, list[Path]]:
    """Media files under ``folders`` by lower-case name and by lower-case stem (one walk)."""
    index: dict[str, list[Path]] = defaultdict(list)
    for folder in folders:
        for path in _walk(Path(folder)):
            index[path.name.lower()].append(path)
            index["stem:" + path.stem.lower()].append(path)
    return index


def url_path(url: str, project_folder: Path | None = None) -> Path:
    """The local path a ``target_url`` names (``file://`` URLs decoded, relative to the project)."""
    if "://" in url:
        parsed = urlparse(url)
        text = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            text = f"//{parsed.netloc}{text}"
        if len(text) > 2 and text[0] == "/" and text[2] == ":":  # /C:/... from a Windows URL
            text = text[1:]
    else:
        text = url
    path = Path(text)
    if not path.is_absolute() and project_folder is not None and "://" not in url:
        path = project_folder / path
    return path


def _file_name(url: str) -> str:
    return PureWindowsPath(unquote(urlparse(url).path if "://" in url else url)).name


def _prober() -> Callable[[Path], _Span | None] | None:
    """Start timecode and length of a file through postprod.media, or None if it is not there."""
    try:
        from postprod.media.probe import probe
    except ImportError:
        return None

    def span(path: Path) -> _Span | None:
        try:
            info = probe(path)
        except (PostprodError, OSError):
            return None
        start = None
        if info.start_timecode:
            video = info.video
            rate = video.frame_rate if video is not None and video.frame_rate else None
            start = _timecode_seconds(info.start_timecode, float(rate) if rate else None)
        return _Span(start, float(info.duration_s))

    return span


def _timecode_seconds(label: str, rate: float | None) -> float | None:
    for candidate in [rate] if rate else [24.0, 25.0, 30000 / 1001, 30.0]:
        try:
            return float(otio.opentime.from_timecode(label, candidate).to_seconds())
        except (ValueError, TypeError):
            continue
    return None


def _fits(span: _Span, clip: otio.schema.Clip) -> bool:
    """Whether a file with ``span`` can be the clip's media: same range, or holds the clip's range."""
    reference = clip.media_reference
    rate = clip.source_range.duration.rate if clip.source_range else 24.0
    tolerance = 1.5 / rate
    available = reference.available_range if reference is not None else None
    if available is not None and span.start_s is not None:
        if abs(available.start_time.to_seconds() - span.start_s) > tolerance:
            return False
        return bool(abs(available.duration.to_seconds() - span.duration_s) <= tolerance)
    source = clip.source_range
    if source is None:
        return available is None or bool(
            abs(available.duration.to_seconds() - span.duration_s) <= tolerance
        )
    start = span.start_s or 0.0
    first = source.start_time.to_seconds()
    end = source.end_time_exclusive().to_seconds()
    return bool(first >= start - tolerance and end <= start + span.duration_s + tolerance)


def relink(
    timeline: otio.schema.Timeline,
    search: Iterable[str | os.PathLike[str]],
    project_folder: Path | None = None,
) -> RelinkReport:
    """Point every clip whose media file is missing at a file found under ``search``, in place."""
    index = build_index(Path(folder) for folder in search)
    probe_span = _prober()
    spans: dict[Path, _Span | None] = {}

    def span_of(path: Path) -> _Span | None:
        if probe_span is None:
            return None
        if path not in spans:
            spans[path] = probe_span(path)
        return spans[path]

    relinked: list[Relinked] = []
    missing: list[Missing] = []
    for clip, track, at in _placed_clips(timeline):
        reference = clip.media_reference
        if not isinstance(reference, otio.schema.ExternalReference) or not reference.target_url:
            continue
        url = reference.target_url
        if url_path(url, project_folder).is_file():
            continue
        name = _file_name(url)
        reel = str((clip.metadata.get("cmx_3600") or {}).get("reel") or "")
        keys = [
            ("name", name.lower()),
            ("stem", "stem:" + Path(name).stem.lower()),
            ("reel", "stem:" + reel.lower()),
            ("clip name", "stem:" + clip.name.lower()),
        ]
        chosen: tuple[Path, str] | None = None
        reason = "no file of that name, reel or clip name under the search folders"
        for how, key in keys:
            if key in ("", "stem:") or key not in index:
                continue
            candidates = sorted(set(index[key]))
            if len(candidates) == 1 and how == "name":
                chosen = (candidates[0], how)
                break
            if probe_span is None:
                if len(candidates) == 1:
                    chosen = (candidates[0], how)
                    break
                reason = f"{len(candidates)} files match by {how} and media probing is unavailable"
                continue
            fitting = [c for c in candidates if (s := span_of(c)) is not None and _fits(s, clip)]
            if len(fitting) == 1:
                chosen = (fitting[0], how if len(candidates) == 1 else f"{how} + timecode")
                break
            reason = f"{len(fitting)} of {len(candidates)} files matching by {how} fit the clip's timecode and length"
        if chosen is None:
            missing.append(Missing(clip.name, url, reason))
            continue
        reference.target_url = str(chosen[0].resolve())
        relinked.append(Relinked(clip.name, url, reference.target_url, chosen[1], track, at))
    return RelinkReport(tuple(relinked), tuple(missing))


def _placed_clips(
    timeline: otio.schema.Timeline,
) -> Iterator[tuple[otio.schema.Clip, str | None, int | None]]:
    """Every clip (as ``find_clips`` orders them) with its top-level track and the record
    frame its item there (the clip, or the nested item holding it) starts at; None for both
    where the track is not on whole frames of the timeline's rate."""
    try:
        rate: Fraction | None = Where.of(timeline).rate
    except PostprodError:
        rate = None
    for track in timeline.tracks:
        try:
            found = slots(track, rate) if rate and isinstance(track, otio.schema.Track) else None
        except PostprodError:
            found = None
        if found is None:
            for clip in track.find_clips() if isinstance(track, otio.core.Composition) else []:
                yield clip, None, None
            continue
        for slot in found:
            if isinstance(slot.item, otio.schema.Clip):
                yield slot.item, track.name, slot.start
            elif isinstance(slot.item, otio.core.Composition):
                for clip in slot.item.find_clips():
                    yield clip, track.name, slot.start
