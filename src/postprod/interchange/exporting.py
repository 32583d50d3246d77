"""Write a timeline in the format its file suffix names, atomically, or refuse clearly.

Everything goes to a temporary name beside the target and is renamed over
it when complete. Adapters that only write to a path get a temporary path
with the right suffix. What a format cannot hold is refused before writing,
with the way out: an EDL holds one video track and at most two audio tracks
(export .otio, .xml or .aaf for more, or disable the other tracks). How each
format is written is its :class:`~postprod.interchange.formats.Format`'s ``write`` hook.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.errors import InterchangeError
from postprod.interchange.failures import is_bad_input, write_failure
from postprod.interchange.formats import format_for
from postprod.interchange.losses import InterchangeWarning, losses


def export_timeline(
    timeline: otio.schema.Timeline,
    path: str | os.PathLike[str],
    *,
    media_folder: Path | None = None,
    strict: bool = False,
    **options: Any,
) -> Path:
    """Write ``timeline`` in the format of ``path``'s suffix, atomically; returns the path.

    ``media_folder`` is where relative media paths point (the project's
    folder); they are made absolute in what is written, so the other tool
    (or an .otioz bundle) finds the media. The timeline itself is not changed.
    What the format cannot carry is one :class:`InterchangeWarning` per kind, or, with
    ``strict``, an error before anything is written.
    """
    target = Path(path)
    fmt = format_for(target)
    if not target.parent.is_dir():
        raise InterchangeError(
            f"folder {target.parent} does not exist", where=str(target), fix="create it"
        )
    lost = losses(fmt.name, timeline)
    if lost and strict:
        raise InterchangeError(
            "; ".join(loss.message(fmt.name) for loss in lost),
            where=str(target),
            fix="export .otio (which keeps everything), or export without --strict",
        )
    for loss in lost:
        warnings.warn(InterchangeWarning(loss.message(fmt.name)), stacklevel=2)
    timeline = _with_absolute_media(timeline, media_folder)  # also the copy adapters may change
    if not fmt.keeps_generators:
        _generators_as_missing_media(timeline)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fmt.write(fmt, timeline, target, options)
    except InterchangeError:
        raise
    except Exception as error:
        if is_bad_input(error):
            raise write_failure(target, fmt.adapter, error) from None
        raise
    return target


def _generators_as_missing_media(timeline: otio.schema.Timeline) -> None:
    """Generated clips (titles) as clips of missing media, their settings in the metadata:
    the FCP XML writers fail on OTIO generator references, and an EDL has no titles."""
    for clip in timeline.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.GeneratorReference):
            clip.media_reference = otio.schema.MissingReference(
                name=reference.name,
                available_range=reference.available_range,
                metadata={
                    "postprod": {"generator": reference.generator_kind, **reference.parameters}
                },
            )


def _with_absolute_media(
    timeline: otio.schema.Timeline, folder: Path | None
) -> otio.schema.Timeline:
    copy = timeline.deepcopy()
    if folder is None:
        return copy
    for clip in copy.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.ExternalReference) and reference.target_url:
            url = reference.target_url
            if "://" not in url and not Path(url).is_absolute():
                reference.target_url = str((folder / url).resolve())
    return copy
