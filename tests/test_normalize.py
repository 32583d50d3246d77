"""Two-pass normalisation: reaches the target, respects the true-peak ceiling, never touches the source."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from media_factory import write_wav
from postprod.cli import main
from postprod.deliver.measure import measure_file
from postprod.deliver.normalize import normalize_file
from postprod.media import audio_info, read_audio, write_audio
from test_loudness import ffmpeg_ebur128, programme_like

RATE = 48000


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("normalize")
    return write_wav(folder / "quiet.wav", programme_like(30) * 0.3, codec="pcm_f32le")


@pytest.fixture(scope="module")
def peaky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    programme = programme_like(30) * 0.5
    programme[:, ::4800] = 0.9  # a click every 100 ms: peaks far above the programme
    folder = tmp_path_factory.mktemp("normalize")
    return write_wav(folder / "peaky.wav", programme, codec="pcm_f32le")


def test_reaches_the_target_without_limiting(quiet: Path, tmp_path: Path) -> None:
    source_bytes = quiet.read_bytes()
    report = normalize_file(quiet, tmp_path / "out.wav", target_lufs=-23.0, true_peak_dbtp=-1.0)
    assert not report.limited
    assert report.after.integrated_lufs == pytest.approx(-23.0, abs=0.1)
    assert measure_file(tmp_path / "out.wav").integrated_lufs == pytest.approx(-23.0, abs=0.1)
    assert quiet.read_bytes() == source_bytes  # the source is never modified
    samples, _ = read_audio(tmp_path / "out.wav")
    assert ffmpeg_ebur128(samples, RATE)["integrated"] == pytest.approx(-23.0, abs=0.1)


def test_limits_only_where_the_gain_breaks_the_ceiling(peaky: Path, tmp_path: Path) -> None:
    report = normalize_file(peaky, tmp_path / "loud.wav", target_lufs=-12.0, true_peak_dbtp=-1.0)
    assert report.limited
    assert report.before.true_peak_dbtp + report.gain_db > -1.0  # it had to limit
    assert report.after.true_peak_dbtp <= -1.0
    samples, _ = read_audio(tmp_path / "loud.wav")
    assert ffmpeg_ebur128(samples, RATE)["true_peak"] <= -1.0 + 0.2  # FFmpeg's interpolator agrees
    assert report.after.integrated_lufs == pytest.approx(-12.0, abs=0.5)
    # Transparent: away from the clicks the samples are the source times the gain.
    source, _ = read_audio(peaky)
    gain = 10 ** (report.gain_db / 20)
    quiet_stretch = slice(2400 - 200, 2400 + 200)  # between two clicks
    assert np.allclose(samples[:, quiet_stretch], source[:, quiet_stretch] * gain, atol=1e-4)


def test_cli(quiet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "n.wav"
    assert (
        main(["normalize", str(quiet), "-o", str(out), "--target", "-16", "--true-peak", "-1"]) == 0
    )
    capsys.readouterr()
    assert main(["loudness", str(out), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == {
        "integrated_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "max_momentary_lufs",
        "max_short_term_lufs",
    }
    assert figures["integrated_lufs"] == pytest.approx(-16.0, abs=0.1)
    assert main(["normalize", str(quiet), "-o", str(quiet), "--target", "-16"]) == 2
    assert "never modified" in capsys.readouterr().err


def test_silence_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    silent = write_wav(tmp_path / "silent.wav", np.zeros((2, RATE), np.float32))
    assert main(["normalize", str(silent), "-o", str(tmp_path / "x.wav"), "--target", "-23"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["silent.wav"]


def test_an_interrupted_write_leaves_no_file(tmp_path: Path) -> None:
    """The output is renamed into place only when complete: a failure leaves nothing behind."""

    def failing_blocks() -> Iterator[np.ndarray]:
        yield np.zeros((2, RATE), np.float32)
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError):
        write_audio(tmp_path / "half.wav", failing_blocks(), RATE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "bit_depth"), [("out.flac", "24"), ("out16.wav", "16")])
def test_flac_and_16_bit_outputs(quiet: Path, tmp_path: Path, name: str, bit_depth: str) -> None:
    """Word-length reduction is dithered and the result still meets the target and ceiling."""
    report = normalize_file(
        quiet, tmp_path / name, target_lufs=-16.0, true_peak_dbtp=-2.0, bit_depth=bit_depth
    )
    again = measure_file(tmp_path / name)
    assert again.integrated_lufs == pytest.approx(-16.0, abs=0.1)
    assert again.true_peak_dbtp <= -2.0
    assert report.after.integrated_lufs == pytest.approx(again.integrated_lufs, abs=0.01)
    assert audio_info(tmp_path / name).codec == ("flac" if name.endswith(".flac") else "pcm_s16le")
