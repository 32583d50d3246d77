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
from postprod.media import read_audio
from postprod.project import History, load_project, save_project
from postprod.render.mixdown import mix_project
from postprod.timecode import ltc
from postprod.timeline.metadata import StripState, set_strip

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


def _recorder_only_mix(project: Path, out: Path) -> np.ndarray:
    """The project mixed with the camera's track muted: only the placed recordings sound
    (a mono track at the centre of a stereo mix: -3 dB each side, undone here)."""
    timeline = load_project(project)
    set_strip(timeline.audio_tracks()[0], StripState(mute=True))
    save_project(timeline, project)
    mix_project(project, out, bit_depth="32f")
    mixed, _ = read_audio(out)
    return mixed.mean(axis=0) * np.sqrt(2)


@pytest.mark.parametrize("offset", [OFFSET, -OFFSET])
def test_synced_project_places_each_recording_to_the_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offset: int
) -> None:
    camera = speech_like(20, seed=11)
    if offset > 0:  # the recorder rolled after the camera, at a fraction of a frame
        recorder = camera[offset:]
    else:  # it rolled first: two seconds of its own, then what the camera heard
        recorder = np.concatenate([speech_like(3, seed=12)[:-offset], camera])
    ref = write_wav(tmp_path / "camera.wav", camera[None], codec="pcm_f32le")
    rec = write_wav(tmp_path / "recorder.wav", recorder[None], codec="pcm_f32le")
    project = tmp_path / "synced.otio"
    assert main(["sync", str(ref), str(rec), "-o", str(project)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert History(project).events() == [] and History(project).folder.is_dir()
    written = project.read_bytes()
    assert main(["sync", str(ref), str(rec), "-o", str(project)]) == 2  # never over a project
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "already exists" in err and project.read_bytes() == written
    timeline = load_project(project)
    assert [t.name for t in timeline.audio_tracks()] == ["A1 camera", "A2 recorder"]
    heard = _recorder_only_mix(project, tmp_path / "mix.wav")
    # the timeline starts with the earliest file: a recorder that rolled first leads
    lead = max(0, -offset)
    middle = slice(3 * RATE, 17 * RATE)  # away from the clip's ends and their short fades
    later = slice(3 * RATE + lead, 17 * RATE + lead)
    assert np.abs(heard[later] - camera[middle]).max() < 1e-3  # sample-exact, not a frame off


def test_drift_is_resolved_by_a_speed_change(tmp_path: Path) -> None:
    camera = speech_like(60, seed=13).astype(np.float64)
    drifting = signal.resample_poly(camera[OFFSET:], 10_000, 10_001)  # 100 ppm slow
    ref = write_wav(tmp_path / "camera.wav", camera[None].astype(np.float32), codec="pcm_f32le")
    rec = write_wav(tmp_path / "recorder.wav", drifting[None].astype(np.float32), codec="pcm_f32le")
    project = tmp_path / "synced.otio"
    assert main(["sync", str(ref), str(rec), "-o", str(project)]) == 0
    (clip,) = load_project(project).audio_tracks()[1].find_clips()
    (warp,) = clip.effects
    assert warp.time_scalar == pytest.approx(1 / 1.0001, abs=1e-5)
    heard = _recorder_only_mix(project, tmp_path / "mix.wav")
    for at_s in (5, 55):  # in sync at the start and the end of the take: within a millisecond
        window = slice(at_s * RATE, (at_s + 1) * RATE)
        lags = signal.correlation_lags(RATE, RATE)
        lag = lags[np.argmax(signal.correlate(heard[window], camera[window]))]
        assert abs(lag) <= RATE // 1000


def test_by_timecode_and_by_ltc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    camera = speech_like(20, seed=14)
    ref = write_wav(tmp_path / "camera.wav", camera[None], time_reference_samples=3600 * RATE)
    rec = write_wav(
        tmp_path / "rec.wav", camera[None, OFFSET:], time_reference_samples=3600 * RATE + OFFSET
    )
    assert main(["sync", str(ref), str(rec), "--method", "timecode", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["offset_s"] * RATE == pytest.approx(OFFSET, abs=0.5)

    code = ltc.encode("01:00:00:00", "25", 20.0, sample_rate=RATE)[: camera.size]
    noisy = speech_like(20, seed=15)  # the recorder hears something else: only LTC can sync it
    ref = write_wav(tmp_path / "cam_ltc.wav", np.stack([camera, code]), codec="pcm_f32le")
    rec = write_wav(
        tmp_path / "rec_ltc.wav", np.stack([noisy, code])[:, OFFSET:], codec="pcm_f32le"
    )
    assert main(["sync", str(ref), str(rec), "--method", "ltc", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["offset_s"] * RATE == pytest.approx(OFFSET, abs=2.0)
    assert abs(entry["drift_ppm"]) < 5.0
    assert main(["sync", str(ref), str(rec), "--method", "ltc", "--ltc-channel", "1"]) == 2
    assert "no LTC found on channel 1" in capsys.readouterr().err
    assert main(["sync", str(ref), str(rec), "--method", "timecode"]) == 2
