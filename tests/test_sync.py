"""Double-system sync: a known offset is found to the sample, and to a millisecond with noise and drift."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from media_factory import write_wav
from postprod.audio.align import find_sync
from postprod.cli import main
from postprod.errors import AudioError

RATE = 48000
OFFSET = 59_256  # the recorder started 1.2345 s after the camera


def speech_like(seconds: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    sos = signal.butter(4, [200, 4000], btype="bandpass", fs=RATE, output="sos")
    t = np.arange(n) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2 * (
        0.5 + 0.5 * (np.sin(2 * np.pi * 0.1 * t) > 0)
    )
    return (0.2 * signal.sosfilt(sos, rng.standard_normal(n)) * envelope).astype(np.float32)


def test_clean_offset_to_the_sample() -> None:
    camera = speech_like(60)
    recorder = camera[OFFSET : OFFSET + 40 * RATE]
    result = find_sync(camera, recorder, RATE)
    assert abs(result.offset_s * RATE - OFFSET) < 1.0
    assert abs(result.drift_ppm) < 1.0 and result.confidence > 0.99


def test_noise_and_drift() -> None:
    camera = speech_like(90, seed=2)
    recorder = camera[OFFSET : OFFSET + 80 * RATE].astype(np.float64)
    drifting = signal.resample_poly(recorder, 10_000, 10_001)  # 100 ppm: its clock runs slow
    noise_power = np.mean(drifting**2) / 10  # 10 dB SNR
    noisy = drifting + np.random.default_rng(3).normal(0, np.sqrt(noise_power), drifting.size)
    result = find_sync(camera, noisy.astype(np.float32), RATE)
    assert abs(result.offset_s - OFFSET / RATE) < 0.001
    assert result.drift_ppm == pytest.approx(100.0, abs=10.0)


def test_recorder_started_first() -> None:
    camera = speech_like(40, seed=4)
    recorder = np.concatenate([speech_like(2, seed=9), camera])  # 2 s before the camera rolled
    result = find_sync(camera, recorder, RATE)
    assert abs(result.offset_s + 2.0) * RATE < 1.0


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    camera = speech_like(30, seed=5)
    ref = write_wav(tmp_path / "camera.wav", camera[None], codec="pcm_f32le")
    rec = write_wav(tmp_path / "recorder.wav", np.stack([camera[OFFSET:]] * 2), codec="pcm_f32le")
    assert main(["sync", str(ref), str(rec), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["file"].endswith("recorder.wav") and set(entry) == {
        "file",
        "offset_s",
        "drift_ppm",
        "confidence",
    }
    assert abs(entry["offset_s"] * RATE - OFFSET) < 1.0
    short = write_wav(tmp_path / "blip.wav", camera[None, :1000], codec="pcm_f32le")
    assert main(["sync", str(ref), str(short)]) == 2
    with pytest.raises(AudioError):
        find_sync(camera, camera[:100], RATE)


def test_a_late_start_far_into_the_reference() -> None:
    camera = speech_like(100, seed=6)
    recorder = camera[70 * RATE :]  # rolled 70 s after the camera: a lag past half the FFT
    result = find_sync(camera, recorder, RATE)
    assert abs(result.offset_s - 70.0) * RATE < 1.0
