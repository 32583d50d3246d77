"""The media probe on real files written with PyAV, and its errors on broken ones."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from media_factory import tone, write_video, write_wav
from postprod.cli import main
from postprod.errors import MediaError, MediaNotFoundError
from postprod.media import probe
from postprod.timecode import SMPTE_RATES

BT709_LIMITED = {"color_primaries": 1, "color_trc": 1, "colorspace": 1, "color_range": 1}


@pytest.mark.parametrize(
    ("rate", "frames"),
    [(Fraction(25), 50), (Fraction(30000, 1001), 45), (Fraction(24000, 1001), 30)],
)
def test_mp4_streams_rates_and_counts(tmp_path: Path, rate: Fraction, frames: int) -> None:
    info = probe(write_video(tmp_path / "a.mp4", frames=frames, rate=rate))
    video, audio = info.video, info.audio
    assert video is not None and audio is not None
    assert info.format == "mov,mp4,m4a,3gp,3g2,mj2"
    assert (video.codec, video.width, video.height) == ("h264", 320, 180)
    assert video.frame_rate == rate
    assert (video.frames, video.frames_from) == (frames, "container")
    assert (video.pixel_format, video.bit_depth) == ("yuv420p", 8)
    assert video.duration_s == pytest.approx(float(frames / rate), abs=1e-6)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert (audio.channel_layout, audio.bit_depth) == ("stereo", None)  # lossy: no bit depth
    assert info.duration_s == pytest.approx(float(frames / rate), abs=0.05)
    assert info.start_timecode is None
    assert [s.type for s in info.streams] == ["video", "audio"]


@pytest.mark.parametrize("rate", SMPTE_RATES, ids=str)
def test_every_smpte_rate_comes_back_exact(tmp_path: Path, rate: Fraction) -> None:
    video = probe(write_video(tmp_path / "r.mov", frames=7, rate=rate, audio=False)).video
    assert video is not None
    assert video.frame_rate == rate and isinstance(video.frame_rate, Fraction)
    assert video.frames == 7


@pytest.mark.parametrize(
    ("suffix", "label", "rate"),
    [
        (".mov", "01:00:00:00", Fraction(25)),
        (".mov", "00:59:59;28", Fraction(30000, 1001)),
        (".mp4", "00:59:59;28", Fraction(30000, 1001)),
        (".mov", "10:00:00:00", Fraction(24000, 1001)),
    ],
)
def test_start_timecode_from_the_tmcd_track(
    tmp_path: Path, suffix: str, label: str, rate: Fraction
) -> None:
    path = write_video(tmp_path / f"tc{suffix}", frames=10, rate=rate, start_timecode=label)
    info = probe(path)
    assert info.start_timecode == label
    timecode_tracks = [s for s in info.streams if s.codec == "tmcd"]
    assert len(timecode_tracks) == 1 and timecode_tracks[0].type == "other"
    assert info.video is not None and info.video.frames == 10  # tmcd is not a picture


def test_mxf_start_timecode_from_the_container(tmp_path: Path) -> None:
    path = write_video(
        tmp_path / "a.mxf",
        frames=10,
        codec="mpeg2video",
        audio_codec="pcm_s24le",
        start_timecode="10:00:00:00",
    )
    info = probe(path)
    assert info.format == "mxf"
    assert info.start_timecode == "10:00:00:00"  # the material package's, not a stream tag
    video, audio = info.video, info.audio
    assert video is not None and audio is not None
    assert (video.codec, video.frames, video.frames_from) == ("mpeg2video", 10, "duration")
    assert (audio.codec, audio.bit_depth) == ("pcm_s24le", 24)


def test_prores_mov_depth_colour_and_pcm(tmp_path: Path) -> None:
    path = write_video(
        tmp_path / "p.mov",
        frames=5,
        codec="prores_ks",
        pix_fmt="yuv422p10le",
        audio_codec="pcm_s24le",
        colour_tags=BT709_LIMITED,
    )
    info = probe(path)
    video, audio = info.video, info.audio
    assert video is not None and audio is not None
    assert (video.codec, video.pixel_format, video.bit_depth) == ("prores", "yuv422p10le", 10)
    assert (video.color_primaries, video.color_transfer, video.color_space) == (
        "bt709",
        "bt709",
        "bt709",
    )
    assert video.color_range == "limited"
    assert (audio.codec, audio.bit_depth, audio.sample_rate) == ("pcm_s24le", 24, 48000)


def test_untagged_colour_is_none(tmp_path: Path) -> None:
    video = probe(write_video(tmp_path / "u.mp4", frames=3, audio=False)).video
    assert video is not None
    assert (video.color_primaries, video.color_transfer, video.color_space) == (None, None, None)


def test_mkv_counts_frames_from_the_picture_not_the_longer_sound(tmp_path: Path) -> None:
    # AAC padding makes the sound (and so the container) longer than the 10 frames.
    info = probe(write_video(tmp_path / "a.mkv", frames=10, codec="mpeg4", audio_channels=6))
    video, audio = info.video, info.audio
    assert video is not None and audio is not None
    assert info.duration_s > 0.4
    assert (video.frames, video.frames_from) == (10, "duration")
    assert video.duration_s == pytest.approx(0.4)
    assert (video.codec, audio.channels, audio.channel_layout) == ("mpeg4", 6, "5.1")


def test_raw_elementary_stream_is_counted_by_packets(tmp_path: Path) -> None:
    path = write_video(tmp_path / "a.h264", frames=17, audio=False, container="h264")
    video = probe(path).video
    assert video is not None
    assert (video.frames, video.frames_from, video.frame_rate) == (17, "packets", 25)
    assert video.duration_s == pytest.approx(17 / 25)
    header_only = probe(path, count_packets=False).video
    assert header_only is not None and header_only.frames is None


def test_wav(tmp_path: Path) -> None:
    info = probe(write_wav(tmp_path / "a.wav", tone(48000, 48000, 1000.0)))
    assert info.format == "wav" and info.video is None
    audio = info.audio
    assert audio is not None
    assert (audio.codec, audio.sample_rate, audio.channels) == ("pcm_s24le", 48000, 1)
    assert (audio.channel_layout, audio.bit_depth) == ("mono", 24)
    assert info.duration_s == pytest.approx(1.0, abs=1e-3)
    assert info.start_timecode is None and info.time_reference_samples is None


@pytest.mark.parametrize(("codec", "bits"), [("pcm_s16le", 16), ("pcm_f32le", 32)])
def test_wav_bit_depths(tmp_path: Path, codec: str, bits: int) -> None:
    audio = probe(write_wav(tmp_path / "a.wav", tone(4800, 48000, 1000.0), codec=codec)).audio
    assert audio is not None and (audio.codec, audio.bit_depth) == (codec, bits)


def test_bwf_time_reference_is_samples_not_a_label(tmp_path: Path) -> None:
    path = write_wav(
        tmp_path / "bwf.wav", tone(4800, 48000, 1000.0), time_reference_samples=3600 * 48000
    )
    info = probe(path)
    assert info.time_reference_samples == 3600 * 48000
    assert info.start_timecode is None  # no frame rate in a WAV
    assert info.to_dict()["time_reference_samples"] == 3600 * 48000


def _broken_files(tmp_path: Path) -> dict[str, Path]:
    real = write_video(tmp_path / "real.mp4", frames=25)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(real.read_bytes()[:1000])
    # moov first, so FFmpeg opens it; the index then points past the end
    whole = write_video(
        tmp_path / "fast.mp4", frames=50, container_options={"movflags": "+faststart"}
    )
    cut = tmp_path / "cut_short.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    empty = tmp_path / "empty.mov"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is a text file, not a recording\n" * 20)
    subtitles = tmp_path / "lines.srt"  # FFmpeg reads it, but it holds no picture or sound
    subtitles.write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n\n")
    return {
        "missing": tmp_path / "nope.mp4",
        "empty": empty,
        "truncated": truncated,
        "cut_short": cut,
        "text": text,
        "subtitles": subtitles,
        "folder": tmp_path,
    }


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("missing", "does not exist"),
        ("empty", "empty"),
        ("truncated", "not a media file"),
        ("cut_short", "truncated"),
        ("text", "not a media file"),
        ("subtitles", "no audio or video stream"),
        ("folder", "folder"),
    ],
)
def test_broken_files_give_one_clear_line(
    tmp_path: Path, kind: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken_files(tmp_path)[kind]
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert path.name in caught.value.message and words in caught.value.message
    assert isinstance(caught.value, MediaNotFoundError) == (kind == "missing")
    assert main(["probe", str(path)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and path.name in err[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_cli_json_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_video(
        tmp_path / "a.mov", frames=12, rate=Fraction(30000, 1001), start_timecode="00:00:10;00"
    )
    assert main(["probe", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"format", "duration_s", "start_timecode", "streams"} <= data.keys()
    assert data["format"] == "mov,mp4,m4a,3gp,3g2,mj2"
    assert data["start_timecode"] == "00:00:10;00"
    assert isinstance(data["duration_s"], float)
    video = next(s for s in data["streams"] if s["type"] == "video")
    audio = next(s for s in data["streams"] if s["type"] == "audio")
    assert video["frame_rate"] == "30000/1001" and video["frames"] == 12
    assert (video["width"], video["height"], video["codec"]) == (320, 180, "h264")
    assert (audio["sample_rate"], audio["channels"]) == (48000, 2)
    assert all({"index", "type", "codec"} <= s.keys() for s in data["streams"])
    assert all(s["type"] in ("video", "audio", "other") for s in data["streams"])


def test_cli_json_null_timecode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", str(write_wav(tmp_path / "a.wav", tone(480, 48000, 1e3))), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["start_timecode"] is None
    (audio,) = data["streams"]
    assert (audio["type"], audio["sample_rate"], audio["channels"]) == ("audio", 48000, 1)
    assert "frame_rate" not in audio and "width" not in audio


def test_cli_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_video(tmp_path / "a.mov", frames=50, start_timecode="01:00:00:00")
    assert main(["probe", str(path)]) == 0
    out = capsys.readouterr().out
    assert "h264" in out and "320x180" in out and "48000 Hz" in out and "tmcd" in out
    assert "01:00:00:00" in out  # start TC
    assert "00:00:02:00" in out and "50 frames" in out  # duration as timecode and frames
    assert "25 fps" in out


def test_cli_table_drop_frame_duration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_video(
        tmp_path / "a.mov", frames=12, rate=Fraction(30000, 1001), start_timecode="00:59:59;28"
    )
    assert main(["probe", str(path)]) == 0
    out = capsys.readouterr().out
    assert "00:00:00;12" in out and "29.970 fps (30000/1001)" in out
