"""Effect presets (voice treatments) do what their names say, measured on the output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from media_factory import tone, write_wav
from postprod.audio.effects import Chain
from postprod.cli import main
from postprod.effects.presets import builtin_presets, find_effect_preset
from postprod.effects.registry import EFFECTS
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


# --- effects beyond the presets ----------------------------------------------------------------


def stream(chain: Chain, signal: np.ndarray, block: int = 4096, tail_blocks: int = 0) -> np.ndarray:
    blocks = [chain.process(signal[:, s : s + block]) for s in range(0, signal.shape[1], block)]
    for _ in range(tail_blocks):
        blocks.append(chain.process(np.zeros((signal.shape[0], block), np.float32)))
    return np.concatenate(blocks, axis=1)


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-30))


def test_the_deesser_turns_down_sibilance_only() -> None:
    from postprod.effects.registry import EffectSpec

    spec = EffectSpec.of("deesser", frequency_hz=5000, threshold_db=-30, ratio=8)
    hiss = tone(RATE, RATE, 8000.0, level=0.3)
    voice = tone(RATE, RATE, 200.0, level=0.3)
    hiss_out = stream(Chain((spec,), RATE), hiss)
    voice_out = stream(Chain((spec,), RATE), voice)
    settled = slice(RATE // 4, RATE)
    assert rms_db(hiss[:, settled]) - rms_db(hiss_out[:, settled]) > 8  # sibilance pulled down
    assert abs(rms_db(voice[:, settled]) - rms_db(voice_out[:, settled])) < 0.5  # voice untouched
    quiet = tone(RATE, RATE, 8000.0, level=0.005)  # below threshold: the bands sum back flat
    quiet_out = stream(Chain((spec,), RATE), quiet)
    assert abs(rms_db(quiet[:, settled]) - rms_db(quiet_out[:, settled])) < 0.05


def test_a_tempo_synced_echo_lands_on_the_beat() -> None:
    from postprod.effects.registry import EffectSpec, tempo_delay_s

    assert tempo_delay_s(120, 0.75) == pytest.approx(0.375)  # dotted eighth at 120 BPM
    spec = EffectSpec.of("delay", tempo_bpm=120, note_beats=0.75, feedback=0.0, mix=0.5)
    click = np.zeros((1, RATE), np.float32)
    click[0, 1000] = 1.0
    out = stream(Chain((spec,), RATE), click)
    echo = int(np.argmax(np.abs(out[0, 2000:]))) + 2000
    assert abs(echo - (1000 + int(0.375 * RATE))) <= 1


def test_convolution_with_an_impulse_response_file(tmp_path: Path) -> None:
    from postprod.effects.registry import EffectSpec

    ir = np.zeros((1, 2400), np.float32)
    ir[0, 0], ir[0, 1200] = 1.0, 0.5
    path = write_wav(tmp_path / "ir.wav", ir, codec="pcm_f32le")
    click = np.zeros((1, RATE // 2), np.float32)
    click[0, 100] = 0.5
    out = stream(Chain((EffectSpec.of("convolution", ir_path=str(path)),), RATE), click)
    peaks = np.argsort(np.abs(out[0]))[-2:]
    assert sorted(peaks.tolist()) == [100, 1300]
    missing = EffectSpec.of("convolution", ir_path=str(tmp_path / "none.wav"))
    with pytest.raises(AudioError, match="does not exist") as caught:
        Chain((missing,), RATE, where="track fx")
    assert "track fx" in caught.value.where


def test_flanger_chorus_phaser_and_time_stretch_run() -> None:
    from postprod.audio.effects import time_stretch
    from postprod.effects.registry import EffectSpec

    x = tone(RATE, RATE, 440.0, level=0.3)
    for name in ("flanger", "chorus", "phaser", "bitcrush", "distortion"):
        out = stream(Chain((EffectSpec.of(name),), RATE), x)
        assert out.shape == x.shape and np.isfinite(out).all() and not np.allclose(out, x)
    faster = time_stretch(x, RATE, 2.0)
    assert abs(faster.shape[1] - RATE // 2) < RATE // 100  # half the length
    assert dominant_hz(np.concatenate([faster, faster], axis=1)) == pytest.approx(440, rel=0.03)


def test_effect_specs_are_versioned_data_and_checked() -> None:
    import json

    from postprod.effects.registry import EffectSpec

    spec = EffectSpec.of("compressor", threshold_db=-20.0, ratio=4.0)
    again = EffectSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec and again.to_dict()["version"] == 1
    with pytest.raises(AudioError, match="version 9"):
        EffectSpec.from_dict({"name": "compressor", "version": 9, "params": {}})
    with pytest.raises(AudioError, match="out of range") as caught:
        EffectSpec.from_dict({"name": "delay", "params": {"feedback": 1.5}}, where="track fx")
    assert "track fx, effect delay" in caught.value.where
    assert "0 to 0.99" in (caught.value.fix or "")
    with pytest.raises(AudioError, match="needs ir_path"):
        EffectSpec.of("convolution")
    with pytest.raises(AudioError, match="does not exist") as vst:
        Chain((EffectSpec.of("vst3", path="/nowhere/Plug.vst3", Mix=0.5),), RATE, where="track v")
    assert "track v" in vst.value.where
    assert all(p.unit or p.maximum <= 1 or k == "q" for e in EFFECTS.values() for k, p in e.items())


def test_users_add_presets_with_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "gravel.toml").write_text(
        'name = "gravel"\ndescription = "rough"\n'
        'chain = [{ effect = "distortion", drive_db = 30 }, { effect = "lowpass" }]\n'
    )
    monkeypatch.setenv("POSTPROD_PRESETS", str(tmp_path))
    assert [s.name for s in find_effect_preset("gravel").chain] == ["distortion", "lowpass"]
    assert "telephone" in builtin_presets()  # the shipped ones stay


# --- the two registries ------------------------------------------------------------------------


def test_every_spec_has_a_builder_and_every_builder_a_spec() -> None:
    from postprod.audio.effects import BUILDERS

    assert set(BUILDERS) == set(EFFECTS)


def _find_vst3() -> Path | None:
    import os

    roots = [Path(p) for p in os.environ.get("POSTPROD_TEST_VST3", "").split(os.pathsep) if p]
    roots += [Path.home() / ".vst3", Path("/usr/lib/vst3"), Path("/usr/local/lib/vst3")]
    for root in roots:
        if root.suffix == ".vst3" and root.exists():
            return root
        if root.is_dir():
            found = sorted(root.glob("*.vst3"))
            if found:
                return found[0]
    return None


def _file_params(name: str, tmp_path: Path) -> dict[str, str]:
    if name == "convolution":
        ir = np.zeros((1, 480), np.float32)
        ir[0, 0], ir[0, 240] = 1.0, 0.25
        return {"ir_path": str(write_wav(tmp_path / "ir.wav", ir, codec="pcm_f32le"))}
    if name == "vst3":
        plug_in = _find_vst3()
        if plug_in is None:
            pytest.skip("no VST3 plug-in installed (set POSTPROD_TEST_VST3 to a .vst3 to test one)")
        return {"path": str(plug_in)}
    return {}


@pytest.mark.parametrize("name", sorted(EFFECTS))
def test_every_registered_effect_builds_and_runs(name: str, tmp_path: Path) -> None:
    from postprod.effects.registry import EffectSpec

    spec = EffectSpec.of(name, **_file_params(name, tmp_path))  # every other parameter default
    chain = Chain((spec,), RATE)
    noise = (0.1 * np.random.default_rng(7).standard_normal((2, RATE))).astype(np.float32)
    # Feed until a whole second has come out (pitch shifting holds back 2 s, limiters a little).
    out = stream(chain, noise, tail_blocks=40)[:, : noise.shape[1]]
    assert out.shape == noise.shape and out.dtype == np.float32
    assert np.isfinite(out).all()
