"""Meters: PPM ballistics (IEC 60268-10 Type I), the true peak of each window, and the meter
frames of a range of the real mix."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from postprod.qc.ppm import PPM, WindowTruePeak, ppm, to_db

RATE = 48000


def _tone(frequency_hz: float, seconds: float, burst_s: float | None = None) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    x = np.sin(2 * np.pi * frequency_hz * t)
    if burst_s is not None:
        x = x * (t < burst_s)
    return x[None, :].astype(np.float32)


def _steady_db(frequency_hz: float = 5000.0) -> float:
    return to_db(float(ppm(_tone(frequency_hz, 1.0), RATE)[:, RATE // 2 :].max()))


# IEC 60268-10 Type I (DIN 45406): 5 kHz bursts read -1 dB (10 ms) and -2 dB (5 ms) of steady.
@pytest.mark.parametrize(("burst_s", "expected_db"), [(0.010, -1.0), (0.005, -2.0)])
def test_a_tone_burst_reads_the_type_i_figure(burst_s: float, expected_db: float) -> None:
    reading = to_db(float(ppm(_tone(5000.0, 0.3, burst_s), RATE).max()))
    assert reading - _steady_db() == pytest.approx(expected_db, abs=0.5)


def test_a_steady_sine_reads_its_peak_at_every_frequency() -> None:
    assert _steady_db() == pytest.approx(0.0, abs=0.1)  # 0 dB: a full-scale sine
    for frequency in (31.5, 100.0, 1000.0, 10000.0):
        assert _steady_db(frequency) == pytest.approx(0.0, abs=1.0)


def test_the_needle_returns_20_db_in_one_and_a_half_seconds() -> None:
    x = np.concatenate([_tone(1000.0, 1.0), np.zeros((1, 3 * RATE), np.float32)], axis=1)
    needle_db = 20 * np.log10(ppm(x, RATE)[0])
    after = needle_db[RATE:]
    top = needle_db[RATE - 1]
    fallen = int(np.argmax(after <= top - 20.0))
    assert fallen / RATE == pytest.approx(1.5, rel=0.1)


def test_blocks_give_the_same_needle_as_one_array() -> None:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((2, RATE)) * 0.1).astype(np.float32)
    whole = ppm(x, RATE)
    meter = PPM(RATE, 2)
    pieces = np.concatenate([meter.process(x[:, i : i + 1000]) for i in range(0, RATE, 1000)], 1)
    np.testing.assert_allclose(pieces, whole, rtol=1e-9)


def test_the_true_peak_of_a_window_sees_between_the_samples() -> None:
    # a sine at a quarter of the rate, 45 degrees off: samples at 0.707, the wave at 1.0
    n = np.arange(4800)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4)[None, :].astype(np.float32)
    meter = WindowTruePeak(RATE, 1)
    peaks = [meter.peak(x[:, i : i + 1920]) for i in range(0, 4800, 1920)]
    assert float(np.abs(x).max()) == pytest.approx(math.sqrt(0.5), abs=1e-3)
    assert to_db(peaks[1]) == pytest.approx(0.0, abs=0.3)


# --- the console's per-strip tap and a late start -------------------------------------------


def test_the_strip_taps_sum_to_the_master_and_a_late_start_is_the_same_mix() -> None:
    from postprod.audio.mixer import ArraySource, Mixer, Session, Track
    from postprod.effects.console import StripState

    rng = np.random.default_rng(3)
    one = ArraySource((rng.standard_normal((1, RATE)) * 0.1).astype(np.float32))
    two = ArraySource((rng.standard_normal((2, RATE)) * 0.1).astype(np.float32))
    session = Session(
        RATE, (Track("one", one, StripState(gain_db=-3.0, pan=-0.5)), Track("two", two))
    )
    blocks = list(Mixer(session).blocks(RATE, block_samples=4096, strips=True))
    master = np.concatenate([b.master for b in blocks], axis=1)
    summed = sum(np.concatenate([b.strips[n] for b in blocks], axis=1) for n in ("one", "two"))
    np.testing.assert_allclose(summed, master, atol=1e-6)
    late = list(Mixer(session).blocks(RATE, block_samples=4096, first_sample=8192))
    assert late[0].start == 8192
    np.testing.assert_array_equal(
        np.concatenate([b.master for b in late], axis=1), master[:, 8192:]
    )


# --- meter frames of the demo's mix -----------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_preview import _demo

    return _demo(tmp_path_factory.mktemp("meters"))


def test_meter_frames_measure_the_mix_of_the_range(demo: Path) -> None:
    from postprod.planner.plan import OutputFormat, plan
    from postprod.project import load_project
    from postprod.qc.loudness import measure
    from postprod.render.meters import meter_plan
    from postprod.render.mixdown import programme_sound

    programme = plan(load_project(demo), OutputFormat(320, 180), project_folder=demo.parent)
    frames = list(meter_plan(programme, 20, 80, preroll_s=1.0))
    assert [f.frame for f in frames] == list(range(20, 80))  # 25 a second at 25 fps
    whole = np.concatenate(list(programme_sound(programme)), axis=1)
    part = whole[:, 20 * 1920 : 80 * 1920]
    reference = measure(part, RATE)
    last = frames[-1].master
    assert last.integrated_lufs == pytest.approx(reference.integrated_lufs, abs=0.1)
    window = whole[:, 80 * 1920 - 19200 : 80 * 1920]  # the 400 ms before the range's end
    assert last.momentary_lufs == pytest.approx(measure(window, RATE).max_momentary_lufs, abs=0.1)
    peak = max(f.master.peak_dbfs for f in frames)
    assert peak == pytest.approx(reference.sample_peak_dbfs, abs=0.01)
    assert max(f.master.true_peak_dbtp for f in frames) >= peak
    # the guide dialogue is muted: its meter rests; the music plays throughout
    assert all(f.strips["dialogue"].peak_dbfs == -150.0 for f in frames)
    assert all(f.strips["music"].ppm_dbfs > -60 for f in frames)
    message = frames[10].to_dict()
    assert message["type"] == "meters" and message["frame"] == 30
    assert set(message["strips"]) == {"camera sound", "dialogue", "ADR", "music"}
    assert set(message["strips"]["music"]) == {"peak_dbfs", "true_peak_dbtp", "ppm_dbfs"}
    # the buses too: the music bus MX carries the music; its peak is the bus stem's
    assert set(message["buses"]) == {"VO", "MX"}
    assert all(f.buses["MX"].ppm_dbfs > -60 for f in frames)
    from postprod.audio.mixer import Mixer
    from postprod.render.mixdown import session_from_plan

    first = 20 * 1920
    stem = np.concatenate(
        [
            b.stems["MX"]
            for b in Mixer(session_from_plan(programme)).blocks(80 * 1920, stems=("MX",))
        ],
        axis=1,
    )[:, first:]
    stem_peak = 20 * np.log10(np.abs(stem).max())
    assert max(f.buses["MX"].peak_dbfs for f in frames) == pytest.approx(stem_peak, abs=0.01)
    assert set(message["master"]) == {
        "peak_dbfs",
        "true_peak_dbtp",
        "ppm_dbfs",
        "momentary_lufs",
        "short_term_lufs",
        "integrated_lufs",
        "target_lufs",
    }
