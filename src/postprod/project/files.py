"""Open and save postprod projects: OpenTimelineIO ``.otio`` files, saved atomically.

A project is data, never code: it is read with OTIO's JSON reader and nothing
in it is executed. A save goes to a temporary file beside the target and is
renamed over it only when complete, so a crash never leaves half a project.
"""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio
from opentimelineio.adapters import otio_json

from postprod.atomic import write_text
from postprod.errors import MediaNotFoundError, ProjectError
from postprod.project.checks import check_times, refuse_deep_nesting


def load_project(path: str | os.PathLike[str]) -> otio.schema.Timeline:
    """Read a ``.otio`` project; a missing, malformed or non-timeline file is the user's mistake."""
    path = Path(path)
    if not path.is_file():
        raise MediaNotFoundError(
            f"project {path} does not exist", where=str(path), fix="check the path"
        )
    refuse_deep_nesting(path.read_text(encoding="utf-8"), path)
    try:
        # OTIO's JSON reader itself: no plugin manifest, no adapter packages, no hooks.
        loaded = otio_json.read_from_file(str(path))
    except (ValueError, KeyError, otio.exceptions.OTIOError) as error:
        raise ProjectError(
            f"project {path} is not valid OpenTimelineIO JSON ({error})",
            where=str(path),
            fix="open it in a text editor or re-export it from the editing tool",
        ) from error
    if not isinstance(loaded, otio.schema.Timeline):
        raise ProjectError(
            f"project {path} holds a {type(loaded).__name__}, not a Timeline",
            where=str(path),
            fix="save a timeline (not a bin or a clip) as the project",
        )
    check_times(loaded, path)
    return loaded


def save_project(timeline: otio.schema.Timeline, path: str | os.PathLike[str]) -> Path:
    """Write ``timeline`` as OTIO JSON to ``path`` atomically; returns the path written."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ProjectError(
            f"folder {path.parent} does not exist",
            where=str(path),
            fix="create the folder or choose another output path",
        )
    return write_text(path, project_json(timeline))


def project_json(timeline: otio.schema.Timeline) -> str:
    """The project's text: OTIO JSON indented by 2, written by OTIO's JSON writer itself."""
    return str(otio_json.write_to_string(timeline, indent=2))
