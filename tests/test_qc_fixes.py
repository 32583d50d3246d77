"""QC fixes: a delivery that fails names the check and offers operations that make it pass.

Each test builds a small project whose sound really fails (a DC offset, a mix
too quiet or too loud for a preset that keeps the console's level, a hot mix
over the true-peak ceiling), delivers it, applies the fix the report offers
as one undo step and delivers again.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import TestClient

from media_factory import tone, write_wav
from postprod.console.app import create_app
from postprod.deliver.deliver import deliver_project
from postprod.deliver.fixes import fixes_for
from postprod.deliver.presets import DeliveryPreset, find_preset
from postprod.deliver.qc import QcReport, run_qc
from postprod.effects.console import ConsoleState
from postprod.operations import (
    OPERATIONS,
    AddAutomation,
    Append,
    Project,
    SetStrip,
    new_project,
    operation_from_dict,
)
from postprod.project import load_project
from postprod.timeline.metadata import console_of

RATE = 48000
SECONDS = 2
TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

#: A film preset that keeps the mix's level, with a loudness target (a user's preset).
STEMS_WITH_TARGET = """\
name = "film-loud"
description = "Film stems at -24 LUFS +-1 LU, the mix's own level"
standard = "test"
target_lufs = -24.0
tolerance_lu = 1.0
true_peak_max_dbtp = -2.0
sample_rate = 48000
bit_depth = 24
stems = true
"""


def _project(folder: Path, sound: np.ndarray) -> Path:
    """``folder/p.otio``: ``sound`` (float32, channels x samples) on A1, nothing else."""
    folder.mkdir(parents=True)
    write_wav(folder / "sound.wav", sound.astype(np.float32))
    path = folder / "p.otio"
    new_project(path, name=folder.name)
    Project(path).apply(Append("A1", "sound.wav"), description="the sound")
    return path


def _dc(level: float = 0.05) -> np.ndarray:
    return tone(RATE * SECONDS, RATE, 220.0, channels=2, level=0.3) + level


def _quiet() -> np.ndarray:
    return tone(RATE * SECONDS, RATE, 1000.0, channels=2, level=0.01)  # about -40 LUFS


def _hot() -> np.ndarray:
    """Full-band noise just under full scale: samples at -0.1 dBFS, true peaks over +2 dBTP."""
    noise = np.random.default_rng(1).standard_normal((2, RATE * SECONDS))
    noise -= noise.mean(axis=1, keepdims=True)
    return (0.3 * noise).clip(-0.99, 0.99)


def _failed(report: QcReport) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report.to_dict()["checks"] if not c["passed"]}


def _apply_fix(project: Path, fix: dict[str, Any]) -> None:
    """Apply a fix as the console does, checking it is one undo step."""
    before = project.read_bytes()
    events = len(Project(project).events())
    operations = [operation_from_dict(data) for data in fix["operations"]]
    assert all(data["op"] in OPERATIONS for data in fix["operations"])
    Project(project).apply(*operations, description=fix["description"])
    assert len(Project(project).events()) == events + 1
    after = project.read_bytes()
    assert after != before
    Project(project).undo()  # one step takes the whole fix back
    assert project.read_bytes() == before
    Project(project).redo()
    assert project.read_bytes() == after


def test_a_dc_offset_gets_a_master_high_pass(tmp_path: Path) -> None:
    project = _project(tmp_path / "dc", _dc())
    preset = find_preset("ebu-r128")  # normalises: the DC stays, scaled with the sound
    first = deliver_project(project, preset, tmp_path / "out")
    failed = _failed(first.qc)
    assert list(failed) == ["dc_offset"]
    fix = failed["dc_offset"]["fix"]
    assert fix["label"] == "master high-pass 10 Hz" and fix["preset"] == "ebu-r128"
    assert fix["operations"] == [
        {
            "op": "add-insert",
            "track": "master",
            "effect": "highpass",
            "params": [["cutoff_frequency_hz", 10.0]],
            "number": 1,
            "bus": False,
        }
    ]
    # the JSON report carries it as the console does
    assert '"master high-pass 10 Hz"' in first.reports[0].read_text()
    assert "fix: master high-pass 10 Hz" in first.reports[1].read_text()
    _apply_fix(project, fix)
    again = deliver_project(project, preset, tmp_path / "out")
    assert again.qc.passed, _failed(again.qc)
    assert console_of(load_project(project)).master_inserts[0].name == "highpass"


def test_a_short_programme_with_much_dc_needs_a_higher_cutoff(tmp_path: Path) -> None:
    project = _project(tmp_path / "dc", _dc(0.1))
    preset = find_preset("film-stems")
    first = deliver_project(project, preset, tmp_path / "out")
    fix = _failed(first.qc)["dc_offset"]["fix"]
    # 0.1 over 2 s against a 0.001 limit: a first-order filter settles too slowly at 10 Hz
    assert fix["label"] == "master high-pass 16 Hz"
    _apply_fix(project, fix)
    assert deliver_project(project, preset, tmp_path / "out").qc.passed


def test_no_dc_fix_past_20_hz(tmp_path: Path) -> None:
    sound = tone(RATE // 2, RATE, 220.0, channels=2, level=0.3) + 0.2  # 0.5 s, 0.2 DC
    write_wav(tmp_path / "short.wav", sound.astype(np.float32))
    report = run_qc(tmp_path / "short.wav", find_preset("film-stems"))
    fixes = fixes_for(report, ConsoleState(), keeps_level=True)
    assert "dc_offset" in _failed(report) and "dc_offset" not in fixes


def test_a_quiet_mix_gets_the_master_fader_from_where_it_is(tmp_path: Path) -> None:
    project = _project(tmp_path / "quiet", _quiet())
    Project(project).apply(SetStrip("master", gain_db=-3.0))  # now about -43 LUFS
    preset = DeliveryPreset.from_toml(STEMS_WITH_TARGET, "film-loud.toml")
    first = deliver_project(project, preset, tmp_path / "out")
    failed = _failed(first.qc)
    assert list(failed) == ["integrated_loudness"]
    measured = first.qc.loudness.integrated_lufs
    change = round(-24.0 - measured, 2)
    fix = failed["integrated_loudness"]["fix"]
    assert fix["operations"] == [
        {
            "op": "set-strip",
            "track": "master",
            "gain_db": round(-3.0 + change, 2),
            "pan": None,
            "mute": None,
            "solo": None,
            "polarity": None,
            "output": None,
            "pan_rear": None,
        }
    ]
    shown = f"{change:+.1f}".replace("-", "\u2212")
    assert fix["label"] == f"master fader {shown} dB \u2192 \u221224.0 LUFS"
    _apply_fix(project, fix)
    again = deliver_project(project, preset, tmp_path / "out")
    assert again.qc.passed, _failed(again.qc)
    assert again.qc.loudness.integrated_lufs == pytest.approx(-24.0, abs=0.05)


def test_a_loud_mix_gets_the_fader_down(tmp_path: Path) -> None:
    loud = tone(RATE * SECONDS, RATE, 1000.0, channels=2, level=0.5)  # about -6 LUFS
    project = _project(tmp_path / "loud", loud)
    preset = DeliveryPreset.from_toml(STEMS_WITH_TARGET, "film-loud.toml")
    first = deliver_project(project, preset, tmp_path / "out")
    fix = _failed(first.qc)["integrated_loudness"]["fix"]
    assert fix["operations"][0]["gain_db"] < -17
    _apply_fix(project, fix)
    again = deliver_project(project, preset, tmp_path / "out")
    assert again.qc.passed, _failed(again.qc)


def test_an_automated_master_gets_a_gain_insert(tmp_path: Path) -> None:
    project = _project(tmp_path / "ride", _quiet())
    Project(project).apply(AddAutomation("master", "gain_db", at=0, value=-2.0))
    preset = DeliveryPreset.from_toml(STEMS_WITH_TARGET, "film-loud.toml")
    first = deliver_project(project, preset, tmp_path / "out")
    fix = _failed(first.qc)["integrated_loudness"]["fix"]
    (operation,) = fix["operations"]
    assert (operation["op"], operation["effect"], operation["number"]) == ("add-insert", "gain", 1)
    assert fix["label"].startswith("master gain +")
    _apply_fix(project, fix)
    again = deliver_project(project, preset, tmp_path / "out")
    assert again.qc.passed, _failed(again.qc)


def test_the_fader_stays_within_its_range(tmp_path: Path) -> None:
    project = _project(tmp_path / "quiet", _quiet())
    preset = DeliveryPreset.from_toml(STEMS_WITH_TARGET, "film-loud.toml")
    report = deliver_project(project, preset, tmp_path / "out").qc
    silent = replace(report, loudness=replace(report.loudness, integrated_lufs=-80.0))
    fix = fixes_for(silent, ConsoleState(master_gain_db=10.0), keeps_level=True)
    found = fix["integrated_loudness"].to_dict()
    assert found["operations"][0]["gain_db"] == 24.0  # the fader's top, not +66 dB
    assert found["label"] == "master fader +14.0 dB \u2192 \u221266.0 LUFS"


def test_a_hot_mix_gets_a_master_limiter(tmp_path: Path) -> None:
    project = _project(tmp_path / "hot", _hot())
    preset = find_preset("film-stems")  # keeps the mix's level: nothing limits it
    first = deliver_project(project, preset, tmp_path / "out")
    failed = _failed(first.qc)
    assert list(failed) == ["true_peak"]
    loudness = first.qc.loudness
    overshoot = loudness.true_peak_dbtp - loudness.sample_peak_dbfs
    assert overshoot > 2  # full-band noise: true peaks far over the samples
    fix = failed["true_peak"]["fix"]
    (operation,) = fix["operations"]
    assert (operation["op"], operation["track"], operation["effect"]) == (
        "add-insert",
        "master",
        "limiter",
    )
    ceiling = dict(operation["params"])["ceiling_db"]
    margin = np.ceil((1.0 + 2 * overshoot) * 10) / 10
    assert ceiling == pytest.approx(-1.0 - margin)
    _apply_fix(project, fix)
    again = deliver_project(project, preset, tmp_path / "out")
    assert again.qc.passed, _failed(again.qc)


def test_a_normalising_delivery_offers_no_level_fix(tmp_path: Path) -> None:
    project = _project(tmp_path / "quiet", _quiet())
    preset = DeliveryPreset.from_toml(STEMS_WITH_TARGET, "film-loud.toml")
    report = deliver_project(project, preset, tmp_path / "out").qc
    # the same failures from a delivery that normalises after the mix: a fader would be undone
    assert not fixes_for(report, ConsoleState(), keeps_level=False)
    assert "integrated_loudness" in fixes_for(report, ConsoleState(), keeps_level=True)


def test_what_no_operation_can_fix_has_no_fix_key(tmp_path: Path) -> None:
    write_wav(tmp_path / "cd.wav", _dc().astype(np.float32)[:, :44100], rate=44100)
    report = run_qc(tmp_path / "cd.wav", find_preset("ebu-r128"), expected_duration_s=5.0)
    report = replace(report, fixes=fixes_for(report, ConsoleState(), keeps_level=True))
    failed = _failed(report)
    assert {"sample_rate", "duration", "dc_offset"} <= set(failed)
    assert "fix" not in failed["sample_rate"] and "fix" not in failed["duration"]
    assert "fix" in failed["dc_offset"]
    assert all("fix" not in c for c in report.to_dict()["checks"] if c["passed"])


def _job(client: TestClient, preset: str) -> dict[str, Any]:
    started = client.post("/api/deliver", json={"preset": preset})
    assert started.status_code == 200, started.text
    job_id = started.json()["job"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["done"]:
            assert job["error"] is None, job
            report: dict[str, Any] = job["report"]
            return report
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_the_console_offers_the_fix_and_applies_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "film-loud.toml").write_text(STEMS_WITH_TARGET)
    monkeypatch.setenv("POSTPROD_PRESETS", str(presets))
    project = _project(tmp_path / "studio", _quiet() + 0.01)  # quiet, and off centre
    with TestClient(create_app(project, TOKEN, watch_interval_s=0.05), headers=AUTH) as client:
        report = _job(client, "film-loud")
        assert report["passed"] is False
        failed = {c["name"]: c for c in report["qc"]["checks"] if not c["passed"]}
        assert set(failed) == {"integrated_loudness", "dc_offset"}
        for name in ("integrated_loudness", "dc_offset"):
            fix = failed[name]["fix"]
            assert fix["preset"] == "film-loud"
            answer = client.post(
                "/api/apply",
                json={"operations": fix["operations"], "description": fix["description"]},
            )
            assert answer.status_code == 200, answer.text
        again = _job(client, "film-loud")
        assert again["passed"] is True, again["qc"]["checks"]
        assert not any("fix" in c for c in again["qc"]["checks"])
