"""Inspecting a timeline: the table's data, the JSON and the picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from postprod.cli import main
from postprod.demo.production import run_demo
from test_render import SMALL


def test_inspect_json_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = run_demo(tmp_path / "demo", settings=SMALL)
    png = tmp_path / "timeline.png"
    assert main(["inspect", str(demo.project), "--json", "--png", str(png)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["start_timecode"] == "01:00:00:00" and info["rate"] == "25"
    assert info["duration_frames"] == 89
    picture = [i for i in info["items"] if i["track"] == "V1"]
    kinds = [i["kind"] for i in picture]
    assert kinds.count("clip") == 4 and kinds.count("transition") == 4
    first_clip = next(i for i in picture if i["kind"] == "clip")
    assert (first_clip["record_in_tc"], first_clip["source_in_tc"]) == (
        "01:00:00:08",
        "01:00:00:10",  # the camera file's own timecode: it starts at 01:00:00:00
    )
    wipe = next(i for i in picture if i["effects"].startswith("wipe"))
    assert wipe["effects"] == "wipe clock"
    assert {name for name, _ in info["tracks"]} >= {"V1", "camera sound", "dialogue", "music"}
    image = Image.open(png)
    assert image.size[0] >= 1000 and image.format == "PNG"
    assert main(["inspect", str(demo.project)]) == 0
    assert "camera_B" in capsys.readouterr().out
