"""The media probe on real files written with PyAV, and its errors on broken ones."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from media_factory import tone, write_video, write_wav
from postprod.cli import main
from postprod.errors import MediaError
from postprod.media import probe


@pytest.mark.parametrize(
    ("rate", "frames"),
    [(Fraction(25), 50), (Fraction(30000, 1001), 45), (Fraction(24000, 1001), 30)],
)
def test_mp4_streams_rates_and_counts(tmp_path: Path, rate: Fraction, frames: int) -> None:
    info = probe(write_video(tmp_path / "a.mp4", frames=frames, rate=rate))
    video, audio = info.video, info.audio
    assert video is not None and audio is not None
    assert (video.codec, video.width, video.height) == ("h264", 320, 180)
    assert video.frame_rate == rate
    assert video.frames == frames
    assert video.pixel_format == "yuv420p"
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert info.duration_s == pytest.approx(float(frames / rate), abs=0.05)
    assert info.start_timecode is None


@pytest.mark.parametrize(
    ("suffix", "label", "rate"),
    [(".mov", "01:00:00:00", Fraction(25)), (".mp4", "00:59:59;28", Fraction(30000, 1001))],
)
def test_start_timecode_from_the_tmcd_track(
    tmp_path: Path, suffix: str, label: str, rate: Fraction
) -> None:
    path = write_video(tmp_path / f"tc{suffix}", frames=10, rate=rate, start_timecode=label)
    assert probe(path).start_timecode == label


def test_wav(tmp_path: Path) -> None:
    info = probe(write_wav(tmp_path / "a.wav", tone(48000, 48000, 1000.0)))
    assert info.video is None
    audio = info.audio
    assert audio is not None
    assert (audio.codec, audio.sample_rate, audio.channels) == ("pcm_s24le", 48000, 1)
    assert info.duration_s == pytest.approx(1.0, abs=1e-3)


def _broken_files(tmp_path: Path) -> dict[str, Path]:
    real = write_video(tmp_path / "real.mp4", frames=25)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(real.read_bytes()[:1000])
    empty = tmp_path / "empty.mov"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is a text file, not a recording\n" * 20)
    return {"missing": tmp_path / "nope.mp4", "empty": empty, "truncated": truncated, "text": text}


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "text"])
def test_broken_files_give_one_clear_line(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken_files(tmp_path)[kind]
    with pytest.raises(MediaError) as caught:
        probe(path)
    assert path.name in caught.value.message
    assert main(["probe", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and path.name in err[0]


def test_cli_json_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_video(
        tmp_path / "a.mov", frames=12, rate=Fraction(30000, 1001), start_timecode="00:00:10;00"
    )
    assert main(["probe", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"format", "duration_s", "start_timecode", "streams"} <= data.keys()
    assert data["start_timecode"] == "00:00:10;00"
    video = next(s for s in data["streams"] if s["type"] == "video")
    audio = next(s for s in data["streams"] if s["type"] == "audio")
    assert video["frame_rate"] == "30000/1001" and video["frames"] == 12
    assert (video["width"], video["height"], video["codec"]) == (320, 180, "h264")
    assert (audio["sample_rate"], audio["channels"]) == (48000, 2)
    assert all(s["type"] in ("video", "audio", "other") for s in data["streams"])


def test_cli_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", str(write_video(tmp_path / "a.mp4", frames=5))]) == 0
    out = capsys.readouterr().out
    assert "h264" in out and "320x180" in out and "48000 Hz" in out
