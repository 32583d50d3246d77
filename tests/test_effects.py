"""Effect presets (voice treatments) do what their names say, measured on the output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from media_factory import tone, write_wav
from postprod.audio.effects import Chain
from postprod.cli import main
from postprod.effects.presets import builtin_presets, find_effect_preset
from postprod.errors import AudioError
from postprod.media import read_audio

RATE = 48000


def run(preset: str, signal: np.ndarray) -> np.ndarray:
    chain = Chain(find_effect_preset(preset).chain, RATE)
    blocks = [chain.process(signal[:, s : s + 4096]) for s in range(0, signal.shape[1], 4096)]
    blocks += [chain.process(np.zeros((signal.shape[0], 4096), np.float32)) for _ in range(30)]
    return np.concatenate(blocks, axis=1)


def dominant_hz(x: np.ndarray) -> float:
    segment = x[0, RATE // 2 : RATE // 2 + 32768]
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(segment.size)))
    return float(np.argmax(spectrum) * RATE / segment.size)


def band_db(x: np.ndarray, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(x[0, : RATE * 2])) ** 2
    freqs = np.fft.rfftfreq(RATE * 2, 1 / RATE)
    return float(10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].mean() + 1e-30))


@pytest.mark.parametrize("name", sorted(builtin_presets()))
def test_every_preset_runs(name: str) -> None:
    out = run(name, tone(RATE * 2, RATE, 440.0, level=0.3))
    assert np.isfinite(out).all() and np.abs(out).max() > 1e-3


@pytest.mark.parametrize(
    ("name", "semitones"), [("larger-than-life", -3), ("chipmunk", 7), ("monster", -7)]
)
def test_pitch_presets_move_the_pitch(name: str, semitones: int) -> None:
    out = run(name, tone(RATE * 2, RATE, 440.0, level=0.3))
    assert dominant_hz(out) == pytest.approx(440.0 * 2 ** (semitones / 12), rel=0.03)


@pytest.mark.parametrize(
    ("name", "low_hz", "high_hz"), [("telephone", 300, 3400), ("walkie-talkie", 500, 2800)]
)
def test_band_limited_voices(name: str, low_hz: float, high_hz: float) -> None:
    noise = (0.1 * np.random.default_rng(1).standard_normal((1, RATE * 2))).astype(np.float32)
    out = run(name, noise)
    middle = band_db(out, low_hz * 1.5, high_hz / 1.5)
    assert middle - band_db(out, 20, low_hz / 3) > 20
    assert middle - band_db(out, high_hz * 2.5, 20000) > 15


def test_robot_ring_modulates() -> None:
    out = run("robot", tone(RATE * 2, RATE, 440.0, level=0.3))
    spectrum = np.abs(np.fft.rfft(out[0, :RATE]))  # 1 Hz bins
    sidebands = spectrum[380] + spectrum[500]
    assert sidebands > 10 * spectrum[440]


def test_cathedral_rings_on() -> None:
    burst = tone(RATE // 2, RATE, 440.0, level=0.3)
    out = run("cathedral", burst)
    tail = out[:, RATE : RATE + RATE // 2]  # half a second after the burst ended
    assert np.sqrt(np.mean(tail**2)) > 1e-3


def test_fx_apply_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_wav(tmp_path / "line.wav", tone(RATE, RATE, 440.0, level=0.3))
    before = source.read_bytes()
    out = tmp_path / "phone.wav"
    assert main(["fx", "apply", str(source), "-o", str(out), "--preset", "telephone"]) == 0
    treated, _ = read_audio(out)
    assert treated.shape[1] >= RATE and source.read_bytes() == before
    chain = tmp_path / "mine.toml"
    chain.write_text('name = "mine"\nchain = [{ effect = "gain", gain_db = -6 }]\n')
    assert (
        main(["fx", "apply", str(source), "-o", str(tmp_path / "quiet.wav"), "--chain", str(chain)])
        == 0
    )
    quiet, _ = read_audio(tmp_path / "quiet.wav")
    original, _ = read_audio(source)
    assert np.abs(quiet[:, :RATE]).max() == pytest.approx(np.abs(original).max() / 2, rel=0.01)
    capsys.readouterr()
    assert (
        main(["fx", "apply", str(source), "-o", str(tmp_path / "x.wav"), "--preset", "kazoo"]) == 2
    )
    assert "no effect preset named 'kazoo'" in capsys.readouterr().err
    assert main(["fx", "apply", str(source), "-o", str(source), "--preset", "robot"]) == 2
    assert main(["fx", "list", "--json"]) == 0


def test_a_bad_preset_file_names_the_item(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\nchain = [{ effect = "gain", gain_db = 1 }, { effect = "reverb", size = 2 }]\n'
    )
    with pytest.raises(AudioError, match="chain item 2"):
        find_effect_preset(str(bad))
