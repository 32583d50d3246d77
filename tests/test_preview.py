"""Preview segments: cached by content, re-rendered only where an edit changes them, their
sound the whole mix's (the console run from a pre-roll), fragmented MP4 at proxy size."""

from __future__ import annotations

import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from postprod.demo.production import SOURCES, DemoSettings, make_project, write_source
from postprod.demo.sound import write_sounds
from postprod.operations import ClipGain, Project, RemoveInsert, SetPicture
from postprod.render.mixdown import programme_sound
from postprod.render.preview import (
    PREVIEW,
    open_preview,
    playlist,
    preview_segments,
    render_segment,
)

SMALL = DemoSettings(
    width=320, height=180, source_frames=60, handle_frames=10, clip_frames=20, transition_frames=8
)


def _demo(folder: Path, *, pitch_shift: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sources = tuple(write_source(folder / f"camera_{s.name}.mp4", s, SMALL) for s in SOURCES)
    seconds = SMALL.programme_frames / float(SMALL.frame_rate)
    sounds = write_sounds(
        folder,
        sample_rate=SMALL.sample_rate,
        line_s=SMALL.line_frames / float(SMALL.frame_rate),
        music_s=seconds + 1,
    )
    project = make_project(folder / "demo.otio", sources, sounds, SMALL)
    if not pitch_shift:  # a phase vocoder remembers its phase from the start: not a pre-roll's
        project.apply(RemoveInsert("ADR", 1))
    return project.path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo(tmp_path_factory.mktemp("preview"))


def _sound(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        channels = container.streams.audio[0].channels
        blocks = [
            f.to_ndarray().reshape(-1, channels).T if f.format.is_packed else f.to_ndarray()
            for f in container.decode(audio=0)
        ]
    return np.concatenate(blocks, axis=1)


def test_segments_are_fragmented_mp4s_at_proxy_size_and_play_again_from_the_cache(
    demo: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    segments = preview_segments(demo, 0, 89, cache, segment_frames=25, render_now=True)
    assert [(s.start_frame, s.frames) for s in segments] == [(0, 25), (25, 25), (50, 25), (75, 14)]
    with av.open(str(segments[1].path)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (160, 90)
        frames = list(container.decode(video=0))
        assert len(frames) == 25 and frames[0].key_frame
    head = segments[1].path.read_bytes()[:4096]
    assert b"moof" in segments[1].path.read_bytes() and b"mvex" in head  # fragmented
    assert not list(cache.glob(".*"))  # no temporary file left
    stamps = [s.path.stat().st_mtime_ns for s in segments]
    began = time.perf_counter()
    again = preview_segments(demo, 0, 89, cache, segment_frames=25, render_now=True)
    assert time.perf_counter() - began < 1.0
    assert [s.key for s in again] == [s.key for s in segments]
    assert [s.path.stat().st_mtime_ns for s in again] == stamps  # nothing rendered again
    text = playlist(again, Fraction(25), url_prefix="/preview/")
    assert "#EXT-X-TARGETDURATION:1" in text and text.count("#EXTINF:1.000,") == 3
    assert "#EXTINF:0.560," in text and f"/preview/{again[0].path.name}" in text


def test_an_edit_renews_only_the_segments_it_changes(tmp_path: Path) -> None:
    project = _demo(tmp_path / "demo")
    cache = tmp_path / "cache"

    def keys(preroll_s: float) -> list[str]:
        segments = preview_segments(project, 0, 89, cache, segment_frames=10, preroll_s=preroll_s)
        return [s.key for s in segments]

    before, before_sound = keys(0.0), keys(0.4)
    split = next(
        span
        for span in open_preview(project, 0, 89, cache).plan.overlays[0]
        if span.a is not None and span.a.title is None
    )
    # picture: the split screen on V2 moves to the left half
    Project(project).apply(SetPicture("V2", split.start + 1, "left"))
    after = keys(0.0)
    changed = [k for k, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    shows_in = sorted({f // 10 for f in range(split.start, split.start + split.length)})
    assert changed == shows_in == [5, 6]  # frames 53-62: segments 50-59 and 60-69
    # sound: the music clip (all of the programme) changes gain: every segment
    Project(project).apply(ClipGain("music", 10, -3.0))
    assert all(a != b for a, b in zip(keys(0.4), before_sound, strict=True))
    # a media file touched: the segments that use it
    settled = keys(0.4)
    (project.parent / "camera_B.mp4").touch()  # B plays in frames 28-47 and the split
    renewed = [k for k, (a, b) in enumerate(zip(settled, keys(0.4), strict=True)) if a != b]
    assert renewed and len(renewed) < len(settled)


def test_the_sound_of_a_segment_is_the_whole_mix_from_a_pre_roll(tmp_path: Path) -> None:
    project = _demo(tmp_path / "demo", pitch_shift=False)  # reverb, compressor, ducking stay
    preview = open_preview(project, 0, 89, tmp_path / "cache", segment_frames=20, preroll_s=0.5)
    whole = np.concatenate(list(programme_sound(preview.plan)), axis=1)
    pcm = replace(PREVIEW, suffixes=(".mov",), audio_codec="pcm_f32le", audio_bit_rate=None)
    per_frame = 48000 // 25
    joined = []
    for segment in preview.segments[1:3]:  # frames 20-40 and 40-60, mixed from 0.5 s before
        segment = replace(segment, path=segment.path.with_suffix(".mov"))
        render_segment(preview.plan, segment, preset=pcm, preroll_s=0.5, muxer_options={})
        sound = _sound(segment.path)
        first = segment.start_frame * per_frame
        expected = whole[:, first : first + segment.frames * per_frame]
        assert sound.shape == expected.shape
        error_db = 20 * np.log10(np.abs(sound - expected).max() + 1e-12)
        assert error_db < -60  # the reverb tail from before the pre-roll, nothing else
        joined.append(sound)
    # the join of two segments has no step of its own: it is the mix's
    seam = np.concatenate(joined, axis=1)[:, 20 * per_frame - 2 : 20 * per_frame + 2]
    first = 40 * per_frame
    np.testing.assert_allclose(seam, whole[:, first - 2 : first + 2], atol=1e-3)


def test_a_pitch_shifted_session_mixes_each_segment_from_the_start(
    demo: Path, tmp_path: Path
) -> None:
    # the demo's dubbed line goes through a pitch shifter (a phase vocoder): from elsewhere
    # it gives other samples, so no pre-roll is long enough
    preview = open_preview(demo, 0, 89, tmp_path / "cache", segment_frames=20)
    assert preview.preroll_s is None
    whole = np.concatenate(list(programme_sound(preview.plan)), axis=1)
    pcm = replace(PREVIEW, suffixes=(".mov",), audio_codec="pcm_f32le", audio_bit_rate=None)
    segment = replace(preview.segments[2], path=tmp_path / "line.mov")  # the line plays here
    render_segment(preview.plan, segment, preset=pcm, preroll_s=None, muxer_options={})
    first = segment.start_frame * 1920
    np.testing.assert_array_equal(_sound(segment.path), whole[:, first : first + 20 * 1920])
