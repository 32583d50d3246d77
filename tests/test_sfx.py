"""Sound effects from scratch: each has the character its name promises, and seeds repeat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from postprod.audio.sfx import GENERATORS, generate
from postprod.audio.synth import noise
from postprod.cli import main
from postprod.errors import AudioError
from postprod.media import read_audio

RATE = 48000


def centroid_track(x: np.ndarray, window: int = 4800) -> np.ndarray:
    freqs = np.fft.rfftfreq(window, 1 / RATE)
    frames = x[: x.size // window * window].reshape(-1, window)
    spectra = np.abs(np.fft.rfft(frames * np.hanning(window), axis=1))
    return (spectra * freqs).sum(axis=1) / np.maximum(spectra.sum(axis=1), 1e-12)


def envelope_db(x: np.ndarray, window: int = 480) -> np.ndarray:
    frames = x[: x.size // window * window].reshape(-1, window)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_generator_is_seeded_and_sane(name: str) -> None:
    a, b = generate(name, seed=4), generate(name, seed=4)
    assert np.array_equal(a, b)  # the same seed gives the same samples
    assert a.shape[0] == 1 and np.isfinite(a).all()
    assert np.abs(a).max() == pytest.approx(0.5, abs=1e-6)


def test_whoosh_centroid_rises_and_falls() -> None:
    centroids = centroid_track(generate("whoosh", seconds=3.0, seed=1)[0])
    peak = int(np.argmax(centroids))
    assert 0.2 * centroids.size < peak < 0.8 * centroids.size
    assert centroids[peak] > 2 * centroids[1] and centroids[peak] > 2 * centroids[-2]


@pytest.mark.parametrize("name", ["impact", "gunshot", "punch"])
def test_hits_decay(name: str) -> None:
    level = envelope_db(generate(name, seed=2)[0])
    first = int(np.argmax(level))
    assert first < 10  # the energy is at the start
    later = min(first + 80, level.size - 1)  # 800 ms later, or the end
    assert level[first] - level[later] > 20  # it has died away by 20 dB or more


def test_footsteps_have_evenly_spaced_onsets_at_the_pace() -> None:
    x = generate("footsteps", seconds=4.0, seed=3, pace_hz=2.5, surface="concrete")[0]
    level = envelope_db(x, window=96)  # 2 ms frames
    onsets = np.flatnonzero((level[1:] > -35) & (level[:-1] <= -35)) * 96 / RATE
    heels = onsets[np.insert(np.diff(onsets) > 0.2, 0, True)]  # first onset of each step
    spacing = np.diff(heels)
    assert spacing.size >= 8
    assert np.median(spacing) == pytest.approx(1 / 2.5, abs=0.02)
    assert spacing.std() < 0.02


def test_laser_pitch_falls_and_beep_is_a_tone() -> None:
    centroids = centroid_track(generate("laser", seconds=0.6, seed=1)[0], window=2400)
    assert centroids[0] > 2 * centroids[-2]
    beep = generate("beep", seconds=1.0, frequency_hz=1000.0)[0]
    spectrum = np.abs(np.fft.rfft(beep))
    assert np.argmax(spectrum) * RATE / beep.size == pytest.approx(1000, abs=2)


def test_noise_colours_have_their_slopes() -> None:
    rng = np.random.default_rng(0)
    for colour, slope in (("white", 0.0), ("pink", -3.0), ("brown", -6.0)):
        f, p = signal.welch(noise(colour, RATE * 8, rng), fs=RATE, nperseg=8192)
        band = (f > 100) & (f < 10_000)
        fit = np.polyfit(np.log2(f[band]), 10 * np.log10(p[band]), 1)[0]  # dB per octave
        assert fit == pytest.approx(slope, abs=0.7), colour


def test_cli_make_and_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "steps.wav"
    assert (
        main(
            [
                "sfx",
                "footsteps",
                "-o",
                str(out),
                "--seed",
                "7",
                "--param",
                "pace_hz=3",
                "--duration",
                "2",
            ]
        )
        == 0
    )
    steps, rate = read_audio(out)
    assert rate == RATE and steps.shape[1] == 2 * RATE
    recipe = tmp_path / "hit.toml"
    recipe.write_text(
        '[[layer]]\ngenerator = "impact"\nat_s = 0.0\n\n'
        '[[layer]]\ngenerator = "whoosh"\nat_s = 0.5\nseconds = 1.0\ngain_db = -6\nseed = 2\n'
    )
    assert main(["sfx", "recipe", str(recipe), "-o", str(tmp_path / "hit.wav")]) == 0
    hit, _ = read_audio(tmp_path / "hit.wav")
    assert hit.shape[1] == int(1.5 * RATE)
    capsys.readouterr()
    assert main(["sfx", "list", "--json"]) == 0
    assert "footsteps" in capsys.readouterr().out
    assert main(["sfx", "kazoo", "-o", str(tmp_path / "x.wav")]) == 2
    assert main(["sfx", "footsteps", "-o", str(tmp_path / "x.wav"), "--param", "surface=ice"]) == 2
    with pytest.raises(AudioError, match="out of range"):
        generate("wind", seconds=0)
