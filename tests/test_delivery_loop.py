"""The delivery loop: every preset's output, measured again, meets its own targets.

The project is a punchy one (a modulated tone under noise bursts whose peaks
stand 20 dB over the body): normalised in one step, the true-peak limiter takes
back part of the gain and the programme lands short (before the loop: web at
-18.4 LUFS and streaming at -16.6 for -14).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from media_factory import write_video, write_wav
from postprod.cli import main
from postprod.deliver.deliver import deliver_project
from postprod.deliver.loudness_loop import converge_gain
from postprod.deliver.measure import measure_file
from postprod.deliver.presets import builtin_presets, find_preset
from postprod.operations import AddClip, Project, new_project

SECONDS = 4


@pytest.fixture(scope="module")
def punchy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("punchy")
    rate = 48000
    t = np.arange(SECONDS * rate) / rate
    rng = np.random.default_rng(1)
    bursts = rng.standard_normal(t.size) * np.exp(-(t % 0.5) / 0.01) * 0.6
    body = 0.1 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
    sound = (bursts + body).astype(np.float32)
    sound /= np.abs(sound).max()
    write_wav(folder / "drums.wav", np.stack([sound, sound]), rate)
    write_video(folder / "picture.mp4", frames=SECONDS * 25, audio=False)
    project = folder / "punchy.otio"
    new_project(project, name="punchy", size_px=(320, 180))
    Project(project).apply(AddClip("V1", "picture.mp4", 0), AddClip("A1", "drums.wav", 0))
    return project


@pytest.mark.parametrize("name", sorted(name for name in builtin_presets() if name != "film-stems"))
def test_every_preset_meets_its_targets(punchy: Path, tmp_path: Path, name: str) -> None:
    preset = find_preset(name)
    delivery = deliver_project(punchy, preset, tmp_path)
    measured = measure_file(delivery.master)
    if preset.target_lufs is not None:
        assert abs(measured.integrated_lufs - preset.target_lufs) <= preset.tolerance_lu
    assert measured.true_peak_dbtp <= preset.true_peak_max_dbtp
    levels = ("integrated_loudness", "true_peak", "sample_peak")
    assert all(c.passed for c in delivery.qc.checks if c.name in levels)


def test_converge_gain_follows_a_limiter() -> None:
    """A limiter that gives back half of each dB over -20 LUFS: reached in a few passes."""
    calls: list[float] = []

    def limited(gain_db: float) -> float:
        calls.append(gain_db)
        raw = -30 + gain_db
        return raw if raw < -20 else -20 + (raw + 20) / 2

    found = converge_gain(limited, -14.0, 16.0)
    assert found.within and abs(found.measured_lufs + 14) <= 0.1
    assert found.gain_db == pytest.approx(22.0, abs=0.2) and len(calls) <= 4


def test_fix_removes_a_dc_offset_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rate = 48000
    t = np.arange(4 * rate) / rate
    sound = (0.1 * np.sin(2 * np.pi * 440 * t) + 0.02).astype(np.float32)  # DC: 0.02
    write_wav(tmp_path / "dc.wav", np.stack([sound, sound]), rate)
    project = tmp_path / "dc.otio"
    new_project(project, name="offset")
    Project(project).apply(AddClip("A1", "dc.wav", 0))
    preset = find_preset("ebu-r128")
    plain = deliver_project(project, preset, tmp_path / "plain")
    assert not plain.qc.passed and "dc_offset" in plain.qc.fixes
    capsys.readouterr()
    out = tmp_path / "fixed"
    assert main(["deliver", str(project), "--preset", "ebu-r128", "-o", str(out), "--fix"]) == 0
    assert "fixed: QC fix: a 10 Hz high-pass first on the master" in capsys.readouterr().out
    report = json.loads((out / "dc.ebu-r128.qc.json").read_text())
    assert report["passed"] and len(report["applied_fixes"]) == 1
    assert report["header"]["programme"] == "offset"
    assert report["header"]["start_timecode"] == "00:00:00:00"
    assert "high-pass" in (out / "dc.ebu-r128.qc.html").read_text()
    samples, _ = sf.read(out / "dc.ebu-r128.wav", dtype="float32")
    assert abs(float(samples[rate:].mean())) < preset.max_dc_offset  # measured on the file
    last = Project(project).events()[-1]  # one undo step took the fix
    assert last.event == "edit" and "high-pass" in last.description
