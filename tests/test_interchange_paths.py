"""Media paths in files from other machines: file:// URLs with %-escapes (Resolve, Premiere),
relative paths, Windows drive paths (relink maps them by name)."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from postprod.interchange import import_timeline
from postprod.interchange.losses import InterchangeWarning
from postprod.project import relink
from postprod.timeline.model import media_path


def _clip(url: str) -> otio.schema.Clip:
    return otio.schema.Clip(
        "a",
        media_reference=otio.schema.ExternalReference(url),
        source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(10, 25)),
    )


def test_escaped_file_urls_are_found(tmp_path: Path) -> None:
    folder = tmp_path / "My Media"
    folder.mkdir()
    (folder / "take 1.wav").write_bytes(b"")
    url = (folder / "take 1.wav").as_uri()
    assert "%20" in url
    assert media_path(_clip(url), None) == folder / "take 1.wav"
    assert media_path(_clip(url.replace("file:///", "file://localhost/")), None) == (
        folder / "take 1.wav"
    )
    assert media_path(_clip("My%20Media/take%201.wav"), tmp_path) == tmp_path / (
        "My%20Media/take%201.wav"
    )  # a relative path is a path, not a URL
    assert media_path(_clip("My Media/take 1.wav"), tmp_path) == folder / "take 1.wav"
    windows = media_path(_clip("file:///C%3A/Avid%20MediaFiles/take%201.wav"), None)
    assert str(windows) == "C:/Avid MediaFiles/take 1.wav"


def test_relink_maps_windows_and_unc_paths_by_name(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "take 1.wav").write_bytes(b"RIFF")
    (media / "b.mov").write_bytes(b"")
    timeline = otio.schema.Timeline("t")
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    track.append(_clip("file:///C%3A/Users/user/Desktop/res/take%201.wav"))
    track.append(_clip("file://server/share/b.mov"))
    timeline.tracks.append(track)
    report = relink(timeline, [media], tmp_path)
    assert sorted(Path(done.new_path).name for done in report.relinked) == ["b.mov", "take 1.wav"]
    assert [media_path(clip, tmp_path) for clip in timeline.find_clips()] == [
        media / "take 1.wav",
        media / "b.mov",
    ]


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "otio"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
def test_an_otio_file_of_a_newer_schema_reads(tmp_path: Path) -> None:
    with pytest.warns(InterchangeWarning, match="newer OpenTimelineIO: read Marker.3 as Marker.2"):
        timeline = import_timeline(CORPUS / "OpenTimelineIO__premiere_example.otio")
    markers = [m for item in timeline.find_children() for m in getattr(item, "markers", [])]
    assert len(list(timeline.find_clips())) == 13
    assert markers and all(m.color == otio.schema.MarkerColor.RED for m in markers)
