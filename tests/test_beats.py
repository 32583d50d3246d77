"""The beat tracker on synthetic music with known beats and bars (drums and chords).

Accuracy is mir_eval's beat F-measure: an estimated beat is a hit when it lies
within +-70 ms of a reference beat, each reference matched at most once (a
maximum matching), F = 2PR / (P + R). mir_eval also drops the first 5 s before
scoring; we score the whole piece, which is stricter.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.signal import resample_poly
from tests.media_factory import write_wav
from typer.testing import CliRunner

from postprod.audio.music import Score, Style, Tempo, compose
from postprod.audio.rhythm.analysis import Rhythm, analyse
from postprod.audio.rhythm.onsets import SAMPLE_RATE, envelope_of
from postprod.cli import app, main

SECONDS = 24.0
WINDOW_S = 0.07


def f_measure(reference: np.ndarray, estimated: np.ndarray, window_s: float = WINDOW_S) -> float:
    """mir_eval.beat.f_measure (without its 5 s trim)."""
    reference, estimated = np.asarray(reference), np.asarray(estimated)
    if reference.size == 0 or estimated.size == 0:
        return 0.0
    distance = np.abs(reference[:, None] - estimated[None, :])
    cost = np.where(distance <= window_s, 0.0, 1.0)
    rows, cols = linear_sum_assignment(cost)
    hits = int(np.sum(cost[rows, cols] == 0.0))
    if hits == 0:
        return 0.0
    precision, recall = hits / estimated.size, hits / reference.size
    return 2 * precision * recall / (precision + recall)


STEADY = {
    "60 bpm": (Tempo(60), Style(seed=1)),
    "90 bpm": (Tempo(90), Style(seed=2)),
    "120 bpm": (Tempo(120), Style(seed=3)),
    "150 bpm": (Tempo(150), Style(seed=4)),
    "180 bpm": (Tempo(180), Style(seed=5)),
    "3/4 at 100": (Tempo(100), Style(metre=3, seed=6)),
    "3/4 at 140": (Tempo(140), Style(metre=3, seed=7)),
    "swing 110": (Tempo(110), Style(swing=1 / 3, seed=8)),
    "noise and reverb 125": (Tempo(125), Style(noise_db=12, reverb_s=1.2, seed=9)),
    "3/4 noise and reverb 84": (Tempo(84), Style(metre=3, noise_db=15, reverb_s=0.8, seed=10)),
}
CHANGING = {
    "tempo change 100 -> 130": (Tempo(100, 130, 12.0), Style(seed=11)),
    "ritardando 130 -> 90": (Tempo(130, 90, 8.0, 12.0), Style(seed=12)),
    "accelerando 3/4 90 -> 120": (Tempo(90, 120, 8.0, 10.0), Style(metre=3, seed=13)),
}


def _music(seconds: float, tempo: Tempo, style: Style) -> tuple[np.ndarray, Score]:
    """The piece at the tracker's rate (made at 16 kHz, where the hi-hat fits, then
    resampled as a file's sound is)."""
    music, score = compose(seconds, tempo, style, sample_rate=16000)
    return resample_poly(music, SAMPLE_RATE, 16000, axis=-1).astype(np.float32), score


def _tracked(tempo: Tempo, style: Style) -> tuple[Rhythm, np.ndarray, np.ndarray, int]:
    music, score = _music(SECONDS, tempo, style)
    rhythm = analyse(envelope_of(music))
    return rhythm, score.beats_s, score.downbeats_s, score.metre


def _map_at(rhythm: Rhythm, times_s: np.ndarray) -> np.ndarray:
    starts = np.array([p.time_s for p in rhythm.tempo])
    bpm = np.array([p.bpm for p in rhythm.tempo])
    return np.asarray(bpm[np.maximum(np.searchsorted(starts, times_s + 1e-6) - 1, 0)])


@pytest.mark.parametrize("case", list(STEADY))
def test_steady_music_beats_bars_metre_and_tempo(case: str) -> None:
    tempo, style = STEADY[case]
    rhythm, beats, downbeats, metre = _tracked(tempo, style)
    assert f_measure(beats, np.array(rhythm.beats_s)) >= 0.95
    assert f_measure(downbeats, np.array(rhythm.downbeats_s)) >= 0.85
    assert rhythm.metre == metre
    assert np.all(np.abs(_map_at(rhythm, beats) - tempo.bpm) <= 1.0)


@pytest.mark.parametrize("case", list(CHANGING))
def test_changing_tempo_is_followed(case: str) -> None:
    tempo, style = CHANGING[case]
    rhythm, beats, downbeats, _ = _tracked(tempo, style)
    assert f_measure(beats, np.array(rhythm.beats_s)) >= 0.95
    assert f_measure(downbeats, np.array(rhythm.downbeats_s)) >= 0.8
    # the tempo between each beat and the next, away from where the change starts and ends
    played = 60.0 / np.diff(beats)
    mids = beats[:-1]
    bends = [tempo.change_s, tempo.change_s + tempo.ramp_s]
    away = np.all([np.abs(mids - bend) > 4 * 60 / tempo.bpm for bend in bends], axis=0)
    away &= mids < beats[-1] - 2.0
    assert np.all(np.abs(_map_at(rhythm, mids[away] + 0.01) - played[away]) <= 1.0)


def test_a_tempo_range_settles_the_level() -> None:
    """The same 75 BPM piece: left alone, then held to 120-240 (its double)."""
    music, score = _music(SECONDS, Tempo(75), Style(seed=14))
    envelope = envelope_of(music)
    alone = analyse(envelope)
    doubled = analyse(envelope, bpm_range=(120.0, 240.0))
    assert f_measure(score.beats_s, np.array(alone.beats_s)) >= 0.95
    assert abs(doubled.tempo[0].bpm - 150.0) <= 1.0
    assert (
        f_measure(score.beats_s, np.array(doubled.beats_s)[::2]) >= 0.9
        or f_measure(score.beats_s, np.array(doubled.beats_s)[1::2]) >= 0.9
    )


def test_blocks_do_not_change_the_envelope() -> None:
    """Streaming in blocks gives the same envelope as one block, to rounding."""
    music, _ = _music(12.0, Tempo(120), Style(seed=15))
    small = envelope_of(music, block=4001)
    whole = envelope_of(music, block=music.shape[1])
    assert small.strength.shape == whole.strength.shape
    np.testing.assert_allclose(small.strength, whole.strength, rtol=1e-4, atol=1e-3)


def test_beats_command_json_from_a_file(tmp_path: Path) -> None:
    """A 44.1 kHz stereo WAV through the CLI: the documented JSON keys, the beats right."""
    music, score = compose(SECONDS, Tempo(128), Style(seed=16), sample_rate=44100)
    path = write_wav(tmp_path / "music.wav", np.vstack([music, music]), rate=44100)
    result = CliRunner().invoke(app, ["beats", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"beats", "downbeats", "tempo", "metre"} <= set(data)
    assert data["metre"] == 4
    assert f_measure(score.beats_s, np.array(data["beats"])) >= 0.95
    assert abs(data["tempo"][0]["bpm"] - 128) <= 1.0
    assert set(data["tempo"][0]) == {"time_s", "bpm"}


def test_a_bad_tempo_range_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    music, _ = compose(4.0, Tempo(120), sample_rate=22050)
    path = write_wav(tmp_path / "m.wav", music, rate=22050)
    assert main(["beats", str(path), "--bpm", "160-80"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: tempo range") and len(err.strip().splitlines()) == 1


def test_the_sparse_mel_sum_is_the_filterbank_product() -> None:
    from postprod.audio.rhythm import onsets

    magnitude = np.random.default_rng(0).random((9, onsets.FRAME // 2 + 1)).astype(np.float32)
    np.testing.assert_allclose(
        onsets._mel_bands(magnitude), magnitude @ onsets._filterbank(), rtol=1e-5, atol=1e-6
    )
