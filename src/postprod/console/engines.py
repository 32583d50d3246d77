"""Small adapters from the console to the library engines it shows and plays through.

The engines (``postprod.render.preview``, ``postprod.render.waveform``,
``postprod.render.thumbnails``, ``postprod.render.meters``) are library code,
usable and tested without the console; each adapter here only turns the
console's request (frames from the programme's start, a media file) into the
engine's call and its answer into JSON-ready data. An engine that is not
installed is :class:`EngineMissing` (the API answers 503 with its line).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from postprod.errors import PostprodError


class EngineMissing(PostprodError):
    """An engine the console calls is not part of this installation yet."""


def _engine(module: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is not None and module.startswith(error.name):
            raise EngineMissing(
                f"the {what} engine ({module}) is not installed", fix="update postprod"
            ) from None
        raise


def preview(project: Path, start_frame: int, end_frame: int) -> dict[str, Any]:
    """``{"segments": [{"url", "start_frame", "frames"}], "playlist": url}`` of a range."""
    _engine("postprod.render.preview", "preview")
    raise EngineMissing("preview is not wired to the console yet", fix="update postprod")


def peaks(project: Path, media: Path) -> dict[str, Any]:
    """``{"sample_rate", "samples_per_peak", "channels"}`` of a media file."""
    _engine("postprod.render.waveform", "waveform")
    raise EngineMissing("waveforms are not wired to the console yet", fix="update postprod")


def thumbnail(project: Path, media: Path, frame: int, width: int) -> bytes:
    """A JPEG of a media file's frame, ``width`` pixels wide."""
    _engine("postprod.render.thumbnails", "thumbnail")
    raise EngineMissing("thumbnails are not wired to the console yet", fix="update postprod")


def meters(project: Path, from_frame: int, to_frame: int) -> Iterator[dict[str, Any]]:
    """Meter frames of a range of the mix, one a programme frame, as WebSocket messages."""
    _engine("postprod.render.meters", "meter")
    raise EngineMissing("meters are not wired to the console yet", fix="update postprod")


__all__ = ["EngineMissing", "meters", "peaks", "preview", "thumbnail"]
