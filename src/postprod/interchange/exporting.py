"""Write a timeline in the format its file suffix names, atomically, or refuse clearly.

Everything goes to a temporary name beside the target and is renamed over
it when complete. Adapters that only write to a path get a temporary path
with the right suffix. What a format cannot hold is refused before writing,
with the way out: an EDL holds one video track and at most two audio tracks
(export .otio, .xml or .aaf for more, or disable the other tracks).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.atomic import replacing, write_text
from postprod.errors import InterchangeError
from postprod.interchange.edl import global_to_record_start, with_fcm
from postprod.interchange.edl_wipes import wipes_to_edl
from postprod.interchange.formats import adapter_for, is_bad_input, write_failure


def export_timeline(
    timeline: otio.schema.Timeline,
    path: str | os.PathLike[str],
    *,
    media_folder: Path | None = None,
    **options: Any,
) -> Path:
    """Write ``timeline`` in the format of ``path``'s suffix, atomically; returns the path.

    ``media_folder`` is where relative media paths point (the project's
    folder); they are made absolute in what is written, so the other tool
    (or an .otioz bundle) finds the media. The timeline itself is not changed.
    """
    target = Path(path)
    adapter = adapter_for(target)
    if not target.parent.is_dir():
        raise InterchangeError(
            f"folder {target.parent} does not exist", where=str(target), fix="create it"
        )
    timeline = _with_absolute_media(timeline, media_folder)  # also the copy adapters may change
    if adapter not in ("otio_json", "otioz"):
        _generators_as_missing_media(timeline)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            if adapter == "cmx_3600":
                _write_edl(timeline, target, options)
            elif target.suffix.lower() == ".fcpxmld":
                _write_bundle(timeline, target, options)
            elif adapter in ("otio_json", "fcp_xml", "fcpx_xml"):
                text = otio.adapters.write_to_string(timeline, adapter_name=adapter, **options)
                write_text(target, text)
            else:  # otioz and AAF write to a path, and look at its suffix
                _write_to_path(timeline, target, adapter, options)
    except InterchangeError:
        raise
    except Exception as error:
        if is_bad_input(error):
            raise write_failure(target, adapter, error) from None
        raise
    return target


def _write_to_path(
    timeline: otio.schema.Timeline, target: Path, adapter: str, options: dict[str, Any]
) -> None:
    with replacing(target) as temporary:
        final = temporary.with_name(temporary.name + target.suffix)
        try:
            otio.adapters.write_to_file(timeline, str(final), adapter_name=adapter, **options)
            os.replace(final, temporary)
        finally:
            final.unlink(missing_ok=True)


def _write_edl(timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]) -> None:
    video = [track for track in timeline.video_tracks() if track.enabled]
    audio = [track for track in timeline.audio_tracks() if track.enabled]
    if len(video) != 1 or len(audio) > 2:
        raise InterchangeError(
            f"a CMX 3600 EDL holds one video track and at most two audio tracks; "
            f"this timeline has {len(video)} video and {len(audio)} audio",
            where=str(target),
            fix="disable or remove the other tracks (or export one EDL per track), "
            "or export .otio / .xml / .aaf",
        )
    start = timeline.global_start_time
    rate = float(options.pop("rate", 0) or (start.rate if start else video[0].duration().rate))
    text = otio.adapters.write_to_string(
        global_to_record_start(timeline), adapter_name="cmx_3600", rate=rate, **options
    )
    write_text(target, with_fcm(wipes_to_edl(text, timeline), rate))


def _write_bundle(timeline: otio.schema.Timeline, target: Path, options: dict[str, Any]) -> None:
    """An ``.fcpxmld`` bundle: a folder holding ``Info.fcpxml``, replaced as a whole."""
    text = otio.adapters.write_to_string(timeline, adapter_name="fcpx_xml", **options)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (staging / "Info.fcpxml").write_text(text, encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


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
