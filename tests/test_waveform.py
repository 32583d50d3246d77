"""Waveform peaks and thumbnails: computed once by streaming, cached by the media's size and
modification time, JSON-ready."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from media_factory import frame_value, write_video, write_wav
from postprod.errors import MediaError
from postprod.render.thumbnails import thumbnail
from postprod.render.waveform import cache_folder, peaks

RATE = 48000


def test_peaks_are_the_min_and_max_of_each_run_and_come_back_from_the_cache(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(5)
    samples = (rng.standard_normal((2, RATE * 3 + 100)) * 0.2).astype(np.float32)
    media = write_wav(tmp_path / "noise.wav", samples, codec="pcm_f32le")
    cache = cache_folder(tmp_path / "P.otio") / "peaks"
    assert cache == tmp_path / "P.otio.cache" / "peaks"
    result = peaks(media, cache, samples_per_peak=1000)
    runs = -(-samples.shape[1] // 1000)
    assert result.minima.shape == result.maxima.shape == (2, runs)
    whole = samples[:, : (runs - 1) * 1000].reshape(2, runs - 1, 1000)
    np.testing.assert_array_equal(result.minima[:, :-1], whole.min(axis=2))
    np.testing.assert_array_equal(result.maxima[:, :-1], whole.max(axis=2))
    assert result.maxima[0, -1] == samples[0, (runs - 1) * 1000 :].max()  # the short last run
    data = json.loads(json.dumps(result.to_dict()))
    assert data["sample_rate"] == RATE and data["samples_per_peak"] == 1000
    assert len(data["channels"]) == 2 and len(data["channels"][0]) == 2 * runs
    assert data["channels"][1][:2] == pytest.approx(
        [float(result.minima[1, 0]), float(result.maxima[1, 0])], abs=1e-4
    )
    (cached,) = cache.glob("*.npz")
    stamp = cached.stat().st_mtime_ns
    again = peaks(media, cache, samples_per_peak=1000)
    np.testing.assert_array_equal(again.maxima, result.maxima)
    assert cached.stat().st_mtime_ns == stamp  # read from the cache, not written again
    # a changed file (new size and mtime) is read again
    write_wav(media, samples[:, :RATE] * 0.5, codec="pcm_f32le")
    os.utime(media, ns=(1, 1))
    changed = peaks(media, cache, samples_per_peak=1000)
    assert changed.maxima.shape[1] == RATE // 1000
    assert len(list(cache.glob("*.npz"))) == 2


def test_peaks_of_a_compressed_file_stream_its_sound(tmp_path: Path) -> None:
    video = write_video(tmp_path / "cam.mp4", frames=50, tone_hz=1000.0)
    result = peaks(video, tmp_path / "cache")
    assert result.sample_rate == RATE and result.channels == 2
    assert result.maxima.shape[1] == pytest.approx(2 * RATE / 512, abs=4)
    assert 0.3 < float(result.maxima[:, 20:-20].max()) < 0.9


def test_a_thumbnail_is_that_frame_at_that_width_and_cached(tmp_path: Path) -> None:
    video = write_video(tmp_path / "cam.mp4", frames=30, size=(320, 180))
    cache = tmp_path / "thumbs"
    path = thumbnail(video, 17, 160, cache)
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (160, 90)
        grey = np.asarray(image.convert("L"), dtype=np.float64)
    assert abs(float(np.median(grey)) - frame_value(17)) < 8
    stamp = path.stat().st_mtime_ns
    assert thumbnail(video, 17, 160, cache) == path and path.stat().st_mtime_ns == stamp
    assert thumbnail(video, 3, 160, cache) != path
    assert not list(cache.glob(".*"))
    with pytest.raises(MediaError):
        thumbnail(tmp_path / "missing.mp4", 0, 160, cache)
