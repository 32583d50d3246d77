"""Inspecting a timeline: the table's data, the JSON and the picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from media_factory import tone, write_video, write_wav
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
    assert first_clip["source_in"] == 10  # the media's frame 10 (its 01:00:00:10)
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


def test_inspect_shows_links_speeds_and_locked_tracks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = write_video(tmp_path / "shot.mp4", frames=40, size=(160, 90))
    sound = write_wav(tmp_path / "tone.wav", tone(48000, 96000, 440.0, channels=2))
    project = tmp_path / "show.otio"
    assert main(["new", str(project), "--rate", "25", "--name", "Show"]) == 0
    edit = ["edit", str(project)]
    for track, media in (("V1", picture), ("V1", picture), ("A1", sound)):
        assert main([*edit, "append", "-t", track, "-m", str(media), "--duration", "20"]) == 0
    assert main([*edit, "link", "-t", "V1", "-t", "A1", "--at", "5"]) == 0
    assert main([*edit, "speed", "-t", "V1", "--at", "25", "--percent", "50", "--stretch"]) == 0
    assert main([*edit, "freeze", "-t", "V1", "--at", "40", "--frames", "5"]) == 0
    assert main([*edit, "append", "-t", "V1", "-m", str(picture), "--duration", "8"]) == 0
    assert main([*edit, "reverse", "-t", "V1", "--at", "66"]) == 0
    assert main(["track", "lock", str(project), "A2"]) == 0
    capsys.readouterr()

    assert main(["inspect", str(project), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["locked_tracks"] == ["A2"]
    assert info["tracks"] == [["V1", "Video"], ["A1", "Audio"], ["A2", "Audio"]]
    clips = [
        (i["track"], i["record_in"], i["link"], i["speed_percent"], i["speed_mode"])
        for i in info["items"]
        if i["kind"] == "clip"
    ]
    assert clips == [
        ("V1", 0, "link-1", 100.0, "varispeed"),
        ("V1", 20, None, 50.0, "stretch"),  # 20 frames of media at half speed: 40 frames,
        ("V1", 40, None, 0.0, "stretch"),  # held half way for 5 frames
        ("V1", 45, None, 50.0, "stretch"),
        ("V1", 65, None, -100.0, "varispeed"),
        ("A1", 0, "link-1", 100.0, "varispeed"),
    ]
    # the source frames each shows, at its speed
    sources = [(i["source_in_tc"], i["source_out_tc"]) for i in info["items"] if i["track"] == "V1"]
    assert sources == [
        ("00:00:00:00", "00:00:00:20"),
        ("00:00:00:00", "00:00:00:10"),
        ("00:00:00:10", "00:00:00:11"),  # a freeze shows one frame
        ("00:00:00:10", "00:00:00:20"),
        ("00:00:00:00", "00:00:00:08"),  # backwards through the same 8 frames
    ]
    gap_or_not = [i for i in info["items"] if i["kind"] != "clip"]
    assert all(i["link"] is None and i["speed_percent"] is None for i in gap_or_not)
    # the keys a reader already had are all still there
    assert set(info) >= {"name", "rate", "start_timecode", "duration_frames", "tracks", "items"}
    assert set(info["items"][0]) >= {
        "track", "kind", "name", "record_in", "record_out", "record_in_tc", "record_out_tc",
        "source_in_tc", "source_out_tc", "source", "effects",
    }  # fmt: skip

    assert main(["inspect", str(project)]) == 0
    table = capsys.readouterr().out
    assert "tracks: V1, A1, A2 (locked)" in table
    assert "link-1" in table and "50 % stretch" in table and "freeze" in table
    assert "-100 %" in table
