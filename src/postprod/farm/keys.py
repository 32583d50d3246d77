"""Task keys: a hash of exactly what a task renders, so a retry, a resumed job or a second
submission of the same work finds the same key (and the same finished file), and a changed
edit, setting or source file gives a new one (versions never mix)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from postprod.farm.split import Segment
from postprod.planner.plan import RenderPlan, VideoSpan

#: Bumped when what a task writes changes for the same inputs.
_VERSION = 1


def segment_key(plan: RenderPlan, segment: Segment, settings: dict[str, Any]) -> str:
    """The key of ``segment``'s picture: the spans it shows, the format, the settings and
    the size and time of each source file it reads."""
    end = segment.end

    def shown(track: tuple[VideoSpan, ...]) -> list[VideoSpan]:
        return [s for s in track if s.start < end and segment.start < s.start + s.length]

    data = plan.to_dict()
    spans = [shown(plan.video), *(shown(track) for track in plan.overlays)]
    files = sorted(
        {src.path for track in spans for s in track for src in (s.a, s.b) if src is not None}
    )
    chosen = {
        "version": _VERSION,
        "what": "picture",
        "output": data["output"],
        "timecode": plan.start_timecode_frames,
        "range": [segment.start, segment.frames],
        "spans": RenderPlan(plan.output, plan.frames, overlays=tuple(map(tuple, spans))).to_dict()[
            "overlays"
        ],
        "files": [_stat(path) for path in files],
        "settings": settings,
    }
    return "postprod-picture-" + _digest(chosen)


def sound_key(plan: RenderPlan, settings: dict[str, Any]) -> str:
    """The key of the programme's sound over the plan's range: tracks, console, range,
    the sound settings and each sound file's size and time."""
    data = plan.to_dict()
    span = plan.output_range
    chosen = {
        "version": _VERSION,
        "what": "sound",
        "output": data["output"],
        "range": [span.start, span.frames],
        "tracks": data["tracks"],
        "console": data["console"],
        "files": [_stat(path) for path in sorted({s.path for s in plan.audio})],
        "settings": settings,
    }
    return "postprod-sound-" + _digest(chosen)


def _stat(path: str) -> list[Any]:
    try:
        info = os.stat(path)
    except OSError:
        return [path, None]
    return [str(Path(path)), info.st_size, info.st_mtime_ns]


def _digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
