"""Relink: find media that moved or was renamed, by file name, reel, start timecode and duration.

The search folders are walked once into an index by file name (and by name
without its extension, for reels and for proxies in another format). A clip
whose media is missing takes the one candidate with its name; among several,
the one whose start timecode and length match the clip's media reference;
failing a name, a file named after the clip's reel (EDLs carry reels, not
files). What stays missing is reported; the renderer shows it as offline.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from postprod.errors import MediaError
from postprod.media.probe import probe
from postprod.timeline.model import media_path

MEDIA_SUFFIXES = {
    ".mov",
    ".mp4",
    ".mxf",
    ".wav",
    ".aif",
    ".aiff",
    ".flac",
    ".mkv",
    ".m4a",
    ".mp3",
    ".avi",
}


@dataclass(frozen=True, slots=True)
class RelinkReport:
    """Which clips were pointed at which files, and which are still missing."""

    relinked: list[tuple[str, str]]  # (clip, new path)
    missing: list[str]  # clip names


def _index(folders: list[Path]) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = defaultdict(list)
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(root) / name
                if path.suffix.lower() in MEDIA_SUFFIXES:
                    found[name.lower()].append(path)
                    found[path.stem.lower()].append(path)
    return found


def _matches_range(candidate: Path, reference: otio.schema.ExternalReference) -> bool:
    """Whether a file's start timecode and length fit the reference's available range."""
    available = reference.available_range
    if available is None:
        return True
    try:
        info = probe(candidate)
    except MediaError:
        return False
    rate = available.duration.rate
    if info.start_timecode:
        try:
            start = otio.opentime.from_timecode(info.start_timecode, rate)
        except ValueError:
            start = None
        if start is not None and abs(start.value - available.start_time.value) > 1:
            return False
    return bool(abs(info.duration_s - available.duration.to_seconds()) <= 2 / rate)


def relink(
    timeline: otio.schema.Timeline, search: list[Path], project_folder: Path | None = None
) -> RelinkReport:
    """Point every clip with missing media at a file found under ``search``; returns what happened."""
    index = _index(search)
    relinked, missing = [], []
    for clip in timeline.find_clips():
        reference = clip.media_reference
        if not isinstance(reference, otio.schema.ExternalReference):
            continue
        current = media_path(clip, project_folder)
        if current is not None and current.is_file():
            continue
        names = [
            Path(reference.target_url or "").name.lower(),
            Path(reference.target_url or "").stem.lower(),
        ]
        reel = str(clip.metadata.get("cmx_3600", {}).get("reel", "")).lower()
        candidates: list[Path] = []
        for key in (*names, reel):
            if key and key in index:
                candidates = sorted(set(index[key]))
                break
        if len(candidates) > 1:
            candidates = [c for c in candidates if _matches_range(c, reference)] or candidates[:0]
        if len(candidates) == 1:
            reference.target_url = str(candidates[0].resolve())
            relinked.append((clip.name, reference.target_url))
        else:
            missing.append(clip.name)
    return RelinkReport(relinked, missing)
