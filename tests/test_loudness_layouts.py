"""Loudness of any channel layout: BS.1770-4 weights by loudspeaker position, LFE left out.

Files are written with PyAV so that their headers carry a channel layout
(WAVE_FORMAT_EXTENSIBLE's channel mask), or with soundfile without one. Tones
of known level give the expected BS.1770 sum; FFmpeg's ebur128 filter (PyAV's
bundled libraries) checks the meter where it weights the same way.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from postprod.cli import main
from postprod.deliver.measure import measure_file
from postprod.qc.loudness import channel_weights

RATE = 48000


def tones(levels_dbfs: list[float], seconds: float = 4.0) -> np.ndarray:
    """One 1 kHz sine per channel at the given peak levels (-inf: silent)."""
    t = np.arange(round(seconds * RATE)) / RATE
    rows = [
        (0.0 if math.isinf(level) else 10 ** (level / 20)) * np.sin(2 * np.pi * 1000 * t + k)
        for k, level in enumerate(levels_dbfs)
    ]
    return np.stack(rows).astype(np.float32)


def expected_lufs(levels_dbfs: list[float], weights: list[float]) -> float:
    """BS.1770: -0.691 + 10 log10(sum G_i z_i); a 1 kHz sine of peak A has z = A^2/2 after a
    K-weighting whose gain at 1 kHz the -0.691 makes up."""
    total = sum(w * 10 ** (level / 10) / 2 for level, w in zip(levels_dbfs, weights, strict=True))
    return 10 * math.log10(total)


def write_with_layout(path: Path, samples: np.ndarray, layout: str) -> Path:
    with av.open(str(path), "w", format="wav") as container:
        stream = container.add_stream("pcm_f32le", rate=RATE)
        stream.layout = layout
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout=layout)
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


LEVELS_8 = [-20.0, -22.0, -24.0, -6.0, -26.0, -28.0, -30.0, -32.0]  # LFE (4th) loud


@pytest.mark.parametrize(
    ("layout", "levels", "weights"),
    [
        ("5.0", [-20.0, -22.0, -24.0, -26.0, -28.0], [1, 1, 1, 1.41, 1.41]),
        ("5.0(side)", [-20.0, -22.0, -24.0, -26.0, -28.0], [1, 1, 1, 1.41, 1.41]),
        ("5.1", [-20.0, -22.0, -24.0, -6.0, -26.0, -28.0], [1, 1, 1, 0, 1.41, 1.41]),
        # 7.1: FL FR FC LFE BL BR SL SR; the sides are the surrounds (90 degrees), the
        # backs are rears (135-150 degrees: 1.0)
        ("7.1", LEVELS_8, [1, 1, 1, 0, 1, 1, 1.41, 1.41]),
        ("quad", [-20.0, -22.0, -24.0, -26.0], [1, 1, 1.41, 1.41]),
    ],
)
def test_a_file_declaring_its_layout(
    tmp_path: Path, layout: str, levels: list[float], weights: list[float]
) -> None:
    path = write_with_layout(tmp_path / "tones.wav", tones(levels), layout)
    result = measure_file(path, true_peak=False)
    assert result.integrated_lufs == pytest.approx(expected_lufs(levels, weights), abs=0.05)


def test_height_layouts_and_stems_by_option(tmp_path: Path) -> None:
    levels = [*LEVELS_8, -24.0, -25.0, -26.0, -27.0]  # 7.1.4: four heights at 1.0
    path = tmp_path / "bed.wav"
    soundfile.write(str(path), tones(levels).T, RATE, subtype="FLOAT")  # no channel mask
    weights_714 = [1, 1, 1, 0, 1, 1, 1.41, 1.41, 1, 1, 1, 1]
    with_layout = measure_file(path, true_peak=False, layout="7.1.4")
    assert with_layout.integrated_lufs == pytest.approx(
        expected_lufs(levels, weights_714), abs=0.05
    )
    # Undeclared and not six channels: a stem, every channel 1.0 (the LFE's tone counts).
    for layout in (None, "stem"):
        stem = measure_file(path, true_peak=False, layout=layout)
        assert stem.integrated_lufs == pytest.approx(expected_lufs(levels, [1] * 12), abs=0.05)


def test_six_undeclared_channels_are_still_5_1(tmp_path: Path) -> None:
    levels = [-20.0, -22.0, -24.0, -6.0, -26.0, -28.0]
    path = tmp_path / "six.wav"
    soundfile.write(str(path), tones(levels).T, RATE, subtype="FLOAT")
    result = measure_file(path, true_peak=False)
    assert result.integrated_lufs == pytest.approx(
        expected_lufs(levels, [1, 1, 1, 0, 1.41, 1.41]), abs=0.05
    )
    assert channel_weights(6).tolist() == [1, 1, 1, 0, 1.41, 1.41]


def ffmpeg_integrated(samples: np.ndarray, layout: str) -> float:
    """FFmpeg's ebur128 integrated loudness of ``samples`` in ``layout``."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        format="fltp", sample_rate=RATE, layout=layout, time_base=f"1/{RATE}"
    )
    meter = graph.add("ebur128", "metadata=1")
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
            np.ascontiguousarray(samples[:, start : start + 4800]), format="fltp", layout=layout
        )
        frame.sample_rate, frame.pts = RATE, start
        source.push(frame)
        drain()
    source.push(None)
    drain()
    return float(last["lavfi.r128.I"])


def programme(channels: int, seconds: int = 12) -> np.ndarray:
    """Different noise, bursts and tones per channel, so a wrong weight shows."""
    rng = np.random.default_rng(channels)
    t = np.arange(seconds * RATE) / RATE
    rows = []
    for k in range(channels):
        gate = (np.sin(2 * np.pi * (0.3 + 0.1 * k) * t) > -0.3).astype(np.float64)
        tone = 0.2 * np.sin(2 * np.pi * (110 * (k + 1)) * t)
        rows.append(gate * (0.05 * (k + 1) * rng.standard_normal(t.size) + tone))
    return np.stack(rows).astype(np.float32)


@pytest.mark.parametrize(("layout", "silent"), [("5.0", ()), ("5.1", ()), ("7.1", (4, 5))])
def test_agrees_with_ffmpeg_ebur128(tmp_path: Path, layout: str, silent: tuple[int, ...]) -> None:
    """FFmpeg weights every back channel +1.5 dB; BS.1770-4 only those at 60-120 degrees,
    so for 7.1 the two agree when the rear pair (BL BR) is silent."""
    samples = programme(av.AudioLayout(layout).nb_channels)
    samples[list(silent)] = 0.0
    path = write_with_layout(tmp_path / "p.wav", samples, layout)
    ours = measure_file(path, true_peak=False).integrated_lufs
    assert ours == pytest.approx(ffmpeg_integrated(samples, layout), abs=0.1)


def test_cli_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_with_layout(tmp_path / "t.wav", tones(LEVELS_8, 2.0), "7.1")
    assert main(["loudness", str(path)]) == 0
    out = capsys.readouterr().out
    assert "8 channel(s) (7.1): FL 1 FR 1 FC 1 LFE 0 BL 1 BR 1 SL 1.41 SR 1.41" in out
    assert main(["loudness", str(path), "--layout", "stem", "--json"]) == 0
    stem = capsys.readouterr().out
    assert '"integrated_lufs"' in stem
    assert main(["loudness", str(path), "--layout", "5.1"]) == 2
    assert "layout 5.1 has 6 channels; the file has 8" in capsys.readouterr().err
    assert main(["loudness", str(path), "--layout", "9.9"]) == 2
    assert "'9.9' is not a channel layout" in capsys.readouterr().err


def test_qc_weights_by_the_layout_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_with_layout(tmp_path / "t.wav", tones(LEVELS_8, 3.0), "7.1")
    capsys.readouterr()
    assert main(["qc", str(path), "--preset", "ebu-r128", "--json"]) in (0, 3)
    report = json.loads(capsys.readouterr().out)
    assert report["loudness"]["integrated_lufs"] == pytest.approx(
        expected_lufs(LEVELS_8, [1, 1, 1, 0, 1, 1, 1.41, 1.41]), abs=0.05
    )
