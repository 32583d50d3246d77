"""Delivering a project's sound against a preset: master, QC, reports, CD cue sheet."""

from __future__ import annotations

import stat
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from postprod.cli import main
from postprod.deliver.cue import cd_time, cue_sheet
from postprod.deliver.deliver import deliver_project
from postprod.deliver.measure import measure_file
from postprod.deliver.presets import DeliveryPreset, builtin_presets, find_preset
from postprod.demo.production import run_demo
from postprod.errors import DeliveryError
from postprod.media import probe, read_bext
from postprod.project import load_project, save_project
from postprod.timeline.model import rational_time
from test_render import SMALL


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deliver")
    demo = run_demo(folder / "demo", settings=SMALL)
    timeline = load_project(demo.project)
    marks = (  # CD tracks: purple, or a name starting with "#"; a red review note is not one
        (0, "Opening", "PURPLE"),
        (28, "Second movement", "PURPLE"),
        (40, "check the level here", "RED"),
        (52, "#Finale", "RED"),
    )
    for frame, name, colour in marks:
        marker = otio.schema.Marker(
            name=name,
            marked_range=otio.opentime.TimeRange(rational_time(frame, Fraction(25))),
            color=colour,
        )
        timeline.tracks.markers.append(marker)
    return save_project(timeline, demo.project)


def test_broadcast_delivery(project: Path, tmp_path: Path) -> None:
    delivery = deliver_project(project, find_preset("ebu-r128"), tmp_path)
    assert delivery.qc.passed, [c.message for c in delivery.qc.checks if not c.passed]
    assert measure_file(delivery.master).integrated_lufs == pytest.approx(-23.0, abs=0.1)
    audio = probe(delivery.master).audio
    assert audio is not None and (audio.sample_rate, audio.codec) == (48000, "pcm_s24le")
    bext = read_bext(delivery.master)
    assert bext is not None and bext.time_reference_samples == 3600 * 48000
    assert delivery.cue is None
    assert stat.S_IMODE(delivery.reports[0].stat().st_mode) & 0o044  # readable by others


def test_cd_delivery_with_a_cue_sheet(project: Path, tmp_path: Path) -> None:
    # the preset's cue_sheet key asks for the sheet, whatever the preset is called
    preset = replace(find_preset("cd"), name="my-disc")
    delivery = deliver_project(project, preset, tmp_path)
    audio = probe(delivery.master).audio
    assert audio is not None and (audio.sample_rate, audio.codec, audio.channels) == (
        44100,
        "pcm_s16le",
        2,
    )
    assert delivery.qc.passed
    assert delivery.cue is not None
    sheet = delivery.cue.read_text()
    # the three track marks, not the review note nor the demo's spotting marker (its whoosh)
    assert sheet.count("TRACK") == 3 and "PREGAP 00:02:00" in sheet
    assert "whoosh" not in sheet and "check the level" not in sheet
    assert 'TITLE "Finale"' in sheet and sheet.startswith('TITLE "')
    assert 'TITLE "Second movement"' in sheet and "INDEX 01 00:01:09" in sheet  # 28 frames = 1.12 s
    assert 'TITLE "Opening"' in sheet  # a mark at zero names track 1


def test_the_cue_sheet_is_a_key_of_the_preset() -> None:
    assert find_preset("cd").cue_sheet
    assert not any(p.cue_sheet for name, p in builtin_presets().items() if name != "cd")
    head = 'name = "disc"\ndescription = ""\nstandard = ""\ntrue_peak_max_dbtp = -1.0\n'
    head += "sample_rate = 44100\nbit_depth = 16\n"
    assert DeliveryPreset.from_toml(head + "cue_sheet = true\n", "disc.toml").cue_sheet
    assert not DeliveryPreset.from_toml(head, "disc.toml").cue_sheet
    with pytest.raises(DeliveryError, match="cue_sheet must be true or false"):
        DeliveryPreset.from_toml(head + 'cue_sheet = "yes"\n', "disc.toml")


def test_cd_time_is_seventy_fifths() -> None:
    assert cd_time(Fraction(0)) == "00:00:00"
    assert cd_time(Fraction(1, 75)) == "00:00:01"
    assert cd_time(Fraction(61) + Fraction(74, 75)) == "01:01:74"
    assert "INDEX 01 00:03:00" in cue_sheet("a.wav", "t", [(Fraction(3), "two")])


def test_cli(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deliver", str(project), "--preset", "podcast", "-o", str(tmp_path)]) == 0
    assert "PASSED" in capsys.readouterr().out
    assert (
        main(["deliver", str(tmp_path / "nope.otio"), "--preset", "podcast", "-o", str(tmp_path)])
        == 2
    )


def test_film_stems_delivery(project: Path, tmp_path: Path) -> None:
    from postprod.media import read_audio

    delivery = deliver_project(project, find_preset("film-stems"), tmp_path)
    assert delivery.qc.passed
    assert sorted(p.name for p in delivery.stems) == ["MX.wav", "VO.wav"]
    for path in (delivery.master, *delivery.stems):
        audio = probe(path).audio
        assert audio is not None and (audio.sample_rate, audio.codec) == (48000, "pcm_s24le")
        bext = read_bext(path)
        assert bext is not None and bext.time_reference_samples == 3600 * 48000
    vo, _ = read_audio(
        delivery.stems[1] if delivery.stems[1].name == "VO.wav" else delivery.stems[0]
    )
    assert np.abs(vo).max() > 0.01  # the dialogue line is on its stem


def test_web_delivery_is_an_mp4_at_minus_14(project: Path, tmp_path: Path) -> None:
    delivery = deliver_project(project, find_preset("web"), tmp_path)
    info = probe(delivery.master)
    assert delivery.master.suffix == ".mp4" and info.video is not None and info.audio is not None
    assert info.audio.codec == "aac"
    assert measure_file(delivery.master).integrated_lufs == pytest.approx(-14.0, abs=1.0)
    assert delivery.qc.passed, [c.message for c in delivery.qc.checks if not c.passed]
