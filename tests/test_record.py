"""Recording: a take from a stand-in input lands on its track with exactly the input's samples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile

from media_factory import write_wav
from postprod.cli import main
from postprod.log import LogStore, default_location
from postprod.media.inputs import ToneInput
from postprod.project import load_project, save_project
from postprod.record.take import TakePlan, record_take
from postprod.timecode import ltc
from postprod.timeline.model import rational_time, time_range
from postprod.timeline.slots import slots

RATE = 48000
FPS = Fraction(25)


def _project(folder: Path) -> Path:
    """An empty edit at 25 fps starting at 01:00:00:00: one audio track with 4 s of gap."""
    timeline = otio.schema.Timeline("session", global_start_time=rational_time(90_000, FPS))
    dialogue = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    dialogue.append(otio.schema.Gap(source_range=time_range(0, 100, FPS)))
    timeline.tracks.append(dialogue)
    return save_project(timeline, folder / "session.otio")


def _noise(seconds: float, channels: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(-0.5, 0.5, (channels, int(seconds * RATE))).astype(np.float32)


def _clips(project: Path, track: str) -> list[tuple[str, int, int, int]]:
    """(file, record frame, length, source in frame) of each clip on ``track``."""
    timeline = load_project(project)
    (found,) = [t for t in timeline.tracks if t.name == track]
    return [
        (
            Path(slot.item.media_reference.target_url).name,
            slot.start,
            slot.length,
            int(slot.item.source_range.start_time.value),
        )
        for slot in slots(found, FPS)
        if not slot.is_gap
    ]


def test_a_file_stand_in_records_exactly_its_samples(tmp_path: Path) -> None:
    project = _project(tmp_path)
    source = _noise(2.0, 2)
    write_wav(tmp_path / "performance.wav", source, RATE, "pcm_f32le")
    command = ["record", str(project), "--track", "A3", "--input"]
    command += [f"file:{tmp_path / 'performance.wav'}", "--channels", "2", "--bit-depth", "32f"]
    assert main([*command, "--at", "01:00:01:00"]) == 0
    take, rate = soundfile.read(tmp_path / "A3_take01.wav", dtype="float32", always_2d=True)
    assert rate == RATE and take.shape == (2 * RATE, 1)
    np.testing.assert_array_equal(take[:, 0], source[1])  # channel 2, bit for bit
    assert _clips(project, "A3") == [("A3_take01.wav", 25, 50, 0)]
    # 24-bit: within one LSB of the input
    assert main([*command[:-2], "--bit-depth", "24"]) == 0
    take24, _ = soundfile.read(tmp_path / "A3_take02.wav", dtype="float32", always_2d=True)
    assert np.abs(take24[:, 0] - source[1]).max() <= 2.0**-23
    assert _clips(project, "A3")[1][1] == 75  # the next take follows at the track's end


def test_punch_in_and_out_with_a_pre_roll(tmp_path: Path) -> None:
    project = _project(tmp_path)
    plan = TakePlan("A1", punch_in=50, punch_out=75, pre_roll_s=0.4, bit_depth="32f")
    take = record_take(project, ToneInput(1000, RATE, 1), plan)
    # 0.4 s (10 frames) of pre-roll kept as a handle, then the punch: 35 frames in the file
    assert take.samples == 35 * RATE // 25 and take.pre_roll_frames == 10
    assert _clips(project, "A1") == [("A1_take01.wav", 50, 25, 10)]
    samples, _ = soundfile.read(take.path, dtype="float32")
    assert 20 * np.log10(np.abs(samples).max()) == pytest.approx(-18.0, abs=0.01)  # line-up


@dataclass(frozen=True)
class _StoppedAfter:
    """An input whose operator presses Ctrl-C after ``blocks`` blocks."""

    blocks_before_stop: int
    name: str = "test input"
    sample_rate: int = RATE
    channels: int = 1

    def blocks(self) -> Iterator[np.ndarray]:
        for index in range(self.blocks_before_stop):
            yield _noise(0.1, 1, seed=index)
        raise KeyboardInterrupt


@pytest.mark.parametrize("stop_after", [3, 17])
def test_a_stop_at_any_moment_keeps_a_valid_file(tmp_path: Path, stop_after: int) -> None:
    project = _project(tmp_path)
    take = record_take(project, _StoppedAfter(stop_after), TakePlan("A2", bit_depth="16"))
    assert take.stopped_early
    info = soundfile.info(take.path)
    assert info.frames == stop_after * RATE // 10 and info.subtype == "PCM_16"
    expected = np.concatenate([_noise(0.1, 1, seed=i) for i in range(stop_after)], axis=1)
    recorded, _ = soundfile.read(take.path, dtype="float32")
    assert np.abs(recorded - expected[0]).max() <= 2.0**-15
    assert not list(tmp_path.glob(".*.part"))
    assert _clips(project, "A2") == [("A2_take01.wav", 0, stop_after * 25 // 10, 0)]


def test_ltc_on_an_input_channel_places_the_take(tmp_path: Path) -> None:
    project = _project(tmp_path)
    code = ltc.encode("01:00:04:00", "25", duration_s=2.0, sample_rate=RATE)
    lead = 1234  # the take starts a little before a word
    feed = np.zeros((2, code.size + lead), np.float32)
    feed[1, lead:] = code
    feed[0] = _noise(feed.shape[1] / RATE, 1)[0, : feed.shape[1]]
    write_wav(tmp_path / "with_ltc.wav", feed, RATE, "pcm_f32le")
    command = ["record", str(project), "-t", "A1", "--input", f"file:{tmp_path / 'with_ltc.wav'}"]
    assert main([*command, "--channels", "1", "--ltc-channel", "2", "--bit-depth", "32f"]) == 0
    # 01:00:04:00 starts 1234 samples (0.64 frame) in: the first sample is in frame 99
    (clip,) = _clips(project, "A1")
    assert clip[1] == 99


def test_every_take_is_logged(tmp_path: Path) -> None:
    project = _project(tmp_path)
    write_wav(tmp_path / "line.wav", _noise(1.0, 1), RATE, "pcm_f32le")
    source = f"file:{tmp_path / 'line.wav'}"
    assert main(["record", str(project), "-t", "A1", "--input", source, "--note", "take 1"]) == 0
    with LogStore(default_location()) as store:
        (entry,) = store.entries(kind="recording")
    details = entry.details.to_dict()
    assert entry.note == "take 1" and details["track"] == "A1"
    assert details["duration_s"] == 1.0 and details["sample_rate"] == RATE
    assert details["file"].endswith("A1_take01.wav") and details["sha256"]
    assert details["start_timecode"] == "01:00:04:00"  # after the 4 s already on the timeline


def test_without_an_input_device_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    mono = write_wav(tmp_path / "mono.wav", _noise(0.5, 1), RATE, "pcm_f32le")
    for bad in (
        ["record", str(project), "-t", "A1"],  # no PortAudio input here (or sounddevice)
        ["record", str(project), "-t", "A1", "--input", "file:/nonexistent.wav"],
        ["record", str(project), "-t", "A1", "--input", f"file:{mono}", "--channels", "3"],
        ["record", str(project), "-t", "A1", "--input", "tone:loud"],
    ):
        assert main(bad) == 2, bad
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:") and "\n" not in err and "Traceback" not in err
