"""Small adapters from the console to the library engines it shows and plays through.

The engines (``postprod.render.preview`` and ``.multiview``, ``postprod.render.waveform``,
``postprod.render.thumbnails``, ``postprod.render.meters``) are library code,
usable and tested without the console; each adapter here only turns the
console's request (frames from the programme's start, a media file) into the
engine's call and its answer into JSON-ready data. An engine that is not
installed is :class:`EngineMissing` (the API answers 503 with its line).
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from postprod.errors import PostprodError


class EngineMissing(PostprodError):
    """An engine the console calls is not part of this installation yet."""


class NotFound(PostprodError):
    """Something the request names that the console does not have (a preview forgotten)."""


def _engine(module: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is not None and module.startswith(error.name):
            raise EngineMissing(
                f"the {what} engine ({module}) is not installed", fix="update postprod"
            ) from None
        raise


class Previews:
    """Preview ranges the tabs asked for, and their segments, rendered when first fetched.

    ``open`` plans a range (nothing rendered) and names each segment by its content
    key; ``segment`` renders one (or finds it in the cache, ``P.otio.cache/KIND``)
    when its address is fetched. The last :data:`KEEP` ranges are remembered. ``kind``
    names the engine: ``preview`` (the programme, ``postprod.render.preview``) or
    ``multiview`` (its sources side by side, ``postprod.render.multiview``).
    """

    KEEP = 32
    OPENERS: ClassVar[dict[str, str]] = {"preview": "open_preview", "multiview": "open_multiview"}

    def __init__(self, project: Path, kind: str = "preview") -> None:
        self.project = project
        self.kind = kind
        self.cache = project.with_name(project.name + ".cache") / kind
        self._ranges: OrderedDict[str, Any] = OrderedDict()  # range id -> Preview
        self._segments: dict[str, Any] = {}  # segment key -> Preview holding it
        self._lock = threading.Lock()
        self._rendering: dict[str, threading.Lock] = {}

    def open(self, start_frame: int, end_frame: int, prefix: str, **options: Any) -> dict[str, Any]:
        """``{"segments": [{"url", "start_frame", "frames", "ready", "key"}], "playlist"}``;
        ``options`` go to the engine (a multiview's ``columns``)."""
        engine = _engine(f"postprod.render.{self.kind}", self.kind)
        opener = getattr(engine, self.OPENERS[self.kind])
        preview = opener(self.project, start_frame, end_frame, self.cache, **options)
        range_id = hashlib.sha256(
            "/".join(segment.key for segment in preview.segments).encode()
        ).hexdigest()[:24]
        with self._lock:
            self._ranges[range_id] = preview
            self._ranges.move_to_end(range_id)
            while len(self._ranges) > self.KEEP:
                self._ranges.popitem(last=False)
            self._segments = {
                segment.key: kept for kept in self._ranges.values() for segment in kept.segments
            }
            # the render locks of segments no kept range holds go with them
            self._rendering = {
                key: lock for key, lock in self._rendering.items() if key in self._segments
            }
        return {
            "segments": [
                {
                    "url": f"{prefix}{segment.key}.mp4",
                    "start_frame": segment.start_frame,
                    "frames": segment.frames,
                    "ready": segment.ready,
                    "key": segment.key,
                }
                for segment in preview.segments
            ],
            "playlist": f"{prefix}{range_id}.m3u8",
        }

    def segment(self, key: str) -> Path:
        """The file of segment ``key``, rendered now if it is not cached."""
        with self._lock:
            preview = self._segments.get(key)
            rendering = self._rendering.setdefault(key, threading.Lock())
        if preview is None:
            raise NotFound(f"no preview segment {key}", fix="ask for the preview again")
        with rendering:  # two tabs asking for one segment render it once
            path: Path = preview.render(preview.segment(key))
        return path

    def playlist(self, range_id: str, prefix: str) -> str:
        """The HLS playlist of a range (segment addresses under ``prefix``)."""
        engine = _engine("postprod.render.preview", "preview")  # one playlist for every kind
        with self._lock:
            preview = self._ranges.get(range_id)
        if preview is None:
            raise NotFound(f"no preview {range_id}", fix="ask for the preview again")
        text: str = engine.playlist(list(preview.segments), preview.frame_rate, url_prefix=prefix)
        return text


def _cache(project: Path, kind: str) -> Path:
    """``P.otio.cache/KIND``: where the engines keep what they made for this project."""
    return project.with_name(project.name + ".cache") / kind


def peaks(project: Path, media: Path) -> dict[str, Any]:
    """``{"sample_rate", "samples_per_peak", "channels": [[min, max, ...], ...]}`` of a file."""
    engine = _engine("postprod.render.waveform", "waveform")
    answer: dict[str, Any] = engine.peaks(media, _cache(project, "peaks")).to_dict()
    return answer


def thumbnail(project: Path, media: Path, frame: int, width: int) -> Path:
    """A JPEG of a media file's frame, ``width`` pixels wide (cached)."""
    engine = _engine("postprod.render.thumbnails", "thumbnail")
    path: Path = engine.thumbnail(media, frame, width, _cache(project, "thumbnails"))
    return path


def meters(project: Path, from_frame: int, to_frame: int) -> Iterator[dict[str, Any]]:
    """Meter frames of a range of the mix (25 a second of programme), as WebSocket messages."""
    engine = _engine("postprod.render.meters", "meter")
    for frame in engine.meter_frames(project, from_frame, to_frame):
        message: dict[str, Any] = frame.to_dict()
        yield message


__all__ = ["EngineMissing", "NotFound", "Previews", "meters", "peaks", "thumbnail"]
