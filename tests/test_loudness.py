"""The loudness meter against EBU Tech 3341 / Tech 3342 signals and FFmpeg's ebur128 filter.

The signals are generated here from their published descriptions (1 kHz
sines at given levels and durations); the tolerances are the published ones:
+-0.1 LU for loudness, +-1 LU for loudness range, +0.2/-0.4 dB for true peak.
"""

from __future__ import annotations

import math

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from postprod.errors import AudioError
from postprod.qc.loudness import LoudnessMeter, _BlockFilter, _TruePeak, k_weighting, measure

RATE = 48000


def sine(
    level_dbfs: float, seconds: float, *, rate: int = RATE, hz: float = 1000.0, phase: float = 0.0
) -> np.ndarray:
    n = np.arange(round(seconds * rate))
    return 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * hz * n / rate + phase)


def stereo(*segments: tuple[float, float], rate: int = RATE) -> np.ndarray:
    mono = np.concatenate([sine(level, seconds, rate=rate) for level, seconds in segments])
    return np.stack([mono, mono]).astype(np.float32)


def test_k_weighting_matches_the_published_48k_coefficients() -> None:
    sos = k_weighting(48000)
    assert sos[0, :3] == pytest.approx(
        [1.53512485958697, -2.69169618940638, 1.19839281085285], abs=1e-8
    )
    assert sos[0, 4:] == pytest.approx([-1.69065929318241, 0.73248077421585], abs=1e-8)
    assert sos[1, :3] == pytest.approx([1.0, -2.0, 1.0])
    assert sos[1, 4:] == pytest.approx([-1.99004745483398, 0.99007225036621], abs=1e-8)


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize(
    ("case", "segments"),
    [
        ("3341-1", [(-23, 20)]),
        ("3341-2", [(-33, 20)]),
        ("3341-3", [(-36, 10), (-23, 60), (-36, 10)]),
        ("3341-4", [(-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)]),
        ("3341-5", [(-26, 20), (-20, 20.1), (-26, 20)]),
    ],
)
def test_tech_3341_integrated(case: str, segments: list[tuple[float, float]], rate: int) -> None:
    result = measure(stereo(*segments, rate=rate), rate)
    expected = -33.0 if case == "3341-2" else -23.0
    assert result.integrated_lufs == pytest.approx(expected, abs=0.1)
    if case in ("3341-1", "3341-2"):
        assert result.max_momentary_lufs == pytest.approx(expected, abs=0.1)
        assert result.max_short_term_lufs == pytest.approx(expected, abs=0.1)


def test_tech_3341_case_6_five_channels() -> None:
    levels = {0: -28.0, 1: -28.0, 2: -24.0, 4: -30.0, 5: -30.0}  # L R C (LFE silent) Ls Rs
    samples = np.zeros((6, 20 * RATE), np.float32)
    for channel, level in levels.items():
        samples[channel] = sine(level, 20)
    assert measure(samples, RATE).integrated_lufs == pytest.approx(-23.0, abs=0.1)
    samples[3] = sine(-10.0, 20)  # the LFE does not count
    assert measure(samples, RATE).integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_tech_3341_case_9_short_term_is_constant() -> None:
    period = stereo((-20, 1.34), (-30, 1.66))
    result = measure(np.tile(period, 7), RATE)  # 21 s of alternating blocks
    after_warm_up = result.short_term_lufs[30:]  # every 3 s window holds one whole period
    assert np.abs(after_warm_up - -23.0).max() <= 0.1


@pytest.mark.parametrize(
    ("segments", "expected_lu"),
    [
        ([(-20, 20), (-30, 20)], 10),
        ([(-20, 20), (-15, 20)], 5),
        ([(-40, 20), (-20, 20)], 20),
        ([(-50, 20), (-35, 20), (-20, 20), (-35, 20), (-50, 20)], 15),
    ],
)
def test_tech_3342_loudness_range(segments: list[tuple[float, float]], expected_lu: float) -> None:
    assert measure(stereo(*segments), RATE).loudness_range_lu == pytest.approx(expected_lu, abs=1)


@pytest.mark.parametrize(
    ("case", "fraction", "amplitude", "phase_deg", "expected_dbtp"),
    [
        ("3341-15", 1 / 4, 0.50, 0.0, -6.0),
        ("3341-16", 1 / 4, 0.50, 45.0, -6.0),
        ("3341-17", 1 / 6, 0.50, 60.0, -6.0),
        ("3341-18", 1 / 8, 0.50, 67.5, -6.0),
        ("3341-19", 1 / 4, 1.41, 45.0, 3.0),
    ],
)
def test_tech_3341_true_peak(
    case: str, fraction: float, amplitude: float, phase_deg: float, expected_dbtp: float
) -> None:
    """Sines at fs/4, fs/6, fs/8 whose samples miss the crest (Tech 3341 cases 15-19).

    10 ms fades at each end: an abrupt start or end is a step, whose true peak
    really is higher than the sine's (Gibbs), which is not what is measured here.
    """
    n = np.arange(2 * RATE)
    tone = amplitude * np.sin(2 * np.pi * fraction * n + math.radians(phase_deg))
    fade = np.linspace(0.0, 1.0, RATE // 100)
    tone[: fade.size] *= fade
    tone[-fade.size :] *= fade[::-1]
    result = measure(np.stack([tone, tone]).astype(np.float32), RATE)
    assert expected_dbtp - 0.4 <= result.true_peak_dbtp <= expected_dbtp + 0.2, case
    if phase_deg:
        assert result.sample_peak_dbfs < expected_dbtp - 0.5  # the samples alone miss it
    if case == "3341-19":
        assert result.sample_peak_dbfs <= 0.0  # no sample is over full scale, yet +3 dBTP


def test_tech_3341_cases_10_to_13_bursts_on_the_100ms_grid() -> None:
    """Bursts at -38 ... -19 dBFS, 3 s (short-term) and 0.4 s (momentary) long, each after
    a silence that starts it at a different 100 ms step (after cases 10-13: max S and max M
    of each burst read its level +-0.1 LU). The meter updates every 100 ms, so bursts
    that start between steps are outside what it can catch whole."""
    levels = np.arange(-38.0, -18.0)
    for seconds, window_steps in ((3.0, 30), (0.4, 4)):
        pieces, starts = [], []
        position = 0
        for k, level in enumerate(levels):
            gap = round((3.2 + 0.1 * (k % 7)) * RATE)
            pieces += [np.zeros(gap), sine(level, seconds)]
            starts.append(position + gap)
            position += gap + round(seconds * RATE)
        pieces.append(np.zeros(3 * RATE))
        mono = np.concatenate(pieces)
        result = measure(np.stack([mono, mono]).astype(np.float32), RATE)
        series = result.short_term_lufs if window_steps == 30 else result.momentary_lufs
        for start, level in zip(starts, levels, strict=True):
            first = start // (RATE // 10)  # the window that ends when the burst does
            around = series[first - 5 : first + 5]
            assert around.max() == pytest.approx(level, abs=0.1)


def test_block_size_does_not_change_anything() -> None:
    rng = np.random.default_rng(5)
    programme = (rng.standard_normal((2, 12 * RATE)) * 0.05).astype(np.float32)
    whole = measure(programme, RATE)
    meter = LoudnessMeter(RATE, 2)
    for start in range(0, programme.shape[1], 1234):
        meter.feed(programme[:, start : start + 1234])
    parts = meter.result()
    assert parts.figures() == pytest.approx(whole.figures(), abs=1e-9)
    assert np.allclose(parts.short_term_lufs, whole.short_term_lufs)


@pytest.mark.parametrize("rate", [11025, 22050, 44100, 48000, 96000])
def test_block_filter_equals_the_biquads_in_float64(rate: int) -> None:
    """The K-weighting run as matrix products equals SciPy's biquads, whatever the blocks."""
    rng = np.random.default_rng(rate)
    n = np.arange(3 * rate)
    samples = 0.1 * rng.standard_normal(n.size) + 0.5 * np.sin(2 * np.pi * 20 * n / rate)
    expected = signal.sosfilt(k_weighting(rate), samples)
    block_filter = _BlockFilter(k_weighting(rate))
    state = np.zeros(4)
    pieces = []
    for size in (1, 31, 32, 33, 5000, 100_000, 7):
        for _ in range(2):
            start = sum(piece.size for piece in pieces)
            chunk = samples[start : start + size].astype(np.float32)
            filtered, state = block_filter.run(chunk, state)
            pieces.append(filtered)
    rest = samples[sum(piece.size for piece in pieces) :].astype(np.float32)
    pieces.append(block_filter.run(rest, state)[0])
    got = np.concatenate(pieces)
    assert got.size == samples.size
    assert np.abs(got - expected).max() < 5e-5  # float32 products; float32 biquads: ~1e-3
    assert np.sum(got.astype(np.float64) ** 2) / np.sum(expected**2) == pytest.approx(1, abs=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    sizes=st.lists(st.integers(1, 3000), min_size=1, max_size=12),
    rate=st.sampled_from([44100, 48000, 96000, 192000]),
)
def test_true_peak_equals_oversampling_everything(seed: int, sizes: list[int], rate: int) -> None:
    """Skipping the stretches that cannot hold the peak, and any block split, change nothing:
    the streaming true peak equals the largest value of the whole signal oversampled."""
    rng = np.random.default_rng(seed)
    length = 6000
    t = np.arange(length) / rate
    tone = np.sin(2 * np.pi * rng.uniform(0.2, 0.49) * rate * t + rng.uniform(0, 6.3))
    samples = (rng.uniform(0.05, 1.0) * tone + 0.05 * rng.standard_normal(length)).astype(
        np.float32
    )
    samples[rng.integers(0, length, 3)] = rng.uniform(-1, 1, 3)  # a few clicks
    stereo_samples = np.stack([samples, np.roll(samples, 37) * 0.7])
    meter = _TruePeak(rate, 2)
    position = 0
    for size in [*sizes, length]:
        block = stereo_samples[:, position : position + size]
        if block.shape[1]:
            magnitude = np.abs(block).max(axis=0)
            meter.feed(np.ascontiguousarray(block), magnitude)
        position += size
    phases = meter._band[: meter._taps, : meter._factor]  # the interpolator's own taps
    fir = phases[::-1].reshape(-1).astype(np.float64)
    everything = signal.upfirdn(fir, stereo_samples.astype(np.float64), up=meter._factor, axis=1)
    expected = max(float(np.abs(everything).max()), float(np.abs(stereo_samples).max()))
    assert meter.peak == pytest.approx(expected, rel=1e-5)


def test_series_times_and_a_rate_without_whole_100ms_steps() -> None:
    """At 11025 Hz a 100 ms step is 1102 or 1103 samples; the steps still tile the signal."""
    rate = 11025
    samples = stereo((-23, 10), rate=rate)
    whole = measure(samples, rate)
    meter = LoudnessMeter(rate, 2)
    for start in range(0, samples.shape[1], 999):
        meter.feed(samples[:, start : start + 999])
    parts = meter.result()
    assert whole.integrated_lufs == pytest.approx(-23.0, abs=0.1)
    assert parts.figures() == pytest.approx(whole.figures(), abs=1e-6)
    assert whole.momentary_lufs.size == 100 - 3 and whole.short_term_lufs.size == 100 - 29
    assert whole.momentary_times_s[0] == pytest.approx(0.4)
    assert whole.short_term_times_s[-1] == pytest.approx(10.0)


def test_silence_and_bad_layouts() -> None:
    result = measure(np.zeros((2, RATE * 5), np.float32), RATE)
    assert result.integrated_lufs == -math.inf and result.loudness_range_lu == 0.0
    with pytest.raises(AudioError, match="5 channels"):
        LoudnessMeter(RATE, 4, channel_names=("FL", "FR", "FC", "BL", "BR"))


def programme_like(seconds: int, rate: int = RATE) -> np.ndarray:
    """Speech-like noise bursts, music-like chords, quiet and loud passages (seeded)."""
    rng = np.random.default_rng(2026)
    pieces = []
    t = np.arange(5 * rate) / rate
    for k in range(seconds // 5):
        kind = k % 4
        if kind == 0:  # speech-like: band-limited noise with a syllable envelope
            noise = np.convolve(rng.standard_normal(t.size), np.ones(8) / 8, mode="same")
            piece = 0.15 * noise * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2)
        elif kind == 1:  # music-like: a chord
            piece = sum(0.08 * np.sin(2 * np.pi * f * t) for f in (220, 277, 330, 440))
        elif kind == 2:  # quiet
            piece = 0.01 * rng.standard_normal(t.size)
        else:  # loud
            piece = 0.4 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t))
        pieces.append(piece)
    mono = np.concatenate(pieces)
    return np.stack([mono, np.roll(mono, 100)]).astype(np.float32)


def ffmpeg_ebur128(samples: np.ndarray, rate: int) -> dict[str, float]:
    """FFmpeg's ebur128 filter (PyAV's bundled libraries) on the same samples."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        format="fltp", sample_rate=rate, layout="stereo", time_base=f"1/{rate}"
    )
    meter = graph.add("ebur128", "peak=true:metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    last: dict[str, str] = {}

    def drain() -> None:
        while True:
            try:
                frame = sink.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            if "lavfi.r128.I" in frame.metadata:
                last.update(frame.metadata)

    for start in range(0, samples.shape[1], 4800):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, start : start + 4800]), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts = rate, start
        source.push(frame)
        drain()
    source.push(None)
    drain()
    peaks = [float(v) for k, v in last.items() if k.startswith("lavfi.r128.true_peaks_ch")]
    return {
        "integrated": float(last["lavfi.r128.I"]),
        "lra": float(last["lavfi.r128.LRA"]),
        "true_peak": 20 * math.log10(max(peaks)),
    }


def test_agrees_with_ffmpeg_ebur128_on_programme_material() -> None:
    programme = programme_like(60)
    ours = measure(programme, RATE)
    theirs = ffmpeg_ebur128(programme, RATE)
    assert ours.integrated_lufs == pytest.approx(theirs["integrated"], abs=0.1)
    assert ours.loudness_range_lu == pytest.approx(theirs["lra"], abs=1.0)
    assert ours.true_peak_dbtp == pytest.approx(theirs["true_peak"], abs=0.3)
