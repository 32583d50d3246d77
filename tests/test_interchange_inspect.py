"""inspect on real imports: a transition at a track's end, markers between frames or before a
clip's in-point, sound between frames, nested compositions (each used to fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from postprod.interchange import import_timeline
from postprod.timeline.inspect import describe

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "conformance"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
@pytest.mark.parametrize(
    "name",
    [
        "otio/OpenTimelineIO__transition_test.otio",  # a transition at the end of a track
        "otio/kdenlive-opentimelineio__multiinstance.otio",  # clips between frames
        "fcpxml/otio-fcpx-xml-adapter__fcpx_project.fcpxml",  # sound, markers between frames
        "fcp7xml/otio-fcp-adapter__empty_name_tags.xml",  # markers before a clip's in-point
        "otio/OpenTimelineIO__nested_example.otio",  # nested compositions
        "aaf/otio-aaf-adapter__nesting_test.aaf",
    ],
)
def test_inspect_describes_real_imports(name: str) -> None:
    timeline = import_timeline(CORPUS / name)
    info = describe(timeline)
    assert info.items
    for item in info.items:
        if item.kind == "transition":  # within the track, not reaching back from frame 0
            assert item.record_in <= item.record_out
            assert item.record_out >= 0
