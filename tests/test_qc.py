"""QC against delivery presets: each check fails on the fault it is for, and only then."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from media_factory import write_wav
from postprod.cli import main
from postprod.deliver.presets import all_presets, find_preset
from postprod.deliver.qc import run_qc
from postprod.deliver.report import write_reports
from postprod.errors import DeliveryError
from postprod.qc.loudness import measure

RATE = 48000


def compliant(seconds: int = 20, rate: int = RATE) -> np.ndarray:
    """In-phase stereo music-like material scaled to -23 LUFS."""
    t = np.arange(seconds * rate) / rate
    mono = sum(np.sin(2 * np.pi * f * t) / (1 + i) for i, f in enumerate((220, 330, 440, 660)))
    mono *= 0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t)
    programme = np.stack([mono, 0.9 * mono])
    level = measure(programme.astype(np.float32), rate).integrated_lufs
    return (programme * 10 ** ((-23.0 - level) / 20)).astype(np.float32)


def failing(report_checks: list[dict[str, object]]) -> set[str]:
    return {str(c["name"]) for c in report_checks if not c["passed"]}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wav(tmp_path_factory.mktemp("qc") / "good.wav", compliant())


def test_a_compliant_file_passes(good: Path) -> None:
    report = run_qc(good, find_preset("ebu-r128"), expected_duration_s=20.0)
    assert report.passed, [c.message for c in report.checks if not c.passed]
    names = {c.name for c in report.checks}
    assert {"integrated_loudness", "true_peak", "clipping", "silence", "dc_offset"} <= names
    assert {
        "phase_correlation",
        "mono_compatibility",
        "sample_rate",
        "bit_depth",
        "duration",
    } <= names


def _variant(tmp_path: Path, name: str, samples: np.ndarray, **kwargs: object) -> Path:
    return write_wav(tmp_path / f"{name}.wav", samples, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("too loud", {"integrated_loudness"}),
        ("clipped", {"clipping", "true_peak", "integrated_loudness"}),
        ("drop-out", {"silence"}),
        ("dc offset", {"dc_offset"}),
        ("out of phase", {"phase_correlation", "mono_compatibility"}),
        ("16-bit", {"bit_depth"}),
        ("44.1 kHz", {"sample_rate"}),
    ],
)
def test_each_fault_fails_its_check(tmp_path: Path, fault: str, expected: set[str]) -> None:
    samples, kwargs, rate = compliant(), {}, RATE
    if fault == "too loud":
        samples = samples * 10 ** (3 / 20)
    elif fault == "clipped":
        samples = np.clip(samples * 40, -1.0, 1.0)
    elif fault == "drop-out":
        samples = samples.copy()
        samples[:, 5 * RATE : 11 * RATE] = 0.0
    elif fault == "dc offset":
        samples = samples + 0.01
    elif fault == "out of phase":
        samples = samples * np.array([[1.0], [-1.0]], np.float32)
    elif fault == "16-bit":
        kwargs = {"codec": "pcm_s16le"}
    elif fault == "44.1 kHz":
        rate = 44100
        samples = compliant(rate=rate)
    path = _variant(tmp_path, fault.replace(" ", "_"), samples, rate=rate, **kwargs)
    report = run_qc(path, find_preset("ebu-r128"))
    assert not report.passed
    got = failing(report.to_dict()["checks"])
    assert expected <= got and got <= expected | {"integrated_loudness"}


def test_cli_json_exit_status_and_reports(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["qc", str(good), "--preset", "ebu-r128", "--json", "--report", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["preset"] == "ebu-r128" and data["passed"] is True
    assert all({"name", "passed", "value", "limit", "message"} <= c.keys() for c in data["checks"])
    page = (tmp_path / "good.ebu-r128.qc.html").read_text()
    assert "PASSED" in page and page.count("data:image/png;base64,") == 2
    assert json.loads((tmp_path / "good.ebu-r128.qc.json").read_text())["passed"] is True
    assert main(["qc", str(good), "--preset", "atsc-a85"]) == 0  # -23 is inside -24 +-2
    assert main(["qc", str(good), "--preset", "streaming"]) == 3  # -14 LUFS wanted
    capsys.readouterr()
    assert main(["qc", str(good), "--preset", "no-such"]) == 2
    assert "no delivery preset named 'no-such'" in capsys.readouterr().err
    assert main(["qc", str(tmp_path / "missing.wav"), "--preset", "ebu-r128"]) == 2


def test_user_presets(tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "house.toml").write_text(
        'name = "house"\ndescription = "our house style"\nstandard = "house rules"\n'
        "target_lufs = -23.0\ntolerance_lu = 0.2\ntrue_peak_max_dbtp = -3.0\n"
        "sample_rate = 48000\nbit_depth = 24\n"
    )
    assert "house" in all_presets(folder)
    report = run_qc(good, find_preset("house", folder))
    assert report.preset.standard == "house rules"
    monkeypatch.setenv("POSTPROD_PRESETS", str(folder))
    assert main(["presets", "list", "--json"]) == 0
    (folder / "broken.toml").write_text('name = "broken"\nloudness = 3\n')
    with pytest.raises(DeliveryError, match="unknown keys: loudness"):
        all_presets(folder)


def test_every_builtin_preset_cites_a_standard() -> None:
    presets = all_presets()
    assert {"ebu-r128", "atsc-a85", "streaming", "podcast", "cd"} <= set(presets)
    assert all(p.standard and p.description for p in presets.values())


def test_reports_are_written_whole(good: Path, tmp_path: Path) -> None:
    json_path, html_path = write_reports(run_qc(good, find_preset("podcast")), tmp_path / "r")
    assert json.loads(json_path.read_text())["passed"] is False  # -23 is not -16
    assert "FAILED" in html_path.read_text()
    assert not [p for p in (tmp_path / "r").iterdir() if p.name.startswith(".")]


def _checks(path: Path, preset: str) -> dict[str, bool]:
    return {c.name: c.passed for c in run_qc(path, find_preset(preset)).checks}


def test_vinyl_wants_mono_bass_and_tame_sibilance(tmp_path: Path) -> None:
    rate = 96000
    t = np.arange(rate * 4) / rate
    bass = 0.3 * np.sin(2 * np.pi * 60 * t)
    melody = 0.1 * np.sin(2 * np.pi * 440 * t)
    mono_bass = np.stack([bass + melody, bass + melody]).astype(np.float32)
    wide_bass = np.stack([bass + melody, -bass + melody]).astype(np.float32)
    hiss = mono_bass.copy()
    bursts = (np.sin(2 * np.pi * 7000 * t) * ((t % 1.0) < 0.15)).astype(np.float32)
    hiss += 0.5 * bursts
    good = _checks(write_wav(tmp_path / "good.wav", mono_bass, rate), "vinyl")
    assert good["low_frequency_stereo"] and good["sibilance"]
    assert not _checks(write_wav(tmp_path / "wide.wav", wide_bass, rate), "vinyl")[
        "low_frequency_stereo"
    ]
    assert not _checks(write_wav(tmp_path / "hiss.wav", hiss, rate), "vinyl")["sibilance"]


def test_cassette_wants_headroom_and_a_gentle_top(tmp_path: Path) -> None:
    rate = 44100
    rng = np.random.default_rng(4)
    noise = (0.05 * rng.standard_normal((2, rate * 3))).astype(
        np.float32
    )  # flat: lots above 12 kHz
    t = np.arange(rate * 3) / rate
    warm = np.stack([0.2 * np.sin(2 * np.pi * 300 * t)] * 2).astype(np.float32)
    assert not _checks(write_wav(tmp_path / "noise.wav", noise, rate), "cassette")[
        "high_frequency_energy"
    ]
    warm_checks = _checks(write_wav(tmp_path / "warm.wav", warm, rate), "cassette")
    assert warm_checks["high_frequency_energy"] and warm_checks["true_peak"]
    loud = _checks(write_wav(tmp_path / "loud.wav", warm * 4, rate), "cassette")
    assert not loud["true_peak"]  # -2 dBTP leaves no room for tape saturation
